#include "services/intake/report_validation.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::intake {
namespace {

using breach::v1::BreachReport;
using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using google::protobuf::util::TimeUtil;
using ::testing::StartsWith;

const absl::Time kNow = absl::FromUnixSeconds(1774602000);  // 2026-03-27 09:00 UTC

google::protobuf::Timestamp At(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// A timestamp given as Unix seconds: also far beyond the int64-nanosecond range (year 2262).
google::protobuf::Timestamp AtSeconds(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(nanos);
  return timestamp;
}
constexpr int64_t kLastSecondOf9999 = 253402300799;  // 9999-12-31T23:59:59Z

bool KnownTenant(const std::string& tenant) { return tenant == "MIIS01200V"; }

// A complete Allegato A: a teacher's laptop with pupils' grades lost on a train.
BreachReport ValidReport() {
  BreachReport report;
  report.set_tenant("MIIS01200V");
  *report.mutable_discovered_at() = At(kNow - absl::Hours(2));
  *report.mutable_incident_at() = At(kNow - absl::Hours(20));
  report.set_place("Treno Milano-Lecco; smarrimento del portatile");
  report.set_device_lost(true);
  report.mutable_reporter()->set_name("Maria Bianchi");
  report.mutable_reporter()->set_email("m.bianchi@example.it");
  report.set_reporter_role(breach::v1::REPORTER_ROLE_DEPARTMENT_HEAD);
  report.add_databases("Registro elettronico (esportazione voti)");
  report.set_description("Portatile non cifrato con un file di voti della 3B");
  report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  report.set_approx_data_subjects(24);
  report.set_department_head("Prof. Rossi");
  return report;
}

TEST(ReportValidationTest, AcceptsACompleteReport) {
  EXPECT_THAT(ValidateReport(ValidReport(), kNow, KnownTenant), IsOk());
}

TEST(ReportValidationTest, AcceptsAnUnknownIncidentDateAndAPhoneOnlyReporter) {
  BreachReport report = ValidReport();
  report.clear_incident_at();
  report.mutable_reporter()->clear_email();
  report.mutable_reporter()->set_phone("+39 02 1234567");
  EXPECT_THAT(ValidateReport(report, kNow, KnownTenant), IsOk());
}

struct BadCase {
  std::string name;
  std::function<void(BreachReport&)> spoil;
  std::string field;  // the message must start with "report.<field>"
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const BadCase& bad_case, std::ostream* os) { *os << bad_case.name; }

class ReportValidationBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ReportValidationBadInputTest, NamesTheField) {
  BreachReport report = ValidReport();
  GetParam().spoil(report);
  EXPECT_THAT(ValidateReport(report, kNow, KnownTenant),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("report." + GetParam().field)));
}

INSTANTIATE_TEST_SUITE_P(
    AllegatoA, ReportValidationBadInputTest,
    ::testing::Values(
        BadCase{"MissingTenant", [](BreachReport& r) { r.clear_tenant(); }, "tenant"},
        BadCase{"UnknownTenant", [](BreachReport& r) { r.set_tenant("XXIS00000Z"); }, "tenant"},
        BadCase{"MissingDiscovery", [](BreachReport& r) { r.clear_discovered_at(); },
                "discovered_at"},
        BadCase{"DiscoveryInFuture",
                [](BreachReport& r) { *r.mutable_discovered_at() = At(kNow + absl::Hours(1)); },
                "discovered_at"},
        BadCase{"DiscoveryInYear9999",
                [](BreachReport& r) {
                  *r.mutable_discovered_at() = AtSeconds(kLastSecondOf9999);
                  *r.mutable_incident_at() = AtSeconds(kLastSecondOf9999 - 60);
                },
                "discovered_at"},
        BadCase{"DiscoveryBefore2000",
                [](BreachReport& r) {
                  *r.mutable_discovered_at() = AtSeconds(946684799);
                  r.clear_incident_at();
                },
                "discovered_at"},
        BadCase{"DiscoveryWithNegativeNanos",
                [](BreachReport& r) { r.mutable_discovered_at()->set_nanos(-1); },
                "discovered_at"},
        BadCase{"IncidentInYear9999",
                [](BreachReport& r) { *r.mutable_incident_at() = AtSeconds(kLastSecondOf9999); },
                "incident_at"},
        BadCase{"IncidentBeforeTheEpoch",
                [](BreachReport& r) { *r.mutable_incident_at() = AtSeconds(-62135596800); },
                "incident_at"},
        BadCase{"FormDateInYear9999",
                [](BreachReport& r) { *r.mutable_form_date() = AtSeconds(kLastSecondOf9999); },
                "form_date"},
        BadCase{"FormDateBefore2000",
                [](BreachReport& r) { *r.mutable_form_date() = AtSeconds(0); },
                "form_date"},
        BadCase{"IncidentAfterDiscovery",
                [](BreachReport& r) { *r.mutable_incident_at() = At(kNow - absl::Hours(1)); },
                "incident_at"},
        BadCase{"MissingPlace", [](BreachReport& r) { r.set_place("  "); }, "place"},
        BadCase{"MissingReporterName", [](BreachReport& r) { r.mutable_reporter()->clear_name(); },
                "reporter.name"},
        BadCase{"NoReporterContact",
                [](BreachReport& r) { r.mutable_reporter()->clear_email(); },
                "reporter.email"},
        BadCase{"ExternalWithoutCompany",
                [](BreachReport& r) { r.mutable_reporter()->set_external(true); },
                "reporter.organization"},
        BadCase{"MissingRole", [](BreachReport& r) { r.clear_reporter_role(); },
                "reporter_role"},
        BadCase{"NoDatabase", [](BreachReport& r) { r.clear_databases(); }, "databases"},
        BadCase{"BlankDatabase", [](BreachReport& r) { r.add_databases(""); }, "databases[1]"},
        BadCase{"MissingDescription", [](BreachReport& r) { r.clear_description(); },
                "description"},
        BadCase{"NoCategory", [](BreachReport& r) { r.clear_data_subject_categories(); },
                "data_subject_categories"},
        BadCase{"UnspecifiedCategory",
                [](BreachReport& r) {
                  r.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_UNSPECIFIED);
                },
                "data_subject_categories[1]"},
        BadCase{"ZeroSubjects", [](BreachReport& r) { r.set_approx_data_subjects(0); },
                "approx_data_subjects"},
        BadCase{"NegativeSubjects", [](BreachReport& r) { r.set_approx_data_subjects(-5); },
                "approx_data_subjects"},
        BadCase{"AbsurdSubjects",
                [](BreachReport& r) { r.set_approx_data_subjects(kMaxDataSubjects + 1); },
                "approx_data_subjects"},
        BadCase{"MissingDepartmentHead", [](BreachReport& r) { r.clear_department_head(); },
                "department_head"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(ReportValidationTest, AcceptsTimesAtTheEdgesOfTheRange) {
  BreachReport report = ValidReport();
  *report.mutable_incident_at() = At(kEarliestReportTime);
  *report.mutable_discovered_at() = At(kNow + kClockSkewAllowance);
  *report.mutable_form_date() = At(kNow + kClockSkewAllowance);
  EXPECT_THAT(ValidateReport(report, kNow, KnownTenant), IsOk());
}

TEST(RequestIdTest, AcceptsUuidsAndRejectsJunk) {
  EXPECT_THAT(ValidateRequestId("7f1c2a9e-3b0d-4c55-9a61-0d2e8f7b6a10"), IsOk());
  EXPECT_THAT(ValidateRequestId(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("a b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateRequestId(std::string(129, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace breachd::intake
