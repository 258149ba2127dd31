#include "tests/testing/stored_events.h"

#include "breach/v1/feed.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"

namespace breachd::testing {

std::vector<breach::v1::EventEnvelope> StoredEvents(const std::shared_ptr<grpc::Channel>& channel,
                                                    const std::string& source,
                                                    const std::string& token) {
  auto feed = breach::v1::EventFeedService::NewStub(channel);
  breach::v1::ReadEventsRequest request;
  request.set_source(source);
  auto context = CallAs(token);
  auto reader = feed->ReadEvents(context.get(), request);
  std::vector<breach::v1::EventEnvelope> events;
  breach::v1::ReadEventsResponse batch;
  while (reader->Read(&batch)) {
    for (auto& event : *batch.mutable_events()) events.push_back(std::move(event));
  }
  const grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << source << ": " << status.error_message();
  return events;
}

}  // namespace breachd::testing
