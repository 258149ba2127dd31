#include "libs/bus/tests/bus_test_util.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/bus/kafka_client.h"
#include "libs/common/ids.h"

namespace breachd::bus::testing {

breach::v1::EventEnvelope TestEvent(const std::string& stream_id, uint64_t version) {
  breach::v1::EventEnvelope event;
  event.set_event_id(NewUlid(absl::Now()));
  event.set_type("breach.v1.BreachReported");
  event.set_source("intake");
  event.set_stream_id(stream_id);
  event.set_tenant("RGIS00800A");
  event.set_stream_version(version);
  event.mutable_recorded_at()->set_seconds(1767225600 + static_cast<int64_t>(version));
  event.mutable_recorded_at()->set_nanos(123000000);
  return event;
}

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void DedupingHandler::FailWith(
    std::function<absl::Status(const breach::v1::EventEnvelope&)> fault) {
  absl::MutexLock lock(&mu_);
  fault_ = std::move(fault);
}

EventHandler DedupingHandler::AsHandler() {
  return [this](const breach::v1::EventEnvelope& event) { return Handle(event); };
}

absl::Status DedupingHandler::Handle(const breach::v1::EventEnvelope& event) {
  absl::MutexLock lock(&mu_);
  if (fault_) {
    if (absl::Status status = fault_(event); !status.ok()) return status;
  }
  if (!applied_.insert(event.event_id()).second) {
    ++duplicates_;
    return absl::OkStatus();
  }
  versions_[event.stream_id()].push_back(event.stream_version());
  return absl::OkStatus();
}

size_t DedupingHandler::applied_count() const {
  absl::MutexLock lock(&mu_);
  return applied_.size();
}

size_t DedupingHandler::duplicates() const {
  absl::MutexLock lock(&mu_);
  return duplicates_;
}

bool DedupingHandler::Saw(const std::string& event_id) const {
  absl::MutexLock lock(&mu_);
  return applied_.contains(event_id);
}

std::vector<uint64_t> DedupingHandler::VersionsOf(const std::string& stream_id) const {
  absl::MutexLock lock(&mu_);
  auto it = versions_.find(stream_id);
  return it == versions_.end() ? std::vector<uint64_t>{} : it->second;
}

std::vector<RawMessage> ReadTopic(const BusConfig& config, const std::string& topic,
                                  absl::Duration timeout) {
  std::vector<RawMessage> out;
  auto conf = BuildKafkaConf(config, {{"enable.partition.eof", "true"},
                                      {"group.id", "unused-for-assign"}});
  if (!conf.ok()) return out;
  auto consumer = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  if (!consumer.ok()) return out;
  rd_kafka_t* rk = consumer->get();
  rd_kafka_poll_set_consumer(rk);

  const rd_kafka_metadata_t* metadata = nullptr;
  KafkaTopicHandle topic_handle(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  if (rd_kafka_metadata(rk, 0, topic_handle.get(), &metadata, 10000) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return out;
  }
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(1));
  if (metadata->topic_cnt == 1) {
    for (int p = 0; p < metadata->topics[0].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(),
                                        metadata->topics[0].partitions[p].id)
          ->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_assign(rk, assignment.get());

  int partitions_at_end = 0;
  const absl::Time deadline = absl::Now() + timeout;
  while (partitions_at_end < assignment->cnt && absl::Now() < deadline) {
    KafkaMessage message(rd_kafka_consumer_poll(rk, 100));
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++partitions_at_end;  // more cannot arrive: the producers were acknowledged
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    RawMessage raw;
    if (message->key != nullptr) {
      raw.key.assign(static_cast<const char*>(message->key), message->key_len);
    }
    if (message->payload != nullptr) {
      raw.value.assign(static_cast<const char*>(message->payload), message->len);
    }
    raw.partition = message->partition;
    raw.offset = message->offset;
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        raw.headers[name] = std::string(static_cast<const char*>(value), size);
      }
    }
    out.push_back(std::move(raw));
  }
  return out;
}

std::set<std::string> EventIds(const std::vector<RawMessage>& messages) {
  std::set<std::string> ids;
  for (const RawMessage& message : messages) {
    auto it = message.headers.find("ce_id");
    if (it != message.headers.end()) ids.insert(it->second);
  }
  return ids;
}

BusConfig FastGroupConfig(BusConfig config) {
  // The mock broker waits 3 s on a first join and session.timeout.ms - 1 s on a later
  // rebalance; the session must outlast the first wait.
  config.extra["session.timeout.ms"] = "4000";
  config.extra["heartbeat.interval.ms"] = "500";
  return config;
}

bool GroupCommittedEverything(const BusConfig& config, const std::string& group,
                              const std::string& topic) {
  auto conf = BuildKafkaConf(config, {{"group.id", group}});
  if (!conf.ok()) return false;
  auto consumer = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  if (!consumer.ok()) return false;
  rd_kafka_t* rk = consumer->get();
  const rd_kafka_metadata_t* metadata = nullptr;
  KafkaTopicHandle topic_handle(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  if (rd_kafka_metadata(rk, 0, topic_handle.get(), &metadata, 10000) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topic_cnt != 1) {
    return false;
  }
  KafkaPartitionList committed(rd_kafka_topic_partition_list_new(1));
  for (int p = 0; p < metadata->topics[0].partition_cnt; ++p) {
    rd_kafka_topic_partition_list_add(committed.get(), topic.c_str(),
                                      metadata->topics[0].partitions[p].id);
  }
  rd_kafka_metadata_destroy(metadata);
  if (rd_kafka_committed(rk, committed.get(), 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  for (int i = 0; i < committed->cnt; ++i) {
    const rd_kafka_topic_partition_t& partition = committed->elems[i];
    int64_t low = 0;
    int64_t high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition.partition, &low, &high,
                                         10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return false;
    }
    // Nothing committed reads as RD_KAFKA_OFFSET_INVALID (-1001); fine for an empty partition.
    const int64_t at = partition.offset < 0 ? low : partition.offset;
    if (at != high) return false;
  }
  return true;
}

absl::Status ProduceRaw(const BusConfig& config, const std::string& topic,
                        const std::string& key, const std::string& value) {
  auto conf = BuildKafkaConf(config, {});
  if (!conf.ok()) return conf.status();
  auto producer = NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!producer.ok()) return producer.status();
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      producer->get(), RD_KAFKA_V_TOPIC(topic.c_str()),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(err, "produce");
  if (rd_kafka_flush(producer->get(), 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_outq_len(producer->get()) > 0) {
    return absl::DeadlineExceededError("produce: not delivered in 10 s");
  }
  return absl::OkStatus();
}

}  // namespace breachd::bus::testing
