#include "libs/siem/ecs_document.h"

#include "breach/v1/events.pb.h"
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

}  // namespace
}  // namespace breachd::siem
