// The API limits against the bus: the largest report intake accepts becomes an event envelope
// the relay's producer takes (message.max.bytes), in a request gRPC takes.
#include "services/intake/report_limits.h"

#include <string>

#include "absl/strings/str_split.h"
#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/bus.h"
#include "libs/bus/cloudevents.h"
#include "libs/common/ids.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/grpcutil/server_host.h"
#include "libs/service/event_factory.h"

namespace breachd::intake {
namespace {

using breach::v1::BreachReport;
using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// librdkafka counts the key, the headers and the record framing against message.max.bytes.
constexpr size_t kRecordOverheadBytes = 1024;

void SetText(Message& report, absl::string_view path, const std::string& value) {
  Message* message = &report;
  const FieldDescriptor* field = nullptr;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (field != nullptr) message = message->GetReflection()->MutableMessage(message, field);
    field = message->GetDescriptor()->FindFieldByName(std::string(name));
  }
  message->GetReflection()->SetString(message, field, value);
}

// Every limited field at its limit.
BreachReport LargestAcceptedReport() {
  BreachReport report;
  for (const TextFieldLimit& limit : TextFieldLimits()) {
    SetText(report, limit.field, std::string(limit.max_bytes, 'x'));
  }
  for (int i = 0; i < kMaxDatabases; ++i) report.add_databases(std::string(kMaxDatabaseBytes, 'd'));
  for (int i = 0; i < kMaxDataSubjectCategories; ++i) {
    report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  }
  report.set_approx_data_subjects(20'000'000);
  report.mutable_discovered_at()->set_seconds(1767225600);
  report.mutable_incident_at()->set_seconds(1767225600);
  report.mutable_form_date()->set_seconds(1767225600);
  return report;
}

// The envelope intake appends for `report`, as the store seals it.
breach::v1::EventEnvelope SealedReportedEvent(const BreachReport& report,
                                              const std::string& request_id) {
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  breach::v1::BreachReported reported;
  reported.set_breach_id(NewUlid(now));
  *reported.mutable_report() = report;
  reported.set_request_id(request_id);
  auth::Principal actor;
  actor.subject = std::string(kMaxNameBytes, 's');
  actor.tenant = report.tenant();
  actor.roles = {"school-staff"};
  breach::v1::EventEnvelope event = service::MakeEvent(
      {"intake", actor, request_id, reported.breach_id()}, report.tenant(), now, reported);
  event.set_stream_id(reported.breach_id());
  event.set_stream_version(1);
  event.set_position(UINT64_MAX);
  *event.mutable_recorded_at() = event.occurred_at();
  event.set_prev_hash(std::string(32, 'p'));
  event.set_hash(std::string(32, 'h'));
  return event;
}

TEST(ReportLimitsTest, LargestAcceptedReportFitsTheBusAndTheRequestLimit) {
  const BreachReport report = LargestAcceptedReport();
  ASSERT_THAT(CheckReportLimits(report), IsOk());
  const std::string request_id(128, 'r');

  breach::v1::ReportBreachRequest request;
  request.set_request_id(request_id);
  *request.mutable_report() = report;
  EXPECT_LT(request.ByteSizeLong(), static_cast<size_t>(grpcutil::kMaxRequestBytes));

  const breach::v1::EventEnvelope event = SealedReportedEvent(report, request_id);
  size_t message_bytes = event.ByteSizeLong() + event.stream_id().size() + kRecordOverheadBytes;
  for (const auto& [name, value] : bus::CloudEventHeaders(event)) {
    message_bytes += name.size() + value.size();
  }
  EXPECT_LT(message_bytes, static_cast<size_t>(bus::kProducerMessageMaxBytes));
  RecordProperty("largest_event_bytes", static_cast<int>(message_bytes));
}

TEST(ReportLimitsTest, EachTextFieldOverItsLimitIsNamedWithTheLimit) {
  for (const TextFieldLimit& limit : TextFieldLimits()) {
    BreachReport report = LargestAcceptedReport();
    SetText(report, limit.field, std::string(limit.max_bytes + 1, 'x'));
    EXPECT_THAT(CheckReportLimits(report),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         absl::StrCat("report.", limit.field, " is ", limit.max_bytes + 1,
                                      " bytes; the limit is ", limit.max_bytes)));
  }
}

TEST(ReportLimitsTest, TwoMegabyteDescriptionIsRefused) {
  BreachReport report;
  report.set_description(std::string(2 * 1024 * 1024, 'x'));
  EXPECT_THAT(CheckReportLimits(report),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "report.description is 2097152 bytes; the limit is 16384"));
}

TEST(ReportLimitsTest, RepeatedFieldsAreLimitedInCountAndEntrySize) {
  BreachReport report = LargestAcceptedReport();
  report.add_databases("one too many");
  EXPECT_THAT(CheckReportLimits(report),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "report.databases is 51 entries; the limit is 50"));

  report = LargestAcceptedReport();
  report.set_databases(3, std::string(kMaxDatabaseBytes + 1, 'd'));
  EXPECT_THAT(CheckReportLimits(report),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "report.databases[3] is 257 bytes; the limit is 256"));

  report = LargestAcceptedReport();
  report.add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PARENTS);
  EXPECT_THAT(CheckReportLimits(report),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "report.data_subject_categories is 17 entries; the limit is 16"));
}

}  // namespace
}  // namespace breachd::intake
