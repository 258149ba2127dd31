#include "libs/bus/consumer_loop.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace breachd::bus {

bool IsRetryable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::unique_ptr<ConsumerLoop>> ConsumerLoop::Start(const BusConfig& config,
                                                                  ConsumerLoopOptions options,
                                                                  EventHandler handler) {
  if (options.group_id.empty()) return absl::InvalidArgumentError("group_id: empty");
  if (options.topics.empty()) return absl::InvalidArgumentError("topics: empty");
  if (!handler) return absl::InvalidArgumentError("handler: empty");
  std::unique_ptr<ConsumerLoop> loop(new ConsumerLoop(std::move(options), std::move(handler)));
  const ConsumerLoopOptions& opts = loop->options_;

  auto conf = BuildKafkaConf(config, {
                                         {"client.id", opts.group_id},
                                         {"group.id", opts.group_id},
                                         {"enable.auto.commit", "false"},
                                         {"enable.auto.offset.store", "false"},
                                         // A gap is re-read from the earliest and
                                         // reported (OnLog), never jumped over quietly.
                                         {"auto.offset.reset", "earliest"},
                                         {"fetch.wait.max.ms", "100"},
                                         // The smallest a real broker allows by default: a
                                         // crashed instance's partitions move on within 6 s.
                                         {"session.timeout.ms", "6000"},
                                         {"heartbeat.interval.ms", "1000"},
                                         // What librdkafka fetches ahead of the handler: 16 MB
                                         // keeps a consumer busy (a batch is a few hundred KB)
                                         // without its 64 MB default in every consumer of the
                                         // process during a burst (docs/benchmarks.md).
                                         {"queued.max.messages.kbytes", "16384"},
                                     });
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), loop.get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &ConsumerLoop::OnRebalance);
  rd_kafka_conf_set_log_cb(conf->get(), &ConsumerLoop::OnLog);
  auto consumer = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  if (!consumer.ok()) return consumer.status();
  loop->consumer_ = std::move(consumer).value();
  rd_kafka_poll_set_consumer(loop->consumer_.get());

  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(opts.topics.size()));
  for (const std::string& topic : opts.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(loop->consumer_.get(), topics.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, "subscribe");
  }
  loop->thread_ = std::thread([l = loop.get()] { l->Run(); });
  return loop;
}

ConsumerLoop::ConsumerLoop(ConsumerLoopOptions options, EventHandler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      next_backoff_(options_.retry_backoff_min),
      last_commit_(options_.clock->Now()) {}

ConsumerLoop::~ConsumerLoop() { Stop(); }

void ConsumerLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool ConsumerLoop::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

ConsumerLoopCounters ConsumerLoop::counters() const {
  return {applied_.load(), malformed_.load(), handler_errors_.load(), rebalances_.load(),
          commits_.load(),  gaps_.load(),      poisoned_.load()};
}

void ConsumerLoop::Run() {
  while (!stopping()) {
    KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), 100));
    if (message != nullptr) {
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        HandleMessage(*message);
      } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // Transient (broker down, unknown topic yet): librdkafka keeps retrying.
        log::Warn("consumer: kafka error", {{"group", options_.group_id},
                                            {"error", rd_kafka_message_errstr(message.get())}});
      }
    }
    if (uncommitted_ && options_.clock->Now() - last_commit_ >= options_.commit_interval) {
      CommitStored();
    }
  }
  CommitStored();
  // Leaves the group (the revoke callback commits again if needed).
  rd_kafka_consumer_close(consumer_.get());
  consumer_.reset();
}

void ConsumerLoop::HandleMessage(const rd_kafka_message_t& message) {
  breach::v1::EventEnvelope event;
  if (!event.ParseFromArray(message.payload, static_cast<int>(message.len)) ||
      event.event_id().empty()) {
    ++malformed_;
    log::Error("consumer: skipping a message that is not an EventEnvelope",
               {{"topic", rd_kafka_topic_name(message.rkt)},
                {"partition", absl::StrCat(message.partition)},
                {"offset", absl::StrCat(message.offset)}});
    StoreOffset(message);
    return;
  }
  const absl::Status status = handler_(event);
  if (status.ok()) {
    ++applied_;
    next_backoff_ = options_.retry_backoff_min;
    StoreOffset(message);
    return;
  }
  ++handler_errors_;
  if (!IsRetryable(status) && options_.on_poison) {
    if (absl::Status parked = options_.on_poison(event, status); parked.ok()) {
      ++poisoned_;
      log::Error("consumer: event failed for good; parked it and went on",
                 {{"group", options_.group_id},
                  {"event_id", event.event_id()},
                  {"error", status.ToString()}});
      next_backoff_ = options_.retry_backoff_min;
      StoreOffset(message);
      return;
    }
  }
  log::Warn("consumer: handler failed; will retry the event",
            {{"group", options_.group_id},
             {"event_id", event.event_id()},
             {"error", status.ToString()},
             {"retry_in", absl::FormatDuration(next_backoff_)}});
  SeekBack(message);
  const absl::Duration delay = next_backoff_;
  next_backoff_ = std::min(next_backoff_ * 2, options_.retry_backoff_max);
  if (options_.wait_for_retry) {
    options_.wait_for_retry(delay);
  } else {
    DefaultWaitForRetry(delay);
  }
}

