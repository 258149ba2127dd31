#include "libs/siem/kafka_sink.h"

#include <utility>
#include <vector>

#include "libs/common/log.h"

namespace breachd::siem {
namespace {

// A produced record's fate, filled in by its delivery report.
struct Report {
  bool reported = false;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaSink>> KafkaSink::Create(const bus::BusConfig& config,
                                                             std::string topic) {
  if (topic.empty()) return absl::InvalidArgumentError("topic: empty");
  std::unique_ptr<KafkaSink> sink(new KafkaSink(config, std::move(topic)));
  absl::StatusOr<bus::KafkaHandle> producer = sink->NewProducer();
  if (!producer.ok()) return producer.status();
  sink->producer_ = *std::move(producer);
  return sink;
}

KafkaSink::~KafkaSink() {
  if (producer_ != nullptr) DropProducer();
}

absl::StatusOr<bus::KafkaHandle> KafkaSink::NewProducer() {
  auto conf = bus::BuildKafkaConf(config_, {
                                               {"client.id", "breachd-siem-relay"},
                                               {"enable.idempotence", "true"},
                                               {"acks", "all"},
                                               {"linger.ms", "5"},
                                               {"partitioner", "murmur2_random"},
                                           });
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaSink::OnDelivery);
  return bus::NewKafkaClient(RD_KAFKA_PRODUCER, *std::move(conf));
}

void KafkaSink::OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
  auto* report = static_cast<Report*>(message->_private);
  report->reported = true;
  report->error = message->err;
  --static_cast<KafkaSink*>(opaque)->in_flight_;
}

void KafkaSink::DropProducer() {
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  for (int i = 0; in_flight_ > 0 && i < 100; ++i) rd_kafka_poll(producer_.get(), 10);
  producer_.reset();
  in_flight_ = 0;
}

size_t KafkaSink::Deliver(const std::vector<SiemRecord>& records,
                          const std::atomic<bool>& stopping) {
  if (producer_ == nullptr) {
    absl::StatusOr<bus::KafkaHandle> producer = NewProducer();
    if (!producer.ok()) {
      log::Error("siem kafka sink: cannot create a producer",
                 {{"error", producer.status().ToString()}});
      return 0;
    }
    producer_ = *std::move(producer);
  }
  std::vector<Report> reports(records.size());
  for (size_t i = 0; i < records.size() && !stopping; ++i) {
    const std::string& value = records[i].json;
    rd_kafka_resp_err_t err;
    while (true) {
      err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
          RD_KAFKA_V_KEY(records[i].key.data(), records[i].key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          // Not copied: `records` outlives every message of the batch, since Deliver returns
          // only once each is reported, or purged with the producer.
          RD_KAFKA_V_MSGFLAGS(0), RD_KAFKA_V_OPAQUE(&reports[i]),
          RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || stopping) break;
      rd_kafka_poll(producer_.get(), 10);  // make room by serving delivery reports
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::Error("siem kafka sink: produce failed", {{"error", rd_kafka_err2str(err)}});
      break;  // the rest waits for the next round, in order
    }
    ++in_flight_;
  }
  char reason[512];
  bool fatal = false;
  while (in_flight_ > 0) {
    if (rd_kafka_fatal_error(producer_.get(), reason, sizeof(reason)) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::Error("siem kafka sink: fatal producer error; recreating the producer",
                 {{"reason", reason}});
      fatal = true;
      break;
    }
    if (stopping) {
      rd_kafka_flush(producer_.get(), 5000);
      break;
    }
    rd_kafka_poll(producer_.get(), 20);
  }
  if (fatal || in_flight_ > 0) DropProducer();
  size_t delivered = 0;
  while (delivered < reports.size() && reports[delivered].reported &&
         reports[delivered].error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++delivered;
  }
  if (delivered < reports.size() && reports[delivered].reported) {
    log::Warn("siem kafka sink: a delivery failed; it and what follows are offered again",
              {{"error", rd_kafka_err2str(reports[delivered].error)}});
  }
  return delivered;
}

}  // namespace breachd::siem
