// One example document per event type, as docs/siem.md shows them: each is built here from a
// realistic payload and must appear in the page verbatim (one line of JSON), so the page cannot
// drift from the code. BREACHD_PRINT_SIEM_EXAMPLES=1 prints them for the page.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "breach/v1/access.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/service/event_factory.h"
#include "libs/siem/cef.h"
#include "libs/siem/ecs_document.h"
#include "tests/testing/fixtures.h"

namespace breachd::siem {
namespace {

namespace v1 = breach::v1;
using ::testing::HasSubstr;

constexpr char kBreach[] = "01KB3M9X7Q2W8E4R6T1Y5U3I0P";
constexpr int64_t kAt = 1796029200;  // 2026-11-30T09:00:00Z

struct Example {
  const char* source;
  const char* role;
  const char* subject;
  const char* stream;
  std::function<void(google::protobuf::Message*&)> payload;
};

google::protobuf::Timestamp At(int64_t offset_s) {
  google::protobuf::Timestamp at;
  at.set_seconds(kAt + offset_s);
  return at;
}

v1::DutyDecision Decision(v1::DutyKind duty, bool required) {
  v1::DutyDecision decision;
  decision.set_duty(duty);
  decision.set_required(required);
  decision.set_computed_required(required);
  decision.set_regime("gdpr-it@2026-11");
  decision.set_legal_basis(duty == v1::DUTY_KIND_AUTHORITY_NOTIFICATION ? "GDPR art. 33(1)"
                                                                        : "GDPR art. 34(1)");
  return decision;
}

// The payload of every event type, with the values a real breach would have.
std::vector<std::pair<std::string, std::unique_ptr<google::protobuf::Message>>> Payloads() {
  std::vector<std::pair<std::string, std::unique_ptr<google::protobuf::Message>>> out;
  auto add = [&](const char* source, auto message) {
    out.emplace_back(source, std::make_unique<decltype(message)>(std::move(message)));
  };
  v1::BreachReported reported;
  reported.set_breach_id(kBreach);
  *reported.mutable_report() = testing::LostLaptopReport("MIIS01200V");
  *reported.mutable_report()->mutable_discovered_at() = At(-3 * 3600);
  *reported.mutable_report()->mutable_incident_at() = At(-20 * 3600);
  add("intake", reported);
  v1::BreachTriaged triaged;
  triaged.set_breach_id(kBreach);
  triaged.set_verdict(v1::TRIAGE_VERDICT_BREACH);
  triaged.set_reason("Portatile non cifrato");
  *triaged.mutable_awareness()->mutable_aware_at() = At(-7200);
  add("intake", triaged);
  v1::ReportAmended amended;
  amended.set_breach_id(kBreach);
  auto* change = amended.mutable_amendment()->add_changes();
  change->set_field("approx_data_subjects");
  change->set_old_value("48");
  change->set_new_value("52");
  *amended.mutable_amendment()->mutable_amended_at() = At(-3600);
  add("intake", amended);
  v1::ContainmentActionRecorded action;
  action.set_breach_id(kBreach);
  action.mutable_action()->set_action_id("01KB3MA2C4E6G8J0K2M4N6P8Q0");
  action.mutable_action()->set_what("Password del registro elettronico cambiate");
  action.mutable_action()->set_status(v1::ACTION_STATUS_DONE);
  *action.mutable_action()->mutable_done_at() = At(-3000);
  add("intake", action);
  v1::AssessmentSubmitted submitted;
  submitted.set_breach_id(kBreach);
  submitted.set_version(1);
  submitted.add_regimes("gdpr-it@2026-11");
  submitted.add_regimes("processor-contract@2026-01");
  add("assessment", submitted);
  v1::SeverityAssessed severity;
  severity.set_breach_id(kBreach);
  severity.set_version(1);
  severity.mutable_severity()->set_score(3.25);
  severity.mutable_severity()->set_band(v1::SEVERITY_BAND_HIGH);
  severity.mutable_severity()->set_method("ENISA 2013");
  add("assessment", severity);
  v1::BreachClassified classified;
  classified.set_breach_id(kBreach);
  classified.set_version(1);
  classified.set_classification(3);
  classified.set_regime("gdpr-it@2026-11");
  add("assessment", classified);
  v1::DutyDecided decided;
  decided.set_breach_id(kBreach);
  decided.set_version(1);
  *decided.mutable_decision() = Decision(v1::DUTY_KIND_AUTHORITY_NOTIFICATION, true);
  add("assessment", decided);
  v1::DutyOverridden overridden;
  overridden.set_breach_id(kBreach);
  overridden.set_version(1);
  *overridden.mutable_decision() = Decision(v1::DUTY_KIND_SUBJECT_COMMUNICATION, true);
  overridden.mutable_decision()->set_computed_required(false);
  overridden.mutable_decision()->mutable_human_override()->set_reason("Minori coinvolti");
  add("assessment", overridden);
  v1::DutiesDecided duties;
  duties.set_breach_id(kBreach);
  duties.set_version(1);
  *duties.add_decisions() = Decision(v1::DUTY_KIND_AUTHORITY_NOTIFICATION, true);
  *duties.add_decisions() = Decision(v1::DUTY_KIND_SUBJECT_COMMUNICATION, true);
  add("assessment", duties);
  v1::BreachClosed closed;
  closed.set_breach_id(kBreach);
  closed.set_reason("Notifiche inviate");
  add("intake", closed);
  v1::BreachReopened reopened;
  reopened.set_breach_id(kBreach);
  reopened.set_reason("Nuovi fatti");
  add("intake", reopened);
  v1::ClockArmed armed;
  armed.set_breach_id(kBreach);
  armed.set_assessment_version(1);
  armed.set_cause("duties decided");
  v1::Deadline* deadline = armed.mutable_deadline();
  deadline->set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  *deadline->mutable_starts_at() = At(-7200);
  *deadline->mutable_due_at() = At(-7200 + 72 * 3600);
  deadline->set_window("72h");
  deadline->set_status(v1::DEADLINE_STATUS_OPEN);
  add("notification", armed);
  v1::ClockDisarmed disarmed;
  disarmed.set_breach_id(kBreach);
  disarmed.set_duty(v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  disarmed.set_reason("not required any more");
  add("notification", disarmed);
  v1::DeadlineWarning warning;
  warning.set_breach_id(kBreach);
  warning.set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  warning.set_fraction(0.75);
  *warning.mutable_due_at() = At(-7200 + 72 * 3600);
  add("notification", warning);
  v1::DeadlineMissed missed;
  missed.set_breach_id(kBreach);
  missed.set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  *missed.mutable_due_at() = At(-7200 + 72 * 3600);
  add("notification", missed);
  v1::DraftPrepared prepared;
  v1::Draft* draft = prepared.mutable_draft();
  draft->set_breach_id(kBreach);
  draft->set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  draft->set_draft_version(1);
  draft->set_phase(v1::NOTIFICATION_PHASE_COMPLETE);
  draft->set_sha256("9f2c1e5b7a3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60");
  draft->set_assessment_version(1);
  draft->add_documents()->set_language("it");
  draft->add_documents()->set_language("en");
  add("notification", prepared);
  v1::DraftApproved approved;
  approved.set_breach_id(kBreach);
  approved.set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  approved.set_draft_version(1);
  approved.set_sha256(draft->sha256());
  add("notification", approved);
  v1::DispatchQueued queued;
  queued.set_breach_id(kBreach);
  queued.set_duty(v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  queued.set_draft_version(1);
  for (int i = 0; i < 2; ++i) {
    v1::Delivery* delivery = queued.add_deliveries();
    delivery->set_channel(v1::CHANNEL_EMAIL);
    delivery->mutable_recipient()->set_name("Giulia Rossi");
    delivery->mutable_recipient()->set_address("giulia.rossi@example.org");
  }
  add("notification", queued);
  v1::DeliveryAttempted attempted;
  attempted.set_breach_id(kBreach);
  attempted.set_delivery_id("subject_communication-v1-1");
  attempted.set_attempt(1);
  add("notification", attempted);
  v1::DeliverySent sent;
  sent.set_breach_id(kBreach);
  sent.set_delivery_id("subject_communication-v1-1");
  sent.set_attempt(1);
  sent.set_answer("250 2.0.0 Ok: queued");
  sent.set_duty(v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  add("notification", sent);
  v1::DeliveryFailed failed;
  failed.set_breach_id(kBreach);
  failed.set_delivery_id("subject_communication-v1-2");
  failed.set_attempt(1);
  failed.set_answer("450 4.2.1 Mailbox busy");
  *failed.mutable_next_attempt_at() = At(30);
  failed.set_duty(v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  add("notification", failed);
  v1::DeliveryOutcomeUnknown unknown;
  unknown.set_breach_id(kBreach);
  unknown.set_delivery_id("subject_communication-v1-2");
  unknown.set_attempt(2);
  add("notification", unknown);
  v1::DutySubmitted submitted_duty;
  submitted_duty.set_breach_id(kBreach);
  submitted_duty.set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  *submitted_duty.mutable_submitted_at() = At(0);
  add("notification", submitted_duty);
  v1::ReceiptRecorded receipt;
  receipt.mutable_receipt()->set_breach_id(kBreach);
  receipt.mutable_receipt()->set_duty(v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  receipt.mutable_receipt()->set_kind(v1::RECEIPT_KIND_AUTHORITY_PROTOCOL);
  receipt.mutable_receipt()->set_protocol_number("0012345/2026");
  *receipt.mutable_receipt()->mutable_received_at() = At(600);
  add("notification", receipt);
  v1::SchoolProfileSet profile;
  profile.mutable_profile()->set_tenant("MIIS01200V");
  profile.mutable_profile()->set_name("Istituto Amerigo Vespucci");
  profile.mutable_profile()->set_pec("vespucci@pec.example.it");
  add("notification", profile);
  v1::BreachViewed viewed;
  viewed.set_breach_id(kBreach);
  viewed.set_view("timeline");
  add("register", viewed);
  v1::BreachesListed listed;
  listed.add_breach_ids(kBreach);
  listed.set_year(2026);
  add("register", listed);
  v1::AccessDenied denied;
  denied.set_method("/breach.v1.RegisterService/GetBreach");
  denied.set_requested_tenant("MIIS01200V");
  denied.set_breach_id(kBreach);
  denied.set_reason("user:dpo-galilei of RMIC81500L may not access another school's data");
  add("register", denied);
  v1::ProviderAccessGranted granted;
  granted.set_breach_id(kBreach);
  granted.set_reason("Giulia asked the provider to check the registro");
  add("intake", granted);
  v1::ProviderAccessRevoked revoked;
  revoked.set_breach_id(kBreach);
  revoked.set_reason("check done");
  add("intake", revoked);
  v1::BreakGlassOpened opened;
  opened.set_breach_id(kBreach);
  opened.set_reason("Password del registro leaked: which pupils are affected");
  opened.set_duration_seconds(7200);
  *opened.mutable_expires_at() = At(7200);
  add("intake", opened);
  return out;
}

std::vector<std::string> ExampleLines() {
  std::vector<std::string> lines;
  int n = 0;
  for (const auto& [source, payload] : Payloads()) {
    const bool denied = payload->GetDescriptor()->name() == "AccessDenied";
    const bool audit = denied || payload->GetDescriptor()->name() == "BreachesListed";
    const bool school = payload->GetDescriptor()->name() == "SchoolProfileSet";
    const bool glass = payload->GetDescriptor()->name() == "BreakGlassOpened";
    const auth::Principal actor =
        denied ? auth::Principal{"user:dpo-galilei", "RMIC81500L", {"school-dpo"}}
        : school ? auth::Principal{"user:ops-admin", "provider", {"provider-operator"}}
        : glass  ? auth::Principal{"user:im-ferri", "provider", {"provider-incident-manager"}}
                 : auth::Principal{"user:dpo-vespucci", "MIIS01200V", {"school-dpo"}};
    v1::EventEnvelope event = service::MakeEvent({source, actor, "req-1", kBreach},
                                                 denied ? "RMIC81500L" : "MIIS01200V",
                                                 absl::FromUnixSeconds(kAt), *payload);
    ++n;
    event.set_event_id(absl::StrCat("01KB3N", std::string(18, '0'), n < 10 ? "0" : "", n));
    event.set_stream_id(denied ? "audit-RMIC81500L"
                        : audit ? "audit-MIIS01200V"
                        : school ? "school-MIIS01200V"
                                 : kBreach);
    event.set_stream_version(n);
    event.set_position(100 + n);
    *event.mutable_recorded_at() = At(0);
    event.set_hash(std::string(32, '\x5a'));
    auto json = ToEcsJson(event);
    EXPECT_TRUE(json.ok()) << json.status();
    lines.push_back(json.ok() ? *json : "");
  }
  return lines;
}

TEST(EcsExamplesTest, DocsShowTheDocumentOfEveryEventTypeVerbatim) {
  const std::vector<std::string> lines = ExampleLines();
  EXPECT_EQ(lines.size(), MappedEventTypes().size());
  std::ifstream page(std::string(BREACHD_SOURCE_DIR) + "/docs/siem.md");
  std::stringstream text;
  text << page.rdbuf();
  const bool print = std::getenv("BREACHD_PRINT_SIEM_EXAMPLES") != nullptr;
  for (const std::string& line : lines) {
    if (print) {
      const auto document = nlohmann::json::parse(line);
      std::cout << "### `" << document["event"]["action"].get<std::string>() << "`\n\n```json\n"
                << line << "\n```\n\nCEF: `" << ToCef(document) << "`\n\n";
    }
    EXPECT_THAT(text.str(), HasSubstr(line)) << "docs/siem.md lacks (BREACHD_PRINT_SIEM_EXAMPLES=1)";
  }
  // Personal data in the payloads above stays out.
  for (const std::string& line : lines) {
    for (const char* secret : {"Giulia", "giulia.rossi", "Vespucci\"", "vespucci@pec", "Minori",
                               "Password del registro", "Portatile", "Mailbox busy"}) {
      EXPECT_THAT(line, ::testing::Not(HasSubstr(secret)));
    }
  }
}

}  // namespace
}  // namespace breachd::siem
