#include "libs/bus/cloudevents.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::bus {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(CloudEventHeadersTest, MapsEnvelopeToBinaryModeAttributes) {
  breach::v1::EventEnvelope event;
  event.set_event_id("01JD000000000000000000000A");
  event.set_type("breach.v1.BreachReported");
  event.set_source("intake");
  event.set_stream_id("01JD000000000000000000000B");
  event.mutable_recorded_at()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  event.mutable_recorded_at()->set_nanos(250000000);

  EXPECT_THAT(CloudEventHeaders(event),
              UnorderedElementsAre(Pair("ce_specversion", "1.0"),
                                   Pair("ce_id", "01JD000000000000000000000A"),
                                   Pair("ce_type", "breach.v1.BreachReported"),
                                   Pair("ce_source", "breachd/intake"),
                                   Pair("ce_subject", "01JD000000000000000000000B"),
                                   Pair("ce_time", "2026-01-01T00:00:00.25Z"),
                                   Pair("content-type", "application/protobuf")));
}

}  // namespace
}  // namespace breachd::bus
