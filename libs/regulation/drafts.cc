#include "libs/regulation/drafts.h"

#include <algorithm>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/draft_text.h"
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

constexpr const Language* kLanguages[] = {&kItalian, &kEnglish};

// Every placeholder a template may use. Values live in an array indexed by it, so rendering
// looks nothing up by name.
enum Placeholder : int {
  kControllerName,
  kDpoContact,
  kNatureOfBreach,
  kLikelyConsequences,
  kMeasuresTaken,
  kMeasuresProposed,
  kSubjectCategories,
  kSubjectsApprox,
  kRecordCategories,
  kRecordsApprox,
  kAwarenessTime,
  kSeverity,
  kClassification,
  kDeadline,
  kDelayReason,
  kPreviousReference,
  kAdviceToSubjects,
  kChannel,
  kPhase,
  kBreachId,
  kTenant,
  kUnknownList,
  kPlaceholderCount
};

// `required`: the notification is incomplete without it (art. 33(3) / 34(2) content).
struct PlaceholderSpec {
  absl::string_view name;
  bool required;
};

constexpr PlaceholderSpec kSpecs[kPlaceholderCount] = {
    {"controller_name", true},      {"dpo_contact", true},       {"nature_of_breach", true},
    {"likely_consequences", true},  {"measures_taken", true},    {"measures_proposed", false},
    {"subject_categories", true},   {"subjects_approx", true},   {"record_categories", true},
    {"records_approx", true},       {"awareness_time", true},    {"severity", false},
    {"classification", false},      {"deadline", false},         {"delay_reason", false},
    {"previous_reference", false},  {"advice_to_subjects", true}, {"channel", false},
    {"phase", false},               {"breach_id", false},        {"tenant", false},
    {"unknown_list", false},
};

using Values = std::array<absl::string_view, kPlaceholderCount>;

// A kind of draft: its duty, its fields in the order the draft lists them, its template stem.
struct DraftKind {
  DutyKind duty;
  absl::Span<const Placeholder> fields;
  const char* template_stem;
};

constexpr Placeholder kAuthorityFields[] = {
    kControllerName,    kDpoContact,       kNatureOfBreach,    kLikelyConsequences,
    kMeasuresTaken,     kMeasuresProposed, kSubjectCategories, kSubjectsApprox,
    kRecordCategories,  kRecordsApprox,    kAwarenessTime,     kSeverity,
    kClassification,    kDeadline,         kDelayReason,       kPreviousReference};
constexpr Placeholder kSubjectFields[] = {
    kControllerName, kDpoContact,       kNatureOfBreach,  kLikelyConsequences,
    kMeasuresTaken,  kMeasuresProposed, kAdviceToSubjects, kChannel};
// Placeholders every template may use besides its draft's fields.
constexpr Placeholder kDocumentOnly[] = {kPhase, kBreachId, kTenant, kUnknownList};

const DraftKind kKinds[] = {
    {breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, kAuthorityFields, "authority-notification"},
    {breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, kSubjectFields, "data-subject-communication"},
};

// The index of a kind's template in a language, as in RequiredTemplateNames().
size_t TemplateIndex(size_t kind, size_t language) {
  return kind * std::size(kLanguages) + language;
}

// The index in kKinds of the draft a duty needs, -1 when it needs none.
int KindIndexOf(const breach::v1::DutyDecision& duty) {
  if (!duty.required()) return -1;
  for (size_t k = 0; k < std::size(kKinds); ++k) {
    if (kKinds[k].duty == duty.duty()) return static_cast<int>(k);
  }
  return -1;
}

// The slot of `name` in a template of `kind`, -1 when such a template may not use it.
int SlotOf(const DraftKind& kind, absl::string_view name) {
  for (int p = 0; p < kPlaceholderCount; ++p) {
    if (kSpecs[p].name != name) continue;
    const auto placeholder = static_cast<Placeholder>(p);
    const bool allowed = absl::c_linear_search(kind.fields, placeholder) ||
                         absl::c_linear_search(kDocumentOnly, placeholder);
    return allowed ? p : -1;
  }
  return -1;
}

