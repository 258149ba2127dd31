// Reads another service's store over gRPC (EventFeedService.ReadEvents), for catch-up.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/feed.grpc.pb.h"
#include "grpcpp/security/credentials.h"

namespace breachd::delivery {

class SourceReader {
 public:
  // `source`: the service whose store to read; `target`: its gRPC address; `token`: a bearer
  // token with the service role; `credentials`: the channel's (grpcutil/tls.h).
  SourceReader(std::string source, std::string target, std::string token,
               std::shared_ptr<grpc::ChannelCredentials> credentials);

  // One batch as read: the events, and the position every event up to which has been seen.
  using BatchHandler = std::function<absl::Status(
      const std::vector<const breach::v1::EventEnvelope*>& events, uint64_t read_through)>;

  // Streams every event after `after_position` up to the source's head, batch by batch, in
  // store order; stops at the first handler error (returned). Returns the head reached.
  // UNAVAILABLE when the source cannot be reached or the stream breaks (resume from the last
  // read_through the handler saw: nothing is lost, a batch may come again).
  // With `filter`, only the events of its partitions (and unpartitioned streams) are asked for;
  // read_through then covers those (a source too old to filter sends everything).
  absl::StatusOr<uint64_t> ReadAfter(uint64_t after_position, const BatchHandler& on_batch,
                                     const breach::v1::PartitionFilter* filter = nullptr);

  const std::string& source() const { return source_; }
  const std::string& target() const { return target_; }

 private:
  std::string source_;
  std::string target_;
  std::string token_;
  std::shared_ptr<breach::v1::EventFeedService::Stub> stub_;
};

}  // namespace breachd::delivery
