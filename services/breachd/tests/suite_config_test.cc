#include "services/breachd/suite_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::suite {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseServicesTest, AllIsEveryServiceThatHasAGrpcService) {
  ASSERT_OK_AND_ASSIGN(auto services, ParseServices("all"));
  EXPECT_THAT(services, ElementsAre("assessment", "intake", "notification", "register"));
  ASSERT_OK_AND_ASSIGN(services, ParseServices(" register , intake"));
  EXPECT_THAT(services, ElementsAre("intake", "register"));
}

TEST(ParseServicesTest, NamesAServiceThatCannotBeHosted) {
  const std::pair<const char*, const char*> refused[] = {
      {"notifications", "'notifications'"}, {"intake,notifier", "'notifier'"},
      {"all,registry", "'registry'"}};
  for (const auto& [flag, named] : refused) {
    EXPECT_THAT(ParseServices(flag), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(named)))
        << flag;
  }
  EXPECT_THAT(ParseServices(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CheckHostableTest, RefusesWhatParseServicesRefuses) {
  EXPECT_THAT(CheckHostable({"intake", "notifier"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'notifier'")));
  EXPECT_THAT(CheckHostable({"intake", "assessment", "register"}), ::breachd::testing::IsOk());
  EXPECT_THAT(CheckHostable({}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParsePeersTest, AServiceNamedTwiceIsTwoInstances) {
  auto peers = ParsePeers("intake=10.0.0.5:50051, intake=10.0.0.6:50051,register=10.0.0.7:50051");
  ASSERT_TRUE(peers.ok()) << peers.status();
  EXPECT_THAT((*peers)["intake"], ElementsAre("10.0.0.5:50051", "10.0.0.6:50051"));
  EXPECT_THAT((*peers)["register"], ElementsAre("10.0.0.7:50051"));
}

TEST(ParsePeersTest, LeavesOutThisInstance) {
  auto peers = ParsePeers("intake=i:1,register=r-0:1,register=r-1:1", "r-1:1");
  ASSERT_TRUE(peers.ok()) << peers.status();
  EXPECT_THAT((*peers)["register"], ElementsAre("r-0:1"));
  EXPECT_THAT((*peers)["intake"], ElementsAre("i:1"));
  auto alone = ParsePeers("register=r-0:1", "r-0:1");
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_FALSE(alone->count("register"));  // the only instance: no peer of its own service
}

TEST(ParsePeersTest, RefusesAnInstanceGivenTwiceAndAnUnknownService) {
  EXPECT_THAT(ParsePeers("intake=h:1,intake=h:1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("given twice")));
  EXPECT_THAT(ParsePeers("payroll=h:1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payroll")));
}

TEST(ParsePartitionedTest, OnlyAHostedRegisterCanBePartitioned) {
  auto partitioned = ParsePartitioned("register", {"register"});
  ASSERT_TRUE(partitioned.ok()) << partitioned.status();
  EXPECT_THAT(*partitioned, ElementsAre("register"));
  EXPECT_THAT(ParsePartitioned("", {"register"}).value(), ::testing::IsEmpty());
  EXPECT_THAT(ParsePartitioned("register", {"intake"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--partitioned")));
  EXPECT_THAT(ParsePartitioned("intake", {"intake", "register"}).value(),
              ElementsAre("intake"));
  EXPECT_THAT(ParsePartitioned("assessment", {"assessment"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'assessment'")));
}

TEST(ParseHomePartitionsTest, RangesAndSinglePartitionsSortedOnce) {
  auto partitions = ParseHomePartitions("3-5, 0,4", {"intake"});
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  EXPECT_THAT(*partitions, ElementsAre(0, 3, 4, 5));
  EXPECT_THAT(ParseHomePartitions("", {"register"}).value(), ::testing::IsEmpty());
}

TEST(ParseHomePartitionsTest, RefusesBadNumbersAndAMisplacedOrMissingFlag) {
  for (const char* bad : {"x", "-1", "2-1", "10000", "1-x", "1.5"}) {
    EXPECT_THAT(ParseHomePartitions(bad, {"intake"}),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--home_partitions")))
        << bad;
  }
  EXPECT_THAT(ParseHomePartitions("", {"intake"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  EXPECT_THAT(ParseHomePartitions("0-2", {"register"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only for")));
  EXPECT_THAT(ParseHomePartitions("0-2", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only for")));
}

}  // namespace
}  // namespace breachd::suite