// Texts that both languages share, formatted once per evaluation.
struct SharedTexts {
  std::string dpo_contact;
  std::string subjects_approx;
  std::string records_approx;
  std::string awareness_time;
  std::string score;  // "4.50"
  std::string classification;
};

SharedTexts MakeSharedTexts(const RiskAssessment& a, const AssessmentResult& r,
                            const absl::TimeZone& zone) {
  SharedTexts texts;
  texts.dpo_contact = ContactText(a.content().dpo());
  texts.subjects_approx = ApproxCount(a.allegato_b().people_affected());
  texts.records_approx = ApproxCount(a.facts().records_approx());
  if (a.has_awareness_time()) {
    texts.awareness_time = FormatReadable(FromProto(a.awareness_time()), zone);
  }
  texts.score = absl::StrFormat("%.2f", r.severity().score());
  texts.classification = absl::StrCat(r.classification());
  return texts;
}

const breach::v1::Deadline* FindDeadline(const AssessmentResult& result, DutyKind duty) {
  for (const auto& d : result.deadlines()) {
    if (d.duty() == duty) return &d;
  }
  return nullptr;
}

// The values that do not depend on the language; empty where nothing is known.
Values CommonValues(const RiskAssessment& a, const AssessmentResult& r, const SharedTexts& s) {
  const auto& c = a.content();
  Values v{};
  v[kControllerName] = c.controller_name();
  v[kDpoContact] = s.dpo_contact;
  v[kNatureOfBreach] = c.nature_of_breach();
  v[kLikelyConsequences] = c.likely_consequences();
  v[kMeasuresTaken] = c.measures_taken();
  v[kMeasuresProposed] = c.measures_proposed();
  v[kSubjectCategories] = c.subject_categories();
  v[kSubjectsApprox] = s.subjects_approx;
  v[kRecordCategories] = c.record_categories();
  v[kRecordsApprox] = s.records_approx;
  v[kAwarenessTime] = s.awareness_time;
  v[kClassification] = s.classification;
  if (const auto* deadline = FindDeadline(r, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION)) {
    v[kDeadline] = deadline->due_at_local();
    v[kDelayReason] = deadline->delay_reason();
  }
  v[kPreviousReference] = c.previous_notification_reference();
  v[kAdviceToSubjects] = c.advice_to_subjects();
  return v;
}

absl::Status ValidatePhase(const RiskAssessment& a) {
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
  return absl::OkStatus();
}

// The stated phase, or preliminary while an art. 33(3) item is unknown. Needs ValidatePhase.
NotificationPhase PhaseOf(const RiskAssessment& a, bool has_unknowns) {
  const NotificationPhase phase = a.content().phase();
  if (phase != breach::v1::NOTIFICATION_PHASE_UNSPECIFIED) return phase;
  return has_unknowns ? breach::v1::NOTIFICATION_PHASE_PRELIMINARY
                      : breach::v1::NOTIFICATION_PHASE_COMPLETE;
}

void Assign(std::string* out, absl::string_view value) { out->assign(value.data(), value.size()); }

absl::string_view OrUnknown(absl::string_view value, const Language& lang) {
  return value.empty() ? lang.unknown : value;
}

// "`a`, `b`", or the language's "none".
void UnknownList(const NotificationDraft& draft, const Language& lang, std::string* out) {
  if (draft.unknown_fields().empty()) {
    *out = lang.none;
    return;
  }
  for (const std::string& name : draft.unknown_fields()) {
    absl::StrAppend(out, out->empty() ? "`" : "`, `", name);
  }
  out->append("`");
}

// Fills one draft: its fields (marking what is not yet known), its phase and its document.
void FillDraft(const RiskAssessment& a, const DraftKind& kind, const Language& lang,
               const std::string& template_name, const CompiledTemplate& document,
               Values values, NotificationDraft* draft) {
  draft->set_duty(kind.duty);
  draft->set_language(lang.code);
  draft->set_template_name(template_name);
  for (const Placeholder p : kind.fields) {
    auto* field = draft->add_fields();
    Assign(field->mutable_name(), kSpecs[p].name);
    Assign(field->mutable_value(), values[p]);
    // Only a required item can be "not yet known"; an empty optional one does not apply.
    const bool unknown = values[p].empty() && kSpecs[p].required;
    field->set_unknown(unknown);
    if (unknown) Assign(draft->add_unknown_fields(), kSpecs[p].name);
    if (values[p].empty()) values[p] = unknown ? lang.unknown : lang.not_applicable;
  }
  if (kind.duty == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
    draft->set_phase(PhaseOf(a, draft->unknown_fields_size() > 0));
  }
  values[kPhase] = lang.phases[draft->phase()];
  values[kBreachId] = OrUnknown(a.breach_id(), lang);
  values[kTenant] = OrUnknown(a.tenant(), lang);
  std::string unknown_list;
  UnknownList(*draft, lang, &unknown_list);
  values[kUnknownList] = unknown_list;
  document.RenderTo(values, draft->mutable_document());
}

