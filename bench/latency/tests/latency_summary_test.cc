#include "bench/latency/latency_summary.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::bench {
namespace {

using ::testing::HasSubstr;

TEST(LatencySummaryTest, NearestRankPercentilesOfHundredSamples) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(i);  // unsorted on purpose
  const LatencySummary summary = Summarize(samples);
  EXPECT_EQ(summary.count, 100u);
  EXPECT_EQ(summary.p50_ms, 50);
  EXPECT_EQ(summary.p90_ms, 90);
  EXPECT_EQ(summary.p99_ms, 99);
  EXPECT_EQ(summary.max_ms, 100);
}

TEST(LatencySummaryTest, OneSlowSampleInTenIsTheP99) {
  std::vector<double> samples(9, 1.0);
  samples.push_back(250.0);
  const LatencySummary summary = Summarize(samples);
  EXPECT_EQ(summary.p50_ms, 1.0);
  EXPECT_EQ(summary.p90_ms, 1.0);
  EXPECT_EQ(summary.p99_ms, 250.0);
}

TEST(LatencySummaryTest, EmptyIsAllZero) {
  const LatencySummary summary = Summarize({});
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p99_ms, 0);
  EXPECT_THAT(FormatSummary(summary), HasSubstr("(n=0)"));
}

}  // namespace
}  // namespace breachd::bench