void ConsumerLoop::OnLog(const rd_kafka_t* rk, int level, const char* facility,
                         const char* message) {
  RouteKafkaLog(rk, level, facility, message);
  if (std::string_view(facility) != "OFFSET") return;
  std::optional<OffsetReset> reset = ParseOffsetReset(message);
  if (reset.has_value() && reset->lost) {
    static_cast<ConsumerLoop*>(rd_kafka_opaque(rk))->HandleGap(*reset);
  }
}

void ConsumerLoop::HandleGap(const OffsetReset& gap) {
  ++gaps_;
  log::Error("consumer: partition position is gone from the broker; re-reading the partition "
             "from its earliest offset and catching up from the source stores",
             {{"group", options_.group_id},
              {"topic", gap.topic},
              {"partition", absl::StrCat(gap.partition)},
              {"lost_offset", absl::StrCat(gap.lost_offset)}});
  if (options_.on_gap) options_.on_gap(gap);
}

void ConsumerLoop::StoreOffset(const rd_kafka_message_t& message) {
  // Stores offset + 1: the next message to read.
  const rd_kafka_resp_err_t err =
      rd_kafka_offset_store(message.rkt, message.partition, message.offset);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // The partition was revoked meanwhile; its new owner re-reads from the last commit.
    log::Warn("consumer: cannot store offset", {{"error", rd_kafka_err2str(err)}});
    return;
  }
  uncommitted_ = true;
}

void ConsumerLoop::SeekBack(const rd_kafka_message_t& message) {
  KafkaPartitionList position(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(position.get(), rd_kafka_topic_name(message.rkt),
                                    message.partition)
      ->offset = message.offset;
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), position.get(), 5000);
      error != nullptr) {
    // Most likely revoked; the new owner starts from the last commit, which is before it.
    log::Warn("consumer: cannot seek back", {{"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
  }
}

void ConsumerLoop::CommitStored() {
  last_commit_ = options_.clock->Now();
  if (!uncommitted_) return;
  if (options_.before_commit) {
    if (absl::Status durable = options_.before_commit(); !durable.ok()) {
      log::Warn("consumer: effects not yet durable; offsets not committed",
                {{"group", options_.group_id}, {"error", std::string(durable.message())}});
      return;
    }
  }
  // NULL: the stored offsets of the current assignment. Synchronous, so a Stop() right after
  // is sure to have committed.
  const rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), nullptr, /*async=*/0);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    ++commits_;
    uncommitted_ = false;
    return;
  }
  log::Warn("consumer: offset commit failed; will retry",
            {{"group", options_.group_id}, {"error", rd_kafka_err2str(err)}});
}

void ConsumerLoop::DefaultWaitForRetry(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stop), delay);
}

void ConsumerLoop::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<ConsumerLoop*>(opaque)->Rebalance(err, partitions);
}

void ConsumerLoop::Rebalance(rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* partitions) {
  rd_kafka_t* rk = consumer_.get();
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    ++rebalances_;
    log::Info("consumer: partitions assigned",
              {{"group", options_.group_id}, {"count", absl::StrCat(partitions->cnt)}});
    if (cooperative) {
      if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk, partitions)) {
        log::Error("consumer: assign failed", {{"error", rd_kafka_error_string(error)}});
        rd_kafka_error_destroy(error);
      }
    } else {
      rd_kafka_assign(rk, partitions);
    }
    if (options_.on_assigned) {
      // The whole assignment: a cooperative rebalance hands out only the increment.
      rd_kafka_topic_partition_list_t* now = nullptr;
      std::vector<int32_t> assigned;
      if (rd_kafka_assignment(rk, &now) == RD_KAFKA_RESP_ERR_NO_ERROR && now != nullptr) {
        assigned = OwnPartitions(*now);
        rd_kafka_topic_partition_list_destroy(now);
      }
      const int32_t count = PartitionCount();
      if (count > 0) {
        options_.on_assigned(assigned, count);
      } else {
        log::Error("consumer: no partition count for the assigned topic; ownership unchanged",
                   {{"group", options_.group_id}, {"topic", options_.topics.front()}});
      }
    }
    return;
  }
  if (options_.on_revoked) options_.on_revoked(OwnPartitions(*partitions));
  // Revoked (or an error): commit what was applied before the partitions move on.
  if (!rd_kafka_assignment_lost(rk)) CommitStored();
  if (cooperative) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, partitions)) {
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

std::vector<int32_t> ConsumerLoop::OwnPartitions(
    const rd_kafka_topic_partition_list_t& list) const {
  std::vector<int32_t> out;
  for (int i = 0; i < list.cnt; ++i) {
    if (options_.topics.front() == list.elems[i].topic) out.push_back(list.elems[i].partition);
  }
  return out;
}

int32_t ConsumerLoop::PartitionCount() {
  KafkaTopicHandle topic(rd_kafka_topic_new(consumer_.get(), options_.topics.front().c_str(),
                                            nullptr));
  const rd_kafka_metadata_t* metadata = nullptr;
  if (topic == nullptr ||
      rd_kafka_metadata(consumer_.get(), 0, topic.get(), &metadata, 5000) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
    return 0;
  }
  int32_t count = 0;
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    count = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

}  // namespace breachd::bus