bool NeedsDraft(const AssessmentResult& result, DutyKind duty) {
  for (const auto& decision : result.duties()) {
    if (decision.duty() == duty && KindIndexOf(decision) >= 0) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> TemplateFileNames(absl::Span<const char* const> stems,
                                           absl::Span<const char* const> languages) {
  std::vector<std::string> names;
  for (const char* stem : stems) {
    for (const char* language : languages) {
      names.push_back(absl::StrCat(stem, ".", language, ".md"));
    }
  }
  return names;
}

absl::Status CompileTemplateFiles(
    const TemplateSet& templates, const std::vector<std::string>& names,
    absl::FunctionRef<int(size_t index, absl::string_view placeholder)> slot_of,
    absl::Span<CompiledTemplate> out) {
  for (size_t i = 0; i < names.size(); ++i) {
    const auto text = templates.by_name.find(names[i]);
    if (text == templates.by_name.end()) {
      return absl::NotFoundError(absl::StrCat("template ", names[i], " not loaded"));
    }
    ASSIGN_OR_RETURN(out[i], CompiledTemplate::Compile(names[i], text->second,
                                                       [&](absl::string_view placeholder) {
                                                         return slot_of(i, placeholder);
                                                       }));
  }
  return absl::OkStatus();
}

const std::vector<std::string>& RequiredTemplateNames() {
  static const auto* names = [] {
    std::vector<const char*> stems, languages;
    for (const DraftKind& kind : kKinds) stems.push_back(kind.template_stem);
    for (const Language* lang : kLanguages) languages.push_back(lang->code);
    return new std::vector<std::string>(TemplateFileNames(stems, languages));
  }();
  return *names;
}

absl::StatusOr<DraftTemplates> DraftTemplates::Compile(const TemplateSet& templates) {
  DraftTemplates compiled;
  RETURN_IF_ERROR(CompileTemplateFiles(
      templates, RequiredTemplateNames(),
      [](size_t index, absl::string_view p) {
        return SlotOf(kKinds[index / std::size(kLanguages)], p);
      },
      absl::MakeSpan(compiled.compiled_)));
  return compiled;
}

absl::Status ValidateTemplates(const TemplateSet& templates) {
  return DraftTemplates::Compile(templates).status();
}

absl::Status BuildDrafts(const RiskAssessment& a, const DraftTemplates& templates,
                         const absl::TimeZone& zone, AssessmentResult& result) {
  const bool authority = NeedsDraft(result, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  const bool subjects = NeedsDraft(result, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  if (!authority && !subjects) return absl::OkStatus();
  if (authority) RETURN_IF_ERROR(ValidatePhase(a));
  const SharedTexts shared = MakeSharedTexts(a, result, zone);
  const Values common = CommonValues(a, result, shared);
  std::string severity;
  for (const auto& duty : result.duties()) {
    const int k = KindIndexOf(duty);
    if (k < 0) continue;
    for (size_t l = 0; l < std::size(kLanguages); ++l) {
      const Language& lang = *kLanguages[l];
      Values values = common;
      severity = absl::StrCat(shared.score, " (", lang.bands[result.severity().band()], ")");
      values[kSeverity] = severity;
      values[kChannel] = lang.channels[duty.channel()];
      const size_t index = TemplateIndex(k, l);
      FillDraft(a, kKinds[k], lang, RequiredTemplateNames()[index], templates.at(index), values,
                result.add_drafts());
    }
  }
  return absl::OkStatus();
}

}  // namespace breachd::regulation
