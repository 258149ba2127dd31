// The notification service's drafts (issue 11), pure domain code: the authority notification
// (GDPR art. 33, in phases), the communication to data subjects (art. 34) and the processor's
// notice to a school (art. 33(2) and the provider's 48 hours), each in Italian and English, from
// the school's profile, the Allegato A as it reads now and the latest assessment. docs/drafts.md.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/assessment.pb.h"
#include "breach/v1/assessment_service.pb.h"
#include "breach/v1/intake.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/regulation/drafts.h"
#include "libs/regulation/template_renderer.h"

namespace breachd::regulation {

// The templates of these drafts, each parsed once against the placeholders of its duty.
class NotificationTemplates {
 public:
  // "duty-authority-notification.it.md", ..., in duty then language order.
  static const std::vector<std::string>& Names();

  // NOT_FOUND for a missing template; INVALID_ARGUMENT naming the file and the placeholder for
  // an unknown placeholder or an unclosed "{{".
  static absl::StatusOr<NotificationTemplates> Compile(const TemplateSet& templates);

  // `index` follows Names().
  const CompiledTemplate& at(size_t index) const { return compiled_[index]; }

 private:
  std::array<CompiledTemplate, 6> compiled_;
};

struct DutyDraftInputs {
  // AUTHORITY_NOTIFICATION, SUBJECT_COMMUNICATION or CONTROLLER_NOTICE.
  breach::v1::DutyKind duty = breach::v1::DUTY_KIND_UNSPECIFIED;
  // Authority notification only. UNSPECIFIED: preliminary while an art. 33(3) item is unknown,
  // else complete.
  breach::v1::NotificationPhase phase = breach::v1::NOTIFICATION_PHASE_UNSPECIFIED;
  std::string previous_protocol;  // the Garante's protocol number; required for SUPPLEMENTARY
  // The latest version; null for a controller notice sent before any assessment.
  const breach::v1::AssessmentVersion* assessment = nullptr;
  const breach::v1::BreachReport* report = nullptr;    // the Allegato A as it reads now
  const breach::v1::SchoolProfile* school = nullptr;   // null: the school's details are unknown
  std::string breach_id;
  absl::Time awareness = absl::InfinitePast();  // the controller's; InfinitePast: unknown
  absl::Time now = absl::InfinitePast();  // InfinitePast: the preparation time is not shown
};

// One draft per language ("it", "en"): fields (what is not known yet is `unknown`, listed in
// `unknown_fields`, and shown as "da definire" / "not yet known") and the Markdown `document`.
// INVALID_ARGUMENT for another duty, a phase on a duty without phases, or a supplementary
// notification without previous_protocol.
absl::StatusOr<std::vector<breach::v1::NotificationDraft>> BuildDutyDrafts(
    const DutyDraftInputs& inputs, const NotificationTemplates& templates,
    const absl::TimeZone& zone);

// Hex SHA-256 over the drafts' deterministic serialization, in order: what an approval names.
std::string DraftSha256(const std::vector<breach::v1::NotificationDraft>& drafts);

// The e-mail subject line of a draft, per duty and language; one line (no CR/LF).
std::string DraftSubject(const breach::v1::NotificationDraft& draft,
                         const breach::v1::SchoolProfile* school);

// The communication to one data subject in the draft's language, greeting them by name
// ("Gentile Mario Rossi," / "Dear Mario Rossi,"): Markdown as plain text for e-mail.
// INVALID_ARGUMENT for a draft of another duty or an empty or over-long name.
absl::StatusOr<std::string> PersonalLetter(const breach::v1::NotificationDraft& subject_draft,
                                           const std::string& recipient_name);

// The art. 34(3)(c) public notice: one self-contained HTML page with every language's draft,
// every value HTML-escaped.
std::string PublicNoticeHtml(const std::vector<breach::v1::NotificationDraft>& subject_drafts,
                             const breach::v1::SchoolProfile* school);

}  // namespace breachd::regulation
