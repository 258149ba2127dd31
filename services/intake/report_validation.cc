#include "services/intake/report_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"

namespace breachd::intake {
namespace {

using breach::v1::BreachReport;

absl::Status FieldError(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat("report.", field, " ", problem));
}

bool Blank(const std::string& text) { return absl::StripAsciiWhitespace(text).empty(); }

// The free-text fields that are required, by proto field name.
absl::Status RequireText(const BreachReport& report) {
  const std::pair<const char*, const std::string*> required[] = {
      {"tenant", &report.tenant()},
      {"place", &report.place()},
      {"reporter.name", &report.reporter().name()},
      {"description", &report.description()},
      {"department_head", &report.department_head()},
  };
  for (const auto& [field, value] : required) {
    if (Blank(*value)) return FieldError(field, "is required");
  }
  if (Blank(report.reporter().email()) && Blank(report.reporter().phone())) {
    return FieldError("reporter.email", "or report.reporter.phone is required");
  }
  if (report.reporter().external() && Blank(report.reporter().organization())) {
    return FieldError("reporter.organization", "is required for an external reporter");
  }
  return absl::OkStatus();
}

absl::Status CheckTimeInRange(const std::string& field,
                              const google::protobuf::Timestamp& timestamp, absl::Time now) {
  return CheckTimeField(absl::StrCat("report.", field), timestamp, now);
}

absl::Status CheckTimes(const BreachReport& report, absl::Time now) {
  if (!report.has_discovered_at()) return FieldError("discovered_at", "is required");
  RETURN_IF_ERROR(CheckTimeInRange("discovered_at", report.discovered_at(), now));
  if (report.has_incident_at()) {
    RETURN_IF_ERROR(CheckTimeInRange("incident_at", report.incident_at(), now));
    if (TimeFromProto(report.incident_at()) > TimeFromProto(report.discovered_at())) {
      return FieldError("incident_at", "is after report.discovered_at");
    }
  }
  if (report.has_form_date()) {
    RETURN_IF_ERROR(CheckTimeInRange("form_date", report.form_date(), now));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateReport(const BreachReport& report, absl::Time now,
                            const TenantLookup& is_known_tenant) {
  if (absl::Status text = RequireText(report); !text.ok()) return text;
  if (!is_known_tenant(report.tenant())) {
    return FieldError("tenant", absl::StrCat("is not a known school: ", report.tenant()));
  }
  if (absl::Status times = CheckTimes(report, now); !times.ok()) return times;
  if (report.reporter_role() == breach::v1::REPORTER_ROLE_UNSPECIFIED ||
      !breach::v1::ReporterRole_IsValid(report.reporter_role())) {
    return FieldError("reporter_role", "is required");
  }
  if (report.databases().empty()) return FieldError("databases", "needs at least one database");
  for (int i = 0; i < report.databases_size(); ++i) {
    if (Blank(report.databases(i))) {
      return FieldError(absl::StrCat("databases[", i, "]"), "is empty");
    }
  }
  if (report.data_subject_categories().empty()) {
    return FieldError("data_subject_categories", "needs at least one category");
  }
  for (int i = 0; i < report.data_subject_categories_size(); ++i) {
    const int category = report.data_subject_categories(i);
    if (category == breach::v1::DATA_SUBJECT_CATEGORY_UNSPECIFIED ||
        !breach::v1::DataSubjectCategory_IsValid(category)) {
      return FieldError(absl::StrCat("data_subject_categories[", i, "]"), "is not a category");
    }
  }
  if (report.approx_data_subjects() < 1 || report.approx_data_subjects() > kMaxDataSubjects) {
    return FieldError("approx_data_subjects",
                      absl::StrCat("must be between 1 and ", kMaxDataSubjects));
  }
  return absl::OkStatus();
}

// Nanos and the lower bound are checked on the raw fields; the only conversion, TimeFromProto,
// is exact for any seconds (absl::Time spans far more than int64 nanoseconds).
absl::Status CheckTimeField(const std::string& field_path,
                            const google::protobuf::Timestamp& timestamp, absl::Time now) {
  if (timestamp.nanos() < 0 || timestamp.nanos() >= 1'000'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_path, " is not a valid time (nanos out of range)"));
  }
  if (timestamp.seconds() < absl::ToUnixSeconds(kEarliestReportTime)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_path, " is before ", kEarliestReportTimeText));
  }
  if (TimeFromProto(timestamp) > now + kClockSkewAllowance) {
    return absl::InvalidArgumentError(absl::StrCat(field_path, " is in the future"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(const std::string& request_id) {
  if (request_id.empty() || request_id.size() > 128) {
    return absl::InvalidArgumentError("request_id must be 1 to 128 characters");
  }
  for (char c : request_id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':') {
      return absl::InvalidArgumentError("request_id may only hold letters, digits and -_.:");
    }
  }
  return absl::OkStatus();
}

}  // namespace breachd::intake
