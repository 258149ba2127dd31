// Small texts that both kinds of drafts (drafts.h, notification_drafts.h) format the same way.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// "name, email, phone" without the parts that are empty; "" when all are.
inline std::string ContactText(const breach::v1::ContactPoint& contact) {
  std::string out;
  for (const std::string* part : {&contact.name(), &contact.email(), &contact.phone()}) {
    if (part->empty()) continue;
    absl::StrAppend(&out, out.empty() ? "" : ", ", *part);
  }
  return out;
}

// "~48", or "" (unknown) for 0.
inline std::string ApproxCount(int64_t n) { return n > 0 ? absl::StrCat("~", n) : ""; }

}  // namespace breachd::regulation
