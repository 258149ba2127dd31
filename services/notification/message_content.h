// What one delivery says: the approved draft in the recipient's language, as an e-mail (subject
// and text; a personal letter for a data subject) and as the JSON a webhook receives.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "breach/v1/notification.pb.h"

namespace breachd::notification {

struct MessageContent {
  std::string subject;
  std::string text;  // the e-mail body
  std::string json;  // the webhook body
};

// FAILED_PRECONDITION when the draft has no document at all.
absl::StatusOr<MessageContent> ComposeMessage(const breach::v1::Draft& draft,
                                              const breach::v1::Delivery& delivery,
                                              const breach::v1::SchoolProfile* school);

}  // namespace breachd::notification
