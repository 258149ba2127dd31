#include "libs/service/idempotency.h"

#include "breach/v1/intake.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::service {
namespace {

using ::breachd::testing::StatusIs;

breach::v1::ReportBreachRequest Request(const std::string& place) {
  breach::v1::ReportBreachRequest request;
  request.set_request_id("demo-1");
  request.mutable_report()->set_tenant("MIIS01200V");
  request.mutable_report()->set_place(place);
  return request;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, eventstore::EventStore::Open(scratch_.path()));
  }
  // Remembers `request` by `subject` as the first use of its id, as a create would.
  void RememberFirst(const IdempotentRequest& request) {
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> earlier, request.EarlierResult(*store_));
    ASSERT_EQ(earlier, std::nullopt);
    ASSERT_THAT(store_->WriteProjection({request.Remember("breach-1")}, /*sync=*/false),
                ::breachd::testing::IsOk());
  }
  IdempotentRequest For(const std::string& place, const std::string& subject) {
    return IdempotentRequest("idempotency/MIIS01200V/demo-1", "demo-1", Request(place), subject);
  }

  ::breachd::testing::ScratchDir scratch_{"idempotency"};
  std::unique_ptr<eventstore::EventStore> store_;
};

TEST_F(IdempotencyTest, SameBodyFromSameCallerGetsTheFirstResult) {
  RememberFirst(For("aula 3", "user:dpo"));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> earlier,
                       For("aula 3", "user:dpo").EarlierResult(*store_));
  EXPECT_EQ(earlier, "breach-1");
}

TEST_F(IdempotencyTest, OtherBodyOrOtherCallerIsAlreadyExists) {
  RememberFirst(For("aula 3", "user:dpo"));
  for (const IdempotentRequest& reuse : {For("aula 4", "user:dpo"), For("aula 3", "user:staff")}) {
    EXPECT_THAT(reuse.EarlierResult(*store_),
                StatusIs(absl::StatusCode::kAlreadyExists,
                         "request_id demo-1 was already used for a different request"));
  }
}

TEST(RequestFingerprintTest, IsTheHexSha256OfTheDeterministicBytes) {
  EXPECT_EQ(RequestFingerprint(breach::v1::ReportBreachRequest()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");  // SHA-256("")
  EXPECT_EQ(RequestFingerprint(Request("aula 3")), RequestFingerprint(Request("aula 3")));
  EXPECT_NE(RequestFingerprint(Request("aula 3")), RequestFingerprint(Request("aula 4")));
}

}  // namespace
}  // namespace breachd::service
