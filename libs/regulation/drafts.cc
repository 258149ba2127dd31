#include "libs/regulation/drafts.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/template_renderer.h"
#include "libs/regulation/time_format.h"

namespace breachd::regulation {
namespace {

using breach::v1::AssessmentResult;
using breach::v1::DutyKind;
using breach::v1::NotificationDraft;
using breach::v1::NotificationPhase;
using breach::v1::RiskAssessment;

struct Language {
  const char* code;
  const char* unknown;
  const char* not_applicable;
  const char* none;
  const char* bands[5];
  const char* phases[4];
  const char* channels[3];
};

constexpr Language kItalian{
    "it", "_non ancora noto_", "non applicabile", "nessuna",
    {"?", "basso", "medio", "alto", "molto alto"},
    {"?", "preliminare", "completa", "integrativa (art. 33(4))"},
    {"?", "diretta (e-mail, SMS, registro elettronico)", "pubblica (art. 34(3)(c))"}};
constexpr Language kEnglish{
    "en", "_not yet known_", "not applicable", "none",
    {"?", "low", "medium", "high", "very high"},
    {"?", "preliminary", "complete", "supplementary (art. 33(4))"},
    {"?", "direct (e-mail, SMS, school messaging)", "public (art. 34(3)(c))"}};

// A field and whether the notification is incomplete without it (art. 33(3) / 34(2) content).
struct Field {
  std::string name;
  std::string value;
  bool required;
};

std::string DpoContact(const breach::v1::ContactPoint& dpo) {
  std::vector<std::string> parts;
  for (const std::string* p : {&dpo.name(), &dpo.email(), &dpo.phone()}) {
    if (!p->empty()) parts.push_back(*p);
  }
  return absl::StrJoin(parts, ", ");
}

std::string Count(int64_t n) { return n > 0 ? absl::StrCat("~", n) : ""; }

const breach::v1::Deadline* FindDeadline(const AssessmentResult& result, DutyKind duty) {
  for (const auto& d : result.deadlines()) {
    if (d.duty() == duty) return &d;
  }
  return nullptr;
}

std::vector<Field> CommonFields(const RiskAssessment& a) {
  const auto& c = a.content();
  return {
      {"controller_name", c.controller_name(), true},
      {"dpo_contact", DpoContact(c.dpo()), true},
      {"nature_of_breach", c.nature_of_breach(), true},
      {"likely_consequences", c.likely_consequences(), true},
      {"measures_taken", c.measures_taken(), true},
      {"measures_proposed", c.measures_proposed(), false},
  };
}

std::vector<Field> AuthorityFields(const RiskAssessment& a, const AssessmentResult& r,
                                   const Language& lang, const absl::TimeZone& zone) {
  std::vector<Field> fields = CommonFields(a);
  const auto& c = a.content();
  fields.push_back({"subject_categories", c.subject_categories(), true});
  fields.push_back({"subjects_approx", Count(a.allegato_b().people_affected()), true});
  fields.push_back({"record_categories", c.record_categories(), true});
  fields.push_back({"records_approx", Count(a.facts().records_approx()), true});
  fields.push_back({"awareness_time",
                    a.has_awareness_time() ? FormatReadable(FromProto(a.awareness_time()), zone) : "",
                    true});
  fields.push_back({"severity",
                    absl::StrFormat("%.2f (%s)", r.severity().score(),
                                    lang.bands[r.severity().band()]),
                    false});
  fields.push_back({"classification", absl::StrCat(r.classification()), false});
  const auto* deadline = FindDeadline(r, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  fields.push_back({"deadline", deadline ? deadline->due_at_local() : "", false});
  fields.push_back({"delay_reason", deadline ? deadline->delay_reason() : "", false});
  fields.push_back({"previous_reference", c.previous_notification_reference(), false});
  return fields;
}

std::vector<Field> SubjectFields(const RiskAssessment& a, const breach::v1::DutyDecision& duty,
                                 const Language& lang) {
  std::vector<Field> fields = CommonFields(a);
  fields.push_back({"advice_to_subjects", a.content().advice_to_subjects(), true});
  fields.push_back({"channel", lang.channels[duty.channel()], false});
  return fields;
}

absl::StatusOr<NotificationPhase> PhaseOf(const RiskAssessment& a, bool has_unknowns) {
  const NotificationPhase phase = a.content().phase();
  if (phase == breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY &&
      a.content().previous_notification_reference().empty()) {
    return absl::InvalidArgumentError(
        "content.previous_notification_reference: required for a supplementary notification "
        "(art. 33(4))");
  }
  if (!breach::v1::NotificationPhase_IsValid(phase)) {
    return absl::InvalidArgumentError(absl::StrCat("content.phase: unknown value ", phase));
  }
  if (phase != breach::v1::NOTIFICATION_PHASE_UNSPECIFIED) return phase;
  return has_unknowns ? breach::v1::NOTIFICATION_PHASE_PRELIMINARY
                      : breach::v1::NOTIFICATION_PHASE_COMPLETE;
}

absl::StatusOr<NotificationDraft> Draft(const RiskAssessment& a, DutyKind duty,
                                        const std::vector<Field>& fields, const Language& lang,
                                        const std::string& template_name,
                                        const TemplateSet& templates) {
  NotificationDraft draft;
  draft.set_duty(duty);
  draft.set_language(lang.code);
  draft.set_template_name(template_name);
  TemplateValues values;
  for (const Field& f : fields) {
    auto* out = draft.add_fields();
    out->set_name(f.name);
    out->set_value(f.value);
    // Only a required item can be "not yet known"; an empty optional one does not apply.
    const bool unknown = f.value.empty() && f.required;
    out->set_unknown(unknown);
    if (unknown) draft.add_unknown_fields(f.name);
    values[f.name] = !f.value.empty() ? f.value : unknown ? lang.unknown : lang.not_applicable;
  }
  if (duty == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
    ASSIGN_OR_RETURN(const NotificationPhase phase, PhaseOf(a, draft.unknown_fields_size() > 0));
    draft.set_phase(phase);
  }
  values["phase"] = lang.phases[draft.phase()];
  values["breach_id"] = a.breach_id().empty() ? lang.unknown : a.breach_id();
  values["tenant"] = a.tenant().empty() ? lang.unknown : a.tenant();
  values["unknown_list"] = draft.unknown_fields().empty()
                               ? lang.none
                               : absl::StrCat("`", absl::StrJoin(draft.unknown_fields(), "`, `"), "`");
  const auto text = templates.by_name.find(template_name);
  if (text == templates.by_name.end()) {
    return absl::NotFoundError(absl::StrCat("template ", template_name, " not loaded"));
  }
  ASSIGN_OR_RETURN(*draft.mutable_document(), RenderTemplate(template_name, text->second, values));
  return draft;
}

constexpr const Language* kLanguages[] = {&kItalian, &kEnglish};

}  // namespace

const std::vector<std::string>& RequiredTemplateNames() {
  static const auto* names = new std::vector<std::string>{
      "authority-notification.it.md", "authority-notification.en.md",
      "data-subject-communication.it.md", "data-subject-communication.en.md"};
  return *names;
}

absl::Status ValidateTemplates(const TemplateSet& templates) {
  // A sample assessment exercising every field, rendered through the real path.
  RiskAssessment sample;
  sample.mutable_content()->set_phase(breach::v1::NOTIFICATION_PHASE_COMPLETE);
  AssessmentResult result;
  result.mutable_severity()->set_band(breach::v1::SEVERITY_BAND_HIGH);
  auto* authority = result.add_duties();
  authority->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  authority->set_required(true);
  auto* subjects = result.add_duties();
  subjects->set_duty(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  subjects->set_required(true);
  subjects->set_channel(breach::v1::COMMUNICATION_CHANNEL_DIRECT);
  return BuildDrafts(sample, templates, absl::UTCTimeZone(), result);
}

absl::Status BuildDrafts(const RiskAssessment& a, const TemplateSet& templates,
                         const absl::TimeZone& zone, AssessmentResult& result) {
  std::vector<NotificationDraft> drafts;
  for (const auto& duty : result.duties()) {
    if (!duty.required()) continue;
    for (const Language* lang : kLanguages) {
      if (duty.duty() == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
        ASSIGN_OR_RETURN(auto draft,
                         Draft(a, duty.duty(), AuthorityFields(a, result, *lang, zone), *lang,
                               absl::StrCat("authority-notification.", lang->code, ".md"),
                               templates));
        drafts.push_back(std::move(draft));
      } else if (duty.duty() == breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION) {
        ASSIGN_OR_RETURN(auto draft,
                         Draft(a, duty.duty(), SubjectFields(a, duty, *lang), *lang,
                               absl::StrCat("data-subject-communication.", lang->code, ".md"),
                               templates));
        drafts.push_back(std::move(draft));
      }
    }
  }
  for (auto& d : drafts) *result.add_drafts() = std::move(d);
  return absl::OkStatus();
}

}  // namespace breachd::regulation
