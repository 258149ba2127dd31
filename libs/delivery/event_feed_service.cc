#include "libs/delivery/event_feed_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/delivery/partition_filter.h"

namespace breachd::delivery {
namespace {
constexpr char kReadMethod[] = "/breach.v1.EventFeedService/ReadEvents";
// How many events are read between two checks that the reader is still there.
constexpr uint64_t kCancelCheckEvery = 128;
}  // namespace

EventFeedService::EventFeedService(const std::map<std::string, service::HostedStore>& stores,
                                   const auth::IdentityStore& identities, const Clock& clock) {
  for (const auto& [name, hosted] : stores) {
    stores_[name] = Guarded{hosted.store, std::make_unique<service::RpcGuard>(
                                              name, identities, *hosted.store, clock,
                                              hosted.on_append)};
  }
}

grpc::Status EventFeedService::ReadEvents(
    grpc::ServerContext* context, const breach::v1::ReadEventsRequest* request,
    grpc::ServerWriter<breach::v1::ReadEventsResponse>* writer) {
  // Every guard authenticates alike; the one of the store asked for records a refusal.
  const service::RpcGuard& any = *stores_.begin()->second.guard;
  return any.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    return Stream(*context, principal, *request, *writer);
  });
}

absl::Status EventFeedService::Stream(grpc::ServerContext& context,
                                      const auth::Principal& principal,
                                      const breach::v1::ReadEventsRequest& request,
                                      grpc::ServerWriter<breach::v1::ReadEventsResponse>& writer) {
  auto store_it = stores_.find(request.source());
  if (store_it == stores_.end()) {
    std::vector<std::string> hosted;
    for (const auto& [name, store] : stores_) hosted.push_back(name);
    return absl::InvalidArgumentError(absl::StrCat("source: this process hosts no store '",
                                                   request.source(), "' (it hosts ",
                                                   absl::StrJoin(hosted, ", "), ")"));
  }
  if (request.batch_size() < 0 || request.batch_size() > kMaxFeedBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch_size must be between 0 and ", kMaxFeedBatch));
  }
  std::optional<PartitionFilter> filter;
  if (request.has_partition_filter()) {
    ASSIGN_OR_RETURN(filter, PartitionFilter::FromProto(request.partition_filter()));
  }
  RETURN_IF_ERROR(store_it->second.guard->Authorize(principal, auth::Action::kReadEventFeed, "",
                                                    kReadMethod));
  eventstore::EventStore& store = *store_it->second.store;
  const int batch_size = request.batch_size() == 0 ? kDefaultFeedBatch : request.batch_size();
  // Everything at or below the head is final: a reader that checkpoints here misses nothing.
  const uint64_t head = store.LastPosition();
  const uint64_t from = std::max<uint64_t>(request.from_position(), 1);

  breach::v1::ReadEventsResponse batch;
  batch.set_head_position(head);
  size_t batch_bytes = 0;
  uint64_t sent = 0;
  bool cut_short = false;  // stopped at max_events before the head
  absl::Status write_status;
  auto flush = [&](uint64_t read_through, bool end) {
    batch.set_read_through(read_through);
    batch.set_end(end);
    if (!writer.Write(batch)) {
      write_status = absl::CancelledError("the reader went away");
      return false;
    }
    batch.clear_events();
    batch_bytes = 0;
    return true;
  };
  const eventstore::EventStore::Visitor visit = [&](const eventstore::EventEnvelope& event)
      -> absl::StatusOr<bool> {
    if (event.position() > head) return false;
    if (request.max_events() != 0 && sent == request.max_events()) {
      cut_short = true;
      return false;
    }
    // Asking gRPC costs a poll of the call: once in a while is enough, since a write to a
    // reader that went away fails anyway.
    if (sent % kCancelCheckEvery == 0 && context.IsCancelled()) {
      return absl::CancelledError("the reader went away");
    }
    batch_bytes += event.ByteSizeLong();
    *batch.add_events() = event;
    ++sent;
    if (batch.events_size() >= batch_size || batch_bytes >= kFeedMessageBytes) {
      return flush(event.position(), /*end=*/false);
    }
    return true;
  };
  // With a filter the store reads only the accepted streams (its stream index): a consumer that
  // gained a few partitions does not pay for the whole history.
  RETURN_IF_ERROR(filter.has_value()
                      ? store.ReadStreams(
                            from, [&](std::string_view stream) { return filter->Accepts(stream); },
                            visit)
                      : store.ReadAll(from, visit));
  RETURN_IF_ERROR(write_status);
  const uint64_t last_sent =
      batch.events_size() > 0 ? batch.events(batch.events_size() - 1).position() : 0;
  // Cut short: only what was sent is covered; otherwise the whole range up to the head is.
  const uint64_t read_through = cut_short ? std::max(last_sent, batch.read_through()) : head;
  flush(read_through, /*end=*/true);
  return write_status;
}

}  // namespace breachd::delivery
