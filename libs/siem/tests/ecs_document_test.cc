#include "libs/siem/ecs_document.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/service/event_factory.h"
#include "tests/testing/fixtures.h"

namespace breachd::siem {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

const auth::Principal kDpo{"user:dpo-vespucci", "MIIS01200V", {"school-dpo"}};

breach::v1::EventEnvelope Recorded(breach::v1::EventEnvelope event) {
  event.set_stream_id(event.stream_id().empty() ? "01JQ0LAPTOP000000000000000" : event.stream_id());
  event.set_stream_version(1);
  event.set_position(7);
  event.mutable_recorded_at()->set_seconds(1764493200);  // 2025-11-30T09:00:00Z
  event.set_hash(std::string(32, '\xab'));
  return event;
}

// A report full of recognisable personal data, and every string that must never leave.
struct PersonalReport {
  breach::v1::BreachReported reported;
  std::vector<std::string> secrets;
};
PersonalReport ReportFullOfPersonalData() {
  PersonalReport personal;
  breach::v1::BreachReport form = testing::LostLaptopReport(testing::kVespucci);
  form.mutable_reporter()->set_name("Giulia Ferraresi");
  form.mutable_reporter()->set_email("giulia.ferraresi@example.it");
  form.mutable_reporter()->set_phone("+39 347 1234567");
  form.set_place("Aula 3B, armadietto di Marco Bellini");
  form.set_description("Certificato DSA di Lorenzo Pittaluga lasciato sul treno");
  form.set_actions_taken("Avvisata la madre, Sara Pittaluga");
  form.set_department_head("Prof.ssa Anna Quartieri");
  form.clear_databases();
  form.add_databases("Fascicolo di Lorenzo Pittaluga");
  personal.secrets = {"Giulia",     "Ferraresi",  "giulia.ferraresi@example.it",
                      "347 1234567", "Bellini",   "Pittaluga",
                      "Quartieri",  "armadietto", "Certificato DSA"};
  personal.reported.set_breach_id("01JQ0LAPTOP000000000000000");
  *personal.reported.mutable_report() = form;
  return personal;
}

TEST(EcsDocumentTest, AReportFullOfPersonalDataLeavesNoneOfIt) {
  const PersonalReport personal = ReportFullOfPersonalData();
  const auto event = Recorded(service::MakeEvent({"intake", kDpo, "req-1", "corr-1"},
                                                 testing::kVespucci, absl::Now(),
                                                 personal.reported));
  ASSERT_OK_AND_ASSIGN(std::string json, ToEcsJson(event));
  for (const std::string& secret : personal.secrets) {
    EXPECT_THAT(json, Not(HasSubstr(secret))) << json;
  }
  // What it does carry: who did what, for which school, and the report's numbers.
  ASSERT_OK_AND_ASSIGN(nlohmann::json document, ToEcsDocument(event));
  EXPECT_EQ(document["@timestamp"], "2025-11-30T09:00:00.000Z");
  EXPECT_EQ(document["event"]["action"], "breach-reported");
  EXPECT_EQ(document["event"]["category"][0], "database");
  EXPECT_EQ(document["event"]["type"][0], "creation");
  EXPECT_EQ(document["event"]["outcome"], "success");
  EXPECT_EQ(document["event"]["id"], event.event_id());
  EXPECT_EQ(document["user"]["id"], "user:dpo-vespucci");
  EXPECT_EQ(document["user"]["roles"][0], "school-dpo");
  EXPECT_EQ(document["organization"]["id"], "MIIS01200V");
  EXPECT_EQ(document["service"]["name"], "intake");
  EXPECT_EQ(document["breach"]["id"], "01JQ0LAPTOP000000000000000");
  std::string hex_hash;
  for (int i = 0; i < 32; ++i) hex_hash += "ab";
  EXPECT_EQ(document["breach"]["hash"], hex_hash);
  EXPECT_EQ(document["breach"]["report"]["approx_data_subjects"],
            personal.reported.report().approx_data_subjects());
  EXPECT_EQ(document["breach"]["report"]["databases"], 1);
  EXPECT_EQ(document["breach"]["status"], "reported");
}

TEST(EcsDocumentTest, ARefusalIsAnIamFailureOnTheAuditStream) {
  breach::v1::AccessDenied denied;
  denied.set_method("/breach.v1.RegisterService/GetBreach");
  denied.set_requested_tenant("MIIS01200V");
  denied.set_breach_id("01JQ0LAPTOP000000000000000");
  denied.set_reason("user:dpo-galilei of RMIC81500L may not access another school's data");
  auto event = service::MakeEvent({"register", kDpo, "m", ""}, "RMIC81500L", absl::Now(), denied);
  event.set_stream_id("audit-RMIC81500L");
  ASSERT_OK_AND_ASSIGN(nlohmann::json document, ToEcsDocument(Recorded(event)));
  EXPECT_EQ(document["event"]["category"][0], "iam");
  EXPECT_EQ(document["event"]["type"][0], "denied");
  EXPECT_EQ(document["event"]["outcome"], "failure");
  EXPECT_EQ(document["event"]["action"], "access-denied");
  EXPECT_EQ(document["breach"]["access"]["method"], "/breach.v1.RegisterService/GetBreach");
  EXPECT_EQ(document["breach"]["id"], "01JQ0LAPTOP000000000000000");  // the breach asked for
}

TEST(EcsDocumentTest, AnUnknownEventTypeCarriesItsMetadataOnly) {
  breach::v1::BreachReported unknown_to_siem = ReportFullOfPersonalData().reported;
  auto event = service::MakeEvent({"assessment", kDpo, "r", ""}, "MIIS01200V", absl::Now(),
                                  unknown_to_siem);
  event.mutable_payload()->set_type_url("type.googleapis.com/breach.v1.SomethingNew");
  event.set_type("breach.v1.SomethingNew");
  ASSERT_OK_AND_ASSIGN(std::string json, ToEcsJson(Recorded(event)));
  EXPECT_THAT(json, HasSubstr("\"action\":\"something-new\""));
  EXPECT_THAT(json, Not(HasSubstr("Pittaluga")));
  EXPECT_THAT(json, Not(HasSubstr("report")));
}

TEST(EcsDocumentTest, AnEnvelopeWithoutIdOrTimeIsRefused) {
  breach::v1::EventEnvelope event;
  EXPECT_THAT(ToEcsJson(event), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event_id")));
  event.set_event_id("01JQ0000000000000000000000");
  EXPECT_THAT(ToEcsJson(event),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recorded_at")));
}

// Every payload type of the catalogue (docs/events.md) has its own mapping.
TEST(EcsDocumentTest, EveryEventTypeOfTheCatalogueIsMapped) {
  const std::vector<std::string> catalogue = {
      "breach.v1.BreachReported", "breach.v1.BreachTriaged", "breach.v1.ReportAmended",
      "breach.v1.ContainmentActionRecorded", "breach.v1.AssessmentSubmitted",
      "breach.v1.SeverityAssessed", "breach.v1.BreachClassified", "breach.v1.DutyDecided",
      "breach.v1.DutyOverridden", "breach.v1.DutiesDecided", "breach.v1.BreachClosed",
      "breach.v1.BreachReopened", "breach.v1.ClockArmed", "breach.v1.ClockDisarmed",
      "breach.v1.DeadlineWarning", "breach.v1.DeadlineMissed", "breach.v1.DraftPrepared",
      "breach.v1.DraftApproved", "breach.v1.DispatchQueued", "breach.v1.DeliveryAttempted",
      "breach.v1.DeliverySent", "breach.v1.DeliveryFailed", "breach.v1.DeliveryOutcomeUnknown",
      "breach.v1.DutySubmitted", "breach.v1.ReceiptRecorded", "breach.v1.SchoolProfileSet",
      "breach.v1.BreachViewed", "breach.v1.BreachesListed", "breach.v1.AccessDenied",
      "breach.v1.ProviderAccessGranted", "breach.v1.ProviderAccessRevoked",
      "breach.v1.BreakGlassOpened"};
  EXPECT_THAT(MappedEventTypes(), UnorderedElementsAreArray(catalogue));
}

// The string fields whose values may reach the feed: ids, codes and texts breachd writes itself.
// Every other string field of every payload is treated as personal data.
const std::set<std::string>& AllowedStringFields() {
  static const auto* allowed = new std::set<std::string>{
      "breach_id", "action_id", "delivery_id", "regime", "regimes", "legal_basis", "sha256",
      "protocol_number", "view", "method", "requested_tenant", "breach_ids", "field", "window"};
  return *allowed;
}
const std::set<std::string>& AllowedFullFields() {
  static const auto* allowed = new std::set<std::string>{
      "breach.v1.AccessDenied.reason",    // written by the authorizer
      "breach.v1.BreachesListed.tenant",  // a filter: a school code
      "breach.v1.BreachesListed.status",
      "breach.v1.SchoolProfile.tenant", "breach.v1.SeverityAssessment.method"};
  return *allowed;
}

// Fills every string field of `message` (recursively, one element per repeated field) with a
// marker naming the field; returns the markers of the fields that must never appear.
void FillStrings(google::protobuf::Message& message, int depth, std::vector<std::string>& secrets) {
  if (depth > 6) return;
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      const std::string marker = absl::StrCat("PD<", field->full_name(), ">");
      if (field->is_repeated()) {
        reflection->AddString(&message, field, marker);
      } else {
        reflection->SetString(&message, field, marker);
      }
      if (!AllowedStringFields().count(field->name()) &&
          !AllowedFullFields().count(field->full_name())) {
        secrets.push_back(marker);
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
               !absl::StartsWith(field->message_type()->full_name(), "google.protobuf")) {
      google::protobuf::Message* child = field->is_repeated()
                                             ? reflection->AddMessage(&message, field)
                                             : reflection->MutableMessage(&message, field);
      FillStrings(*child, depth + 1, secrets);
    }
  }
}

TEST(EcsDocumentTest, NoStringOutsideTheAllowListReachesAnyDocument) {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  google::protobuf::DynamicMessageFactory factory(pool);
  for (const std::string& type : MappedEventTypes()) {
    const google::protobuf::Descriptor* descriptor = pool->FindMessageTypeByName(type);
    ASSERT_NE(descriptor, nullptr) << type;
    std::unique_ptr<google::protobuf::Message> payload(factory.GetPrototype(descriptor)->New());
    std::vector<std::string> secrets;
    FillStrings(*payload, 0, secrets);
    breach::v1::EventEnvelope event;
    event.set_event_id("01JQ0EVENT0000000000000000");
    event.set_type(type);
    event.set_source("notification");
    event.set_tenant("MIIS01200V");
    event.mutable_actor()->set_subject("user:dpo-vespucci");
    event.mutable_payload()->PackFrom(*payload);
    ASSERT_OK_AND_ASSIGN(std::string json, ToEcsJson(Recorded(event)));
    for (const std::string& secret : secrets) {
      EXPECT_THAT(json, Not(HasSubstr(secret))) << type << ": " << json;
    }
    ASSERT_OK_AND_ASSIGN(nlohmann::json document, ToEcsDocument(Recorded(event)));
    for (const char* field : {"kind", "category", "type", "action", "outcome", "id"}) {
      EXPECT_TRUE(document["event"].contains(field)) << type << " lacks event." << field;
    }
    EXPECT_NE(document["event"]["outcome"], "") << type;
  }
}

TEST(EcsDocumentTest, TheLifecycleCarriesStatusBandClassificationDutyAndDeadline) {
  auto document_of = [](const google::protobuf::Message& payload) {
    return ToEcsDocument(Recorded(service::MakeEvent({"assessment", kDpo, "r", "c"},
                                                     "MIIS01200V", absl::Now(), payload)));
  };
  breach::v1::SeverityAssessed severity;
  severity.set_version(2);
  severity.mutable_severity()->set_score(3.25);
  severity.mutable_severity()->set_band(breach::v1::SEVERITY_BAND_HIGH);
  ASSERT_OK_AND_ASSIGN(nlohmann::json document, document_of(severity));
  EXPECT_EQ(document["breach"]["severity"]["band"], "high");
  EXPECT_EQ(document["breach"]["assessment"]["version"], 2);

  breach::v1::BreachClassified classified;
  classified.set_classification(3);
  ASSERT_OK_AND_ASSIGN(document, document_of(classified));
  EXPECT_EQ(document["breach"]["classification"], 3);

  breach::v1::ClockArmed armed;
  armed.mutable_deadline()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  armed.mutable_deadline()->mutable_due_at()->set_seconds(1764752400);
  armed.mutable_deadline()->set_status(breach::v1::DEADLINE_STATUS_OPEN);
  ASSERT_OK_AND_ASSIGN(document, document_of(armed));
  EXPECT_EQ(document["breach"]["duty"]["kind"], "authority_notification");
  EXPECT_EQ(document["breach"]["deadline"]["due"], "2025-12-03T09:00:00.000Z");
  EXPECT_EQ(document["breach"]["deadline"]["status"], "open");

  breach::v1::DeadlineMissed missed;
  missed.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  ASSERT_OK_AND_ASSIGN(document, document_of(missed));
  EXPECT_EQ(document["event"]["kind"], "alert");
  EXPECT_EQ(document["event"]["outcome"], "failure");

  breach::v1::DeliveryFailed failed;
  failed.set_delivery_id("authority_notification-v1-1");
  failed.set_answer("550 no such user mario.rossi@example.it");
  failed.set_final(true);
  ASSERT_OK_AND_ASSIGN(document, document_of(failed));
  EXPECT_EQ(document["breach"]["delivery"]["status"], "failed");
  EXPECT_THAT(document.dump(), Not(HasSubstr("mario.rossi")));

  breach::v1::DutiesDecided decided;
  decided.set_version(2);
  decided.add_decisions()->set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  decided.mutable_decisions(0)->set_required(true);
  ASSERT_OK_AND_ASSIGN(document, document_of(decided));
  EXPECT_EQ(document["breach"]["status"], "decided");
  EXPECT_EQ(document["breach"]["duties"][0]["kind"], "subject_communication");
  EXPECT_EQ(document["breach"]["duties"][0]["required"], true);
}

}  // namespace
}  // namespace breachd::siem

