// Throughput of the SIEM feed: events/s from an event store to breach.siem.v1 on the embedded
// bus (SiemRelay reading the store from position 0, building each ECS document, KafkaSink
// producing it idempotently with acks=all and checkpointing each batch), and, in the same run,
// a raw librdkafka producer with the same settings sending the same documents already built:
// the peer, which bounds what any relay could do on this broker and machine.
//
//   build/bench/siem_feed_bench [--events=200000] [--rounds=3] [--batch_size=2000]
//                               [--build_threads=0]
//
// The store lives under $TEST_TMPDIR (default: the system temp dir). Exits 1 if a round did not
// deliver every event.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/bus/embedded_broker.h"
#include "libs/bus/kafka_client.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/service/event_factory.h"
#include "libs/siem/ecs_document.h"
#include "libs/siem/kafka_sink.h"
#include "libs/siem/siem_relay.h"
#include "tests/testing/fixtures.h"

ABSL_FLAG(int, events, 200000, "Events in the store");
ABSL_FLAG(int, rounds, 3, "Rounds of each (alternating); the median is reported");
ABSL_FLAG(int, batch_size, 2000, "SiemRelayOptions::batch_size");
ABSL_FLAG(int, build_threads, 0, "SiemRelayOptions::build_threads (0: the cores, at most 4)");

