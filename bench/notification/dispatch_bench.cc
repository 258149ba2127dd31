// Letters to data subjects through the notification service's dispatcher, to a local SMTP
// server (aiosmtpd, STARTTLS + AUTH): each delivery is read, its attempt appended durably, the
// personal letter composed and sent, and its outcome appended. The peer, in the same run, is the
// bare SMTP client (libs/dispatch SmtpSender) sending the same number of messages: the ratio is
// the price of never sending twice.
//
//   build/bench/dispatch_bench [letters]
//
// The store lives under $TEST_TMPDIR (a real disk: the attempts are fsynced).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/dispatch/smtp_sender.h"
#include "libs/eventstore/event_store.h"
#include "services/notification/channel_sender.h"
#include "services/notification/dispatcher.h"
#include "services/notification/notification_decisions.h"
#include "services/notification/notification_schema.h"
#include "tests/testing/local_servers.h"

namespace breachd::notification {
namespace {

void Die(const absl::Status& status) {
  std::fprintf(stderr, "dispatch_bench: %s\n", status.ToString().c_str());
  std::exit(1);
}

breach::v1::Draft SubjectsDraft() {
  breach::v1::Draft draft;
  draft.set_breach_id("01JBENCH000000000000000001");
  draft.set_tenant("MIIS01200V");
  draft.set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  draft.set_draft_version(1);
  for (const char* language : {"it", "en"}) {
    auto* document = draft.add_documents();
    document->set_duty(draft.duty());
    document->set_language(language);
    document->set_document(absl::StrCat(
        "Gentile interessata, gentile interessato,\n\n", std::string(1500, 'x'), "\n"));
  }
  draft.set_sha256("bench");
  draft.mutable_approved_by()->set_subject("user:head");
  return draft;
}

}  // namespace
}  // namespace breachd::notification

int main(int argc, char** argv) {
  using namespace breachd::notification;  // NOLINT
  using breachd::testing::LocalSmtpServer;
  const int letters = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  breachd::testing::LocalSmtpServerOptions options;
  options.user = "bench";
  options.password = "bench-pw";
  auto server = LocalSmtpServer::Start(options);
  if (!server.ok()) Die(server.status());
  breachd::dispatch::SmtpSettings smtp;
  smtp.url = (*server)->url();
  smtp.username = options.user;
  smtp.password = options.password;
  smtp.ca_file = (*server)->ca_file();
  smtp.from_address = "privacy@provider.example.org";

  // The service: deliveries queued in a real store, sent by the dispatcher.
  breachd::testing::ScratchDir dir("dispatch-bench");
  auto store = breachd::eventstore::EventStore::Open(dir.path());
  if (!store.ok()) Die(store.status());
  const breach::v1::Draft draft = SubjectsDraft();
  std::vector<breach::v1::Recipient> recipients;
  for (int i = 0; i < letters; ++i) {
    breach::v1::Recipient& recipient = recipients.emplace_back();
    recipient.set_name(absl::StrCat("Genitore ", i));
    recipient.set_address(absl::StrCat("genitore", i, "@example.org"));
    recipient.set_language(i % 4 ? "it" : "en");
  }
  const absl::Time now = absl::Now();
  DeliveryPlan plan = PlanDeliveries(draft, breach::v1::CHANNEL_EMAIL, recipients, {}, false, now);
  std::vector<breachd::eventstore::ProjectionWrite> rows = {
      {DraftKey(draft.breach_id(), draft.duty(), 1), draft.SerializeAsString()}};
  for (const auto& delivery : plan.queued) {
    rows.push_back({DeliveryKey(delivery.breach_id(), delivery.delivery_id()),
                    delivery.SerializeAsString()});
    rows.push_back({DispatchKey(now, delivery.breach_id(), delivery.delivery_id()), ""});
  }
  if (auto written = (*store)->WriteProjection(rows, true); !written.ok()) Die(written);
  ChannelSettings channels;
  channels.smtp = smtp;
  channels.messages_per_second = 1000;  // no rate limit in the way
  breachd::StripedMutex<> locks;
  Dispatcher dispatcher(**store, locks, breachd::SystemClock::Get(),
                        std::make_unique<ChannelSender>(channels), [] {});
  absl::Time started = absl::Now();
  int sent = 0;
  while (sent < letters) {
    auto attempted = dispatcher.RunDue(absl::Now());
    if (!attempted.ok()) Die(attempted.status());
    if (*attempted == 0) Die(absl::InternalError("deliveries left but none due"));
    sent += static_cast<int>(*attempted);
  }
  const double service_seconds = absl::ToDoubleSeconds(absl::Now() - started);

  // The peer: the bare client, the same number of messages.
  breachd::dispatch::SmtpSender sender(smtp);
  started = absl::Now();
  for (int i = 0; i < letters; ++i) {
    breachd::dispatch::MailMessage message;
    message.to_address = recipients[i].address();
    message.to_name = recipients[i].name();
    message.subject = "Comunicazione di una violazione dei dati personali";
    message.text_body = draft.documents(0).document();
    message.message_id = absl::StrCat("<bench-", i, "@breachd>");
    if (auto answer = sender.Send(message); !answer.ok()) Die(answer.status());
  }
  const double bare_seconds = absl::ToDoubleSeconds(absl::Now() - started);
  const size_t received = (*server)->Messages().size();
  std::printf("%d letters to a local SMTP server (STARTTLS + AUTH), one connection each:\n", letters);
  std::printf("  notification dispatcher: %6.1f letters/s  (%.1f ms each, attempt and outcome fsynced)\n",
              letters / service_seconds, service_seconds * 1000 / letters);
  std::printf("  bare SmtpSender:         %6.1f letters/s  (%.1f ms each)\n", letters / bare_seconds,
              bare_seconds * 1000 / letters);
  std::printf("  ratio dispatcher / bare: %6.2fx of the bare rate; the server got %zu messages\n",
              bare_seconds / service_seconds, received);
  return received == static_cast<size_t>(2 * letters) ? 0 : 1;
}
