#include "libs/delivery/source_reader.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "libs/common/status_macros.h"
#include "libs/grpcutil/status.h"

namespace breachd::delivery {
namespace {

// One call reads at most this many events, so that a long catch-up is many bounded calls.
constexpr uint64_t kEventsPerCall = 50'000;
constexpr absl::Duration kCallDeadline = absl::Minutes(2);

}  // namespace

SourceReader::SourceReader(std::string source, std::string target, std::string token,
                           std::shared_ptr<grpc::ChannelCredentials> credentials)
    : source_(std::move(source)), target_(std::move(target)), token_(std::move(token)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  // Reconnect quickly once a restarted source is back.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  stub_ = breach::v1::EventFeedService::NewStub(
      grpc::CreateCustomChannel(target_, std::move(credentials), args));
}

absl::StatusOr<uint64_t> SourceReader::ReadAfter(uint64_t after_position,
                                                 const BatchHandler& on_batch,
                                                 const breach::v1::PartitionFilter* filter) {
  uint64_t position = after_position;
  while (true) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
    breach::v1::ReadEventsRequest request;
    request.set_source(source_);
    request.set_from_position(position + 1);
    request.set_max_events(kEventsPerCall);
    if (filter != nullptr) *request.mutable_partition_filter() = *filter;
    auto reader = stub_->ReadEvents(&context, request);

    breach::v1::ReadEventsResponse response;
    uint64_t head = 0;
    bool ended = false;
    absl::Status handler_status;
    std::vector<const breach::v1::EventEnvelope*> events;
    while (reader->Read(&response)) {
      head = response.head_position();
      events.clear();
      for (const auto& event : response.events()) events.push_back(&event);
      if (handler_status = on_batch(events, response.read_through()); !handler_status.ok()) {
        context.TryCancel();
        break;
      }
      position = std::max(position, response.read_through());
      ended = response.end();
    }
    const grpc::Status finished = reader->Finish();
    RETURN_IF_ERROR(handler_status);
    if (!finished.ok()) {
      absl::Status status = grpcutil::FromGrpcStatus(finished);
      return absl::Status(status.code(), absl::StrCat("reading ", source_, " at ", target_,
                                                      ": ", status.message()));
    }
    if (!ended) {
      return absl::UnavailableError(
          absl::StrCat("reading ", source_, " at ", target_, ": the stream ended early"));
    }
    if (position >= head) return position;
  }
}

}  // namespace breachd::delivery
