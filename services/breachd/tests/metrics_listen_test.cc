#include "services/breachd/metrics_listen.h"

#include "gtest/gtest.h"

namespace breachd::suite {
namespace {

TEST(MetricsListenAddressTest, DefaultsTo9464) {
  EXPECT_EQ(MetricsListenAddress("", "127.0.0.1:50051"), "127.0.0.1:9464");
}

TEST(MetricsListenAddressTest, AFreeGrpcPortMeansAFreeMetricsPort) {
  EXPECT_EQ(MetricsListenAddress("", "127.0.0.1:0"), "127.0.0.1:0");
}

TEST(MetricsListenAddressTest, AGivenAddressWinsAndOffMeansNone) {
  EXPECT_EQ(MetricsListenAddress("0.0.0.0:9500", "127.0.0.1:0"), "0.0.0.0:9500");
  EXPECT_EQ(MetricsListenAddress("off", "127.0.0.1:50051"), "");
}

}  // namespace
}  // namespace breachd::suite
