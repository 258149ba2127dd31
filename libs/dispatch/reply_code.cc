#include "libs/dispatch/reply_code.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace breachd::dispatch {
namespace {

constexpr char kReplyCodeUrl[] = "type.googleapis.com/breachd.dispatch.ReplyCode";

}  // namespace

absl::Status WithReplyCode(absl::Status status, long code) {
  if (!status.ok() && code >= 100 && code <= 999) {
    status.SetPayload(kReplyCodeUrl, absl::Cord(absl::StrCat(code)));
  }
  return status;
}

std::string ReplyCode(const absl::Status& status) {
  const auto code = status.GetPayload(kReplyCodeUrl);
  return code.has_value() ? std::string(*code) : "";
}

std::string LoggableFailure(const absl::Status& status) {
  const std::string code = ReplyCode(status);
  const std::string name = absl::StatusCodeToString(status.code());
  return code.empty() ? name : absl::StrCat(name, " ", code);
}

}  // namespace breachd::dispatch
