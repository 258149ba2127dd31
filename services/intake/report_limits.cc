#include "services/intake/report_limits.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace breachd::intake {
namespace {

using breach::v1::BreachReport;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

absl::Status TooLarge(absl::string_view path, size_t size, size_t limit, absl::string_view unit) {
  return absl::InvalidArgumentError(
      absl::StrCat("report.", path, " is ", size, " ", unit, "; the limit is ", limit));
}

// The size of the string field at `path` ("reporter.name"); unset messages read as empty.
size_t TextSize(const Message& report, absl::string_view path) {
  const Message* message = &report;
  const FieldDescriptor* field = nullptr;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (field != nullptr) message = &message->GetReflection()->GetMessage(*message, field);
    field = message->GetDescriptor()->FindFieldByName(std::string(name));
  }
  std::string scratch;
  return message->GetReflection()->GetStringReference(*message, field, &scratch).size();
}

}  // namespace

const std::vector<TextFieldLimit>& TextFieldLimits() {
  static const auto* const kLimits = new std::vector<TextFieldLimit>{
      {"tenant", kMaxTenantBytes},
      {"place", kMaxPlaceBytes},
      {"reporter.name", kMaxNameBytes},
      {"reporter.email", kMaxEmailBytes},
      {"reporter.phone", kMaxPhoneBytes},
      {"reporter.organization", kMaxNameBytes},
      {"description", kMaxDescriptionBytes},
      {"actions_taken", kMaxActionsTakenBytes},
      {"department_head", kMaxNameBytes},
  };
  return *kLimits;
}

absl::Status CheckReportLimits(const BreachReport& report) {
  for (const TextFieldLimit& limit : TextFieldLimits()) {
    const size_t size = TextSize(report, limit.field);
    if (size > limit.max_bytes) return TooLarge(limit.field, size, limit.max_bytes, "bytes");
  }
  if (report.databases_size() > kMaxDatabases) {
    return TooLarge("databases", static_cast<size_t>(report.databases_size()), kMaxDatabases,
                    "entries");
  }
  for (int i = 0; i < report.databases_size(); ++i) {
    if (report.databases(i).size() > kMaxDatabaseBytes) {
      return TooLarge(absl::StrCat("databases[", i, "]"), report.databases(i).size(),
                      kMaxDatabaseBytes, "bytes");
    }
  }
  if (report.data_subject_categories_size() > kMaxDataSubjectCategories) {
    return TooLarge("data_subject_categories",
                    static_cast<size_t>(report.data_subject_categories_size()),
                    kMaxDataSubjectCategories, "entries");
  }
  return absl::OkStatus();
}

}  // namespace breachd::intake
