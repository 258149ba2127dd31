#include "services/notification/message_content.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/notification_drafts.h"
#include "nlohmann/json.hpp"
#include "services/notification/notification_decisions.h"

namespace breachd::notification {
namespace {

// The document in `language`, else the Italian one (the school's language), else the first.
const breach::v1::NotificationDraft* DocumentFor(const breach::v1::Draft& draft,
                                                 const std::string& language) {
  const breach::v1::NotificationDraft* fallback = nullptr;
  for (const auto& document : draft.documents()) {
    if (document.language() == language) return &document;
    if (document.language() == "it" || fallback == nullptr) fallback = &document;
  }
  return fallback;
}

}  // namespace

absl::StatusOr<MessageContent> ComposeMessage(const breach::v1::Draft& draft,
                                              const breach::v1::Delivery& delivery,
                                              const breach::v1::SchoolProfile* school) {
  const breach::v1::NotificationDraft* document =
      DocumentFor(draft, delivery.recipient().language());
  if (document == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("draft v", draft.draft_version(), " of ", draft.breach_id(), " is empty"));
  }
  MessageContent content;
  content.subject = regulation::DraftSubject(*document, school);
  if (draft.duty() == breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION) {
    ASSIGN_OR_RETURN(content.text,
                     regulation::PersonalLetter(*document, delivery.recipient().name()));
  } else {
    content.text = document->document();
  }
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& field : document->fields()) {
    fields[field.name()] = field.unknown() ? nlohmann::json() : nlohmann::json(field.value());
  }
  content.json = nlohmann::json{{"breach_id", draft.breach_id()},
                                {"tenant", draft.tenant()},
                                {"duty", DutyShortName(draft.duty())},
                                {"draft_version", draft.draft_version()},
                                {"sha256", draft.sha256()},
                                {"language", document->language()},
                                {"phase", breach::v1::NotificationPhase_Name(draft.phase())},
                                {"delivery_id", delivery.delivery_id()},
                                {"subject", content.subject},
                                {"document", document->document()},
                                {"fields", fields}}
                     .dump();
  return content;
}

}  // namespace breachd::notification