namespace breachd::siem {
namespace {

const auth::Principal kDpo{"user:dpo-vespucci", "MIIS01200V", {"school-dpo"}};

[[noreturn]] void Die(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "siem_feed_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// A realistic mix: per breach a report, a read, a clock armed, a delivery sent, a refusal.
void Fill(eventstore::EventStore& store, int events) {
  int appended = 0;
  for (int breach = 0; appended < events; ++breach) {
    const std::string id = absl::StrCat("01JQ0BENCH", 1000000 + breach, "0000000000");
    breach::v1::BreachReported reported;
    reported.set_breach_id(id);
    *reported.mutable_report() = testing::LostLaptopReport("MIIS01200V");
    breach::v1::BreachViewed viewed;
    viewed.set_breach_id(id);
    viewed.set_view("timeline");
    breach::v1::ClockArmed armed;
    armed.set_breach_id(id);
    armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
    armed.mutable_deadline()->mutable_due_at()->set_seconds(1767225600);
    breach::v1::DeliverySent sent;
    sent.set_breach_id(id);
    sent.set_delivery_id("authority_notification-v1-1");
    breach::v1::AccessDenied denied;
    denied.set_breach_id(id);
    denied.set_method("/breach.v1.RegisterService/GetBreach");
    denied.set_reason("user:dpo-galilei of RMIC81500L may not access another school's data");
    eventstore::AppendRequest request;
    request.stream_id = id;
    request.publish = false;
    // 100 events per append: the bench measures the feed, not the appends.
    for (int i = 0; i < 100 && appended < events; ++i, ++appended) {
      const google::protobuf::Message* payloads[] = {&reported, &viewed, &armed, &sent, &denied};
      request.events.push_back(service::MakeEvent({"register", kDpo, "bench", id}, "MIIS01200V",
                                                  absl::Now(), *payloads[i % 5]));
    }
    if (auto done = store.Append(std::move(request)); !done.ok()) Die("append", done.status());
  }
}

double SiemRound(eventstore::EventStore& store, const bus::BusConfig& config,
                 const std::string& checkpoint, int events) {
  auto sink = KafkaSink::Create(config);
  if (!sink.ok()) Die("sink", sink.status());
  SiemRelayOptions options;
  options.batch_size = static_cast<size_t>(absl::GetFlag(FLAGS_batch_size));
  options.build_threads = static_cast<size_t>(absl::GetFlag(FLAGS_build_threads));
  const absl::Time start = absl::Now();
  auto relay = SiemRelay::Start(store, *std::move(sink), SiemCheckpoint(checkpoint), options);
  if (!relay.ok()) Die("relay", relay.status());
  while ((*relay)->counters().published < static_cast<uint64_t>(events)) {
    if (absl::Now() - start > absl::Minutes(5)) Die("siem round", absl::DeadlineExceededError("timeout"));
    absl::SleepFor(absl::Milliseconds(1));
  }
  const absl::Duration took = absl::Now() - start;
  (*relay)->Stop();
  return events / absl::ToDoubleSeconds(took);
}

std::atomic<int> delivered{0};
std::atomic<int> failed{0};
void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  (message->err == RD_KAFKA_RESP_ERR_NO_ERROR ? delivered : failed)++;
}

// The peer: the same documents, already built, from a raw producer with KafkaSink's settings.
double RawRound(const bus::BusConfig& config, const std::vector<std::pair<std::string, std::string>>& messages) {
  auto conf = bus::BuildKafkaConf(config, {{"enable.idempotence", "true"},
                                           {"acks", "all"},
                                           {"linger.ms", "5"},
                                           {"partitioner", "murmur2_random"}});
  if (!conf.ok()) Die("raw conf", conf.status());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &OnDelivery);
  auto producer = bus::NewKafkaClient(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!producer.ok()) Die("raw producer", producer.status());
  delivered = 0;
  failed = 0;
  const absl::Time start = absl::Now();
  for (const auto& [key, value] : messages) {
    while (rd_kafka_producev(producer->get(), RD_KAFKA_V_TOPIC(bus::kSiemTopic),
                             RD_KAFKA_V_KEY(key.data(), key.size()),
                             RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer->get(), 10);
    }
    rd_kafka_poll(producer->get(), 0);
  }
  rd_kafka_flush(producer->get(), 300000);
  const absl::Duration took = absl::Now() - start;
  if (delivered != static_cast<int>(messages.size())) {
    Die("raw round", absl::DataLossError(absl::StrCat(delivered.load(), " delivered, ",
                                                      failed.load(), " failed")));
  }
  return messages.size() / absl::ToDoubleSeconds(took);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int Run() {
  const int events = absl::GetFlag(FLAGS_events);
  testing::ScratchDir dir("siem-feed-bench");
  auto store = eventstore::EventStore::Open(dir.path() + "/store");
  if (!store.ok()) Die("open", store.status());
  Fill(**store, events);
  auto broker = bus::EmbeddedBroker::Start();
  if (!broker.ok()) Die("broker", broker.status());
  const bus::BusConfig config = (*broker)->Config();

  // Where one thread's time goes: reading and parsing the envelopes, then building documents.
  std::vector<breach::v1::EventEnvelope> envelopes;
  envelopes.reserve(static_cast<size_t>(events));
  const absl::Time read_start = absl::Now();
  if (absl::Status read = (*store)->ReadAll(1, [&](const breach::v1::EventEnvelope& event)
                                               -> absl::StatusOr<bool> {
        envelopes.push_back(event);
        return true;
      });
      !read.ok()) {
    Die("read", read);
  }
  const double read_rate = events / absl::ToDoubleSeconds(absl::Now() - read_start);
  const absl::Time only_build_start = absl::Now();
  for (const auto& event : envelopes) {
    if (auto line = ToEcsLine(event); !line.ok()) Die("build", line.status());
  }
  std::printf("one thread: store read %.0f events/s, ECS build alone %.0f events/s\n", read_rate,
              events / absl::ToDoubleSeconds(absl::Now() - only_build_start));
  envelopes.clear();

  std::vector<std::pair<std::string, std::string>> messages;
  const absl::Time build_start = absl::Now();
  absl::Status read = (*store)->ReadAll(1, [&](const breach::v1::EventEnvelope& event)
                                              -> absl::StatusOr<bool> {
    auto line = ToEcsLine(event);
    if (!line.ok()) return line.status();
    messages.emplace_back(std::move(line->key), std::move(line->json));
    return true;
  });
  if (!read.ok()) Die("read", read);
  size_t bytes = 0;
  for (const auto& message : messages) bytes += message.second.size();
  std::printf("%d events in the store; ECS documents average %zu bytes, read and built on one "
              "thread at %.0f events/s\n",
              events, bytes / messages.size(),
              events / absl::ToDoubleSeconds(absl::Now() - build_start));

  std::vector<double> siem;
  std::vector<double> raw;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    raw.push_back(RawRound(config, messages));
    siem.push_back(SiemRound(**store, config, absl::StrCat(dir.path(), "/checkpoint-", round),
                             events));
    std::printf("round %d: store -> breach.siem.v1 %.0f events/s, raw producer %.0f events/s\n",
                round + 1, siem.back(), raw.back());
  }
  const double siem_median = Median(siem);
  const double raw_median = Median(raw);
  std::printf("\nmedian: SIEM feed %.0f events/s, raw producer %.0f events/s, ratio %.2f "
              "(target >= 100,000 events/s)\n",
              siem_median, raw_median, siem_median / raw_median);
  return 0;
}

}  // namespace
}  // namespace breachd::siem

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return breachd::siem::Run();
}
