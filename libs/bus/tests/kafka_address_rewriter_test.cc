#include "libs/bus/kafka_address_rewriter.h"

#include <cstdint>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/tests/relay_test_util.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::bus {
namespace {

using namespace ::breachd::bus::testing;  // NOLINT: the relay test helpers
using ::breachd::testing::StatusIs;

// The value, or the error as text, so that one EXPECT_EQ shows either.
std::string ValueOrError(const absl::StatusOr<std::string>& result) {
  return result.ok() ? *result : result.status().ToString();
}

// A Metadata v0-v2 response body with brokers 1 and 2 of the mock; `rack` only from v1.
std::string MetadataBody(int version, const std::string& host1, int32_t port1) {
  const std::string rack = version >= 1 ? kNullString : "";
  return Int32(2) + Int32(1) + String(host1) + Int32(port1) + rack + Int32(2) +
         String("127.0.0.1") + Int32(40002) + rack + "topics and the rest";
}

// A FindCoordinator v0-v2 response body naming broker 1.
std::string FindCoordinatorBody(int version, const std::string& host, int32_t port) {
  const std::string before = version >= 1 ? Int32(0) + Int16(0) + kNullString : Int16(0);
  return before + Int32(1) + String(host) + Int32(port);
}

class KafkaAddressRewriterTest : public ::testing::Test {
 protected:
  KafkaAddressRewriterTest() {
    // Broker 1 of the mock is advertised as the relay; broker 2 is not known.
    addresses_->Set({"127.0.0.1", 40001}, {"localhost", 9092});
  }
  std::shared_ptr<AdvertisedAddresses> addresses_ = std::make_shared<AdvertisedAddresses>();
};

TEST_F(KafkaAddressRewriterTest, RewritesMetadataBrokers) {
  for (int version = 0; version <= 2; ++version) {
    EXPECT_EQ(
        ValueOrError(RewriteBrokerAddresses(
            kMetadataApiKey, version, MetadataBody(version, "127.0.0.1", 40001), *addresses_)),
        MetadataBody(version, "localhost", 9092))
        << version;
  }
}

TEST_F(KafkaAddressRewriterTest, RewritesTheCoordinator) {
  for (int version = 0; version <= 2; ++version) {
    EXPECT_EQ(ValueOrError(RewriteBrokerAddresses(kFindCoordinatorApiKey, version,
                                                  FindCoordinatorBody(version, "127.0.0.1", 40001),
                                                  *addresses_)),
              FindCoordinatorBody(version, "localhost", 9092))
        << version;
  }
}

TEST_F(KafkaAddressRewriterTest, LeavesOtherResponsesAlone) {
  const std::string body = MetadataBody(3, "127.0.0.1", 40001);  // v3 has a throttle first
  EXPECT_EQ(ValueOrError(RewriteBrokerAddresses(kMetadataApiKey, 3, body, *addresses_)), body);
  EXPECT_EQ(ValueOrError(RewriteBrokerAddresses(/*Produce*/ 0, 2, body, *addresses_)), body);
  // The coordinator is not known yet: node -1, empty host, port -1.
  const std::string not_found = FindCoordinatorBody(2, "", -1);
  EXPECT_EQ(ValueOrError(RewriteBrokerAddresses(kFindCoordinatorApiKey, 2, not_found, *addresses_)),
            not_found);
}

TEST_F(KafkaAddressRewriterTest, ATruncatedResponseIsAnError) {
  const std::string body = MetadataBody(1, "127.0.0.1", 40001);
  const size_t brokers_end = body.find("topics");
  for (size_t size = 0; size < brokers_end; ++size) {
    EXPECT_THAT(RewriteBrokerAddresses(kMetadataApiKey, 1, body.substr(0, size), *addresses_),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << size;
  }
}

// Request header v1: api_key, api_version, correlation_id, client_id.
std::string Request(int16_t api_key, int16_t version, int32_t correlation_id) {
  return Frame(Int16(api_key) + Int16(version) + Int32(correlation_id) + String("client") +
               "request body");
}

TEST_F(KafkaAddressRewriterTest, RewritesTheResponsesToItsRequestsAcrossChunks) {
  KafkaAddressRewriter filter(addresses_);
  // Requests pass unchanged, in any chunks; a frame goes out once complete.
  const std::string requests = Request(kMetadataApiKey, 2, 7) + Request(/*Produce*/ 0, 2, 8) +
                               Request(kFindCoordinatorApiKey, 1, 9);
  std::string forwarded;
  for (char byte : requests) {
    ASSERT_OK_AND_ASSIGN(const std::string out, filter.FromClient(std::string(1, byte)));
    forwarded += out;
  }
  EXPECT_EQ(forwarded, requests);

  // The Produce response is not touched even if it looked like an address; responses may come
  // split anywhere.
  const std::string responses = Frame(Int32(8) + MetadataBody(2, "127.0.0.1", 40001)) +
                                Frame(Int32(7) + MetadataBody(2, "127.0.0.1", 40001)) +
                                Frame(Int32(9) + FindCoordinatorBody(1, "127.0.0.1", 40001));
  const std::string expected = Frame(Int32(8) + MetadataBody(2, "127.0.0.1", 40001)) +
                               Frame(Int32(7) + MetadataBody(2, "localhost", 9092)) +
                               Frame(Int32(9) + FindCoordinatorBody(1, "localhost", 9092));
  ASSERT_OK_AND_ASSIGN(std::string received, filter.FromTarget(responses.substr(0, 10)));
  ASSERT_OK_AND_ASSIGN(const std::string rest, filter.FromTarget(responses.substr(10)));
  EXPECT_EQ(received + rest, expected);

  // Each request is answered once: a repeated correlation id is not rewritten again.
  const std::string again = Frame(Int32(7) + MetadataBody(2, "127.0.0.1", 40001));
  EXPECT_EQ(ValueOrError(filter.FromTarget(again)), again);
}

TEST_F(KafkaAddressRewriterTest, RejectsWhatIsNotKafka) {
  KafkaAddressRewriter filter(addresses_);
  EXPECT_THAT(filter.FromClient("GET / HTTP/1.1\r\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  KafkaAddressRewriter other(addresses_);
  EXPECT_THAT(other.FromTarget(Int32(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace breachd::bus
