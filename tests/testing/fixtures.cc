#include "tests/testing/fixtures.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"

namespace breachd::testing {

std::unique_ptr<ScratchDir> TestFolderWithIdentity() {
  auto folder = std::make_unique<ScratchDir>(
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  WriteTwoSchoolIdentity(folder->path() + "/identity.json");
  return folder;
}

void WriteTwoSchoolIdentity(const std::string& path) {
  nlohmann::json doc = {
      {"tenants",
       {{{"code", kVespucci}, {"name", "Ist. Amerigo Vespucci"}},
        {{"code", kGalilei}, {"name", "IC Galileo Galilei"}}}},
      {"tokens",
       {{{"token", kOperatorToken}, {"subject", "user:ops"}, {"tenant", "provider"},
         {"roles", {"provider-operator"}}},
        {{"token", kVespucciDpoToken}, {"subject", "user:dpo-vespucci"}, {"tenant", kVespucci},
         {"roles", {"school-dpo"}}},
        {{"token", kVespucciStaffToken}, {"subject", "user:segreteria"}, {"tenant", kVespucci},
         {"roles", {"school-staff"}}},
        {{"token", kVespucciHeadToken}, {"subject", "user:preside-vespucci"},
         {"tenant", kVespucci}, {"roles", {"school-head"}}},
        {{"token", kVespucciItToken}, {"subject", "user:it-vespucci"}, {"tenant", kVespucci},
         {"roles", {"school-it"}}},
        {{"token", kGalileiDpoToken}, {"subject", "user:dpo-galilei"}, {"tenant", kGalilei},
         {"roles", {"school-dpo"}}},
        {{"token", kServiceToken}, {"subject", "service:breachd"}, {"tenant", "provider"},
         {"roles", {"service"}}}}}};
  std::ofstream(path) << doc.dump(2);
}

breach::v1::BreachReport LostLaptopReport(const std::string& tenant) {
  using google::protobuf::util::TimeUtil;
  const absl::Time now = absl::Now();
  breach::v1::BreachReport report;
  report.set_tenant(tenant);
  *report.mutable_discovered_at() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now - absl::Hours(3)));
  *report.mutable_incident_at() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now - absl::Hours(20)));
  report.set_place("Treno regionale Milano-Lecco: smarrimento del portatile");
  report.set_device_lost(true);
  report.mutable_reporter()->set_name("Maria Bianchi");
  report.mutable_reporter()->set_email("m.bianchi@example.it");
  report.set_reporter_role(breach::v1::REPORTER_ROLE_DEPARTMENT_HEAD);
  report.add_databases("Registro elettronico (esportazione voti 3B)");
  report.set_description("Portatile non cifrato con i voti e le note della 3B");
  report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  report.set_approx_data_subjects(24);
  report.set_actions_taken("Password del registro cambiate; denuncia alla Polfer");
  report.set_department_head("Prof. Rossi");
  return report;
}

breach::v1::CreateIncidentRequest RegisterIncidentRequest(const std::string& request_id) {
  using google::protobuf::util::TimeUtil;
  breach::v1::CreateIncidentRequest request;
  request.set_request_id(request_id);
  request.set_title("Registro elettronico: voti visibili ad altre scuole");
  const auto aware = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::Now()) - 3600);
  *request.mutable_provider_aware_at() = aware;
  breach::v1::BreachReport& report = *request.mutable_report();
  *report.mutable_discovered_at() = aware;
  report.set_place("Piattaforma del fornitore");
  report.mutable_reporter()->set_name("Ufficio protezione dati del fornitore");
  report.mutable_reporter()->set_email("privacy@fornitore.example");
  report.mutable_reporter()->set_organization("Fornitore S.p.A.");
  report.add_databases("Registro elettronico");
  report.set_description("Un errore di configurazione ha reso visibili i voti ad altre scuole.");
  report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  report.set_approx_data_subjects(300);
  report.set_department_head("Responsabile del servizio");
  request.mutable_schools()->set_service("registro-elettronico");
  return request;
}

std::unique_ptr<grpc::ClientContext> CallAs(const std::string& token, absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout,
               absl::Duration interval) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(interval);
  }
  return true;
}

}  // namespace breachd::testing