namespace breachd::siem {
namespace {

// The document is written as text without a tree: it must be exactly what nlohmann::json prints
// for the same value (sorted keys, its escapes, its numbers), for every type, with strings that
// need escaping and times far from today.
TEST(EcsDocumentTest, TheTextIsWhatAJsonLibraryPrintsForEveryTypeAndOddValues) {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  google::protobuf::DynamicMessageFactory factory(pool);
  const int64_t times[] = {-2208988800 /* 1900-01-01 */, 951782400 /* 2000-02-29 */,
                           1767225599 /* 2025-12-31T23:59:59 */, 253402300799 /* 9999-12-31 */};
  for (const std::string& type : MappedEventTypes()) {
    std::unique_ptr<google::protobuf::Message> payload(
        factory.GetPrototype(pool->FindMessageTypeByName(type))->New());
    std::vector<std::string> secrets;
    FillStrings(*payload, 0, secrets);
    for (const int64_t at : times) {
      breach::v1::EventEnvelope event;
      event.set_event_id("01JQ0EVENT\"0\\0\n0\t0\x01" "0\x7f" "é€");
      event.set_type(type);
      event.set_source("notification");
      event.set_tenant("MIIS01200V");
      event.set_correlation_id("quote \" backslash \\ bell \b ff \f cr \r");
      event.mutable_actor()->set_subject("user:dpo-vespucci");
      event.mutable_payload()->PackFrom(*payload);
      event = Recorded(event);
      event.mutable_recorded_at()->set_seconds(at);
      event.mutable_recorded_at()->set_nanos(999'999'999);
      event.mutable_occurred_at()->set_seconds(at - 1);
      ASSERT_OK_AND_ASSIGN(EcsLine line, ToEcsLine(event));
      EXPECT_EQ(nlohmann::json::parse(line.json).dump(), line.json) << type;
      const absl::Time recorded = absl::FromUnixSeconds(at) + absl::Milliseconds(999);
      EXPECT_EQ(nlohmann::json::parse(line.json)["@timestamp"],
                absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", recorded, absl::UTCTimeZone()))
          << type;
    }
  }
}

TEST(EcsDocumentTest, ADraftReadNamesTheDraftItShowed) {
  breach::v1::BreachViewed viewed;
  viewed.set_view("draft");
  viewed.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  viewed.set_draft_version(2);
  ASSERT_OK_AND_ASSIGN(nlohmann::json document,
                       ToEcsDocument(Recorded(service::MakeEvent(
                           {"notification", kDpo, "r", "c"}, "MIIS01200V", absl::Now(), viewed))));
  EXPECT_EQ(document["breach"]["view"], "draft");
  EXPECT_EQ(document["breach"]["duty"]["kind"], "authority_notification");
  EXPECT_EQ(document["breach"]["draft"]["version"], 2);
}

TEST(EcsDocumentTest, TheKeyIsTheBreachTheDocumentIsAbout) {
  breach::v1::AccessDenied denied;
  denied.set_breach_id("01JQ0LAPTOP000000000000000");
  ASSERT_OK_AND_ASSIGN(EcsLine refusal,
                       ToEcsLine(Recorded(service::MakeEvent({"register", kDpo, "r", "c"},
                                                             "MIIS01200V", absl::Now(), denied))));
  breach::v1::BreachViewed viewed;
  viewed.set_view("timeline");
  breach::v1::EventEnvelope read =
      Recorded(service::MakeEvent({"register", kDpo, "r", "c"}, "MIIS01200V", absl::Now(), viewed));
  read.set_stream_id("01JQ0OTHER0000000000000000");
  ASSERT_OK_AND_ASSIGN(EcsLine view, ToEcsLine(read));
  read.set_stream_id("audit-MIIS01200V");
  ASSERT_OK_AND_ASSIGN(EcsLine audit, ToEcsLine(read));
  EXPECT_EQ(refusal.key, "01JQ0LAPTOP000000000000000");
  EXPECT_EQ(view.key, "01JQ0OTHER0000000000000000");
  EXPECT_EQ(audit.key, "audit-MIIS01200V");
}

}  // namespace
}  // namespace breachd::siem
