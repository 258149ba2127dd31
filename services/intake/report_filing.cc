#include "services/intake/report_filing.h"

#include "absl/strings/str_cat.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "services/intake/report_limits.h"
#include "services/intake/report_validation.h"

namespace breachd::intake {

absl::Status CheckReportRequest(const breach::v1::ReportBreachRequest& request) {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  RETURN_IF_ERROR(CheckReportLimits(request.report()));  // what is accepted can be published
  if (request.report().tenant().empty()) {
    return absl::InvalidArgumentError("report.tenant is required");
  }
  return absl::OkStatus();
}

breach::v1::Report FileReport(const breach::v1::ReportBreachRequest& request,
                              const auth::Principal& reporter, absl::Time now,
                              const std::string& breach_id) {
  const breach::v1::BreachReport& form = request.report();
  breach::v1::Report report;
  report.set_breach_id(breach_id);
  report.set_name(absl::StrCat("tenants/", form.tenant(), "/breaches/", breach_id));
  *report.mutable_report() = form;
  if (!form.has_form_date()) *report.mutable_report()->mutable_form_date() = ProtoFromTime(now);
  report.mutable_reported_by()->set_subject(reporter.subject);
  report.mutable_reported_by()->set_role(reporter.PrimaryRole());
  report.mutable_reported_by()->set_tenant(reporter.tenant);
  *report.mutable_recorded_at() = ProtoFromTime(now);
  report.set_request_id(request.request_id());
  *report.mutable_current() = report.report();  // as read, until amended
  report.set_status(breach::v1::BREACH_STATUS_REPORTED);
  report.set_revision(1);
  return report;
}

breach::v1::BreachReported ReportedEvent(const breach::v1::Report& report) {
  breach::v1::BreachReported reported;
  reported.set_breach_id(report.breach_id());
  *reported.mutable_report() = report.report();
  reported.set_request_id(report.request_id());
  return reported;
}

}  // namespace breachd::intake
