// Every event of one store, read over gRPC as a consumer's catch-up reads it (EventFeedService),
// for tests that check what a service recorded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "breach/v1/envelope.pb.h"
#include "grpcpp/channel.h"

namespace breachd::testing {

// The events of `source`'s store hosted behind `channel`, in order, read with `token` (a
// service or provider-operator token). A failed read is a gtest failure and ends the list.
std::vector<breach::v1::EventEnvelope> StoredEvents(const std::shared_ptr<grpc::Channel>& channel,
                                                    const std::string& source,
                                                    const std::string& token);

}  // namespace breachd::testing
