#include "tools/breachctl/register_instances.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::breachctl {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

breach::v1::ListBreachesResponse Listing(std::vector<int32_t> partitions,
                                         std::vector<std::string> breach_ids, int32_t count = 6) {
  breach::v1::ListBreachesResponse listing;
  listing.set_partition_count(count);
  for (int32_t partition : partitions) listing.add_partitions(partition);
  for (const std::string& id : breach_ids) {
    auto* entry = listing.add_entries();
    entry->set_breach_id(id);
    entry->set_tenant("MIIS01200V");
  }
  return listing;
}

TEST(MergeInstanceListingsTest, MergesTwoInstancesInTheStoresOrder) {
  auto merged = MergeInstanceListings({Listing({0, 2, 4}, {"01B", "01D"}), Listing({1, 3, 5}, {"01A", "01C"})},
                                      breach::v1::REGISTER_ORDER_UNSPECIFIED);
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<std::string> ids;
  for (const auto& entry : merged->entries()) ids.push_back(entry.breach_id());
  EXPECT_THAT(ids, ElementsAre("01A", "01B", "01C", "01D"));
  EXPECT_EQ(merged->partitions_size(), 6);
}

TEST(MergeInstanceListingsTest, RefusesAPartitionUnservedOrListedTwice) {
  EXPECT_THAT(MergeInstanceListings({Listing({0, 1, 2}, {}), Listing({3, 4}, {})},
                                    breach::v1::REGISTER_ORDER_UNSPECIFIED),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("unserved: 5")));
  EXPECT_THAT(MergeInstanceListings({Listing({0, 1, 2, 3}, {}), Listing({3, 4, 5}, {})},
                                    breach::v1::REGISTER_ORDER_UNSPECIFIED),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("listed twice: 3")));
}

TEST(MergeInstanceListingsTest, RefusesAnInstanceThatIsNotPartitioned) {
  EXPECT_THAT(MergeInstanceListings({Listing({0, 1, 2}, {}), Listing({}, {}, 0)},
                                    breach::v1::REGISTER_ORDER_UNSPECIFIED),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--partitioned")));
}

}  // namespace
}  // namespace breachd::breachctl
