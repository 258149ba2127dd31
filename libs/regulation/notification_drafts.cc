#include "libs/regulation/notification_drafts.h"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/draft_text.h"
#include "libs/regulation/time_format.h"

namespace breachd::regulation {
namespace {

using breach::v1::DutyKind;
using breach::v1::NotificationDraft;
using breach::v1::NotificationPhase;
using breach::v1::SchoolProfile;

struct Language {
  const char* code;
  const char* unknown;  // Markdown, emphasised
  const char* unknown_plain;
  const char* not_applicable;
  const char* none;
  const char* yes;
  const char* no;
  const char* phases[4];
  const char* bands[5];
  const char* subject_categories[7];  // DataSubjectCategory
  const char* channels[3];            // CommunicationChannel
  const char* generic_greeting;       // replaced by PersonalLetter
  const char* greeting;               // "Gentile " + name + ","
};

constexpr Language kItalian{
    "it", "_da definire_", "da definire", "non applicabile", "nessuna", "sì", "no",
    {"non applicabile", "preliminare", "completa", "integrativa (art. 33(4))"},
    {"?", "basso", "medio", "alto", "molto alto"},
    {"altri", "alunni", "genitori", "docenti", "personale ATA", "fornitori", "altri"},
    {"da definire", "diretta (e-mail, SMS, registro elettronico)", "pubblica (art. 34(3)(c))"},
    "Gentile interessata, gentile interessato,", "Gentile "};
constexpr Language kEnglish{
    "en", "_not yet known_", "not yet known", "not applicable", "none", "yes", "no",
    {"not applicable", "preliminary", "complete", "supplementary (art. 33(4))"},
    {"?", "low", "medium", "high", "very high"},
    {"others", "pupils", "parents", "teachers", "administrative staff", "suppliers", "others"},
    {"not yet known", "direct (e-mail, SMS, school messaging)", "public (art. 34(3)(c))"},
    "Dear parent, pupil or member of staff,", "Dear "};

constexpr const Language* kLanguages[] = {&kItalian, &kEnglish};

const Language& LanguageOf(absl::string_view code) {
  return code == kEnglish.code ? kEnglish : kItalian;
}

// kArt33: an art. 33(3) item; while one is unknown the notification is preliminary.
enum class Need { kOptional, kRequired, kArt33 };

struct FieldSpec {
  absl::string_view name;
  Need need;
};

// The authority notification follows the sections of the Garante's notification form (model
// annexed to provvedimento n. 157 of 30 July 2019; the online procedure asks the same): type of
// notification, who notifies (controller), contact for the breach (DPO), other parties involved,
// summary (when it happened, was discovered, became known, why late), details (nature, data,
// subjects, records), likely consequences and severity, measures, communication to subjects.
constexpr FieldSpec kAuthorityFields[] = {
    {"previous_protocol", Need::kOptional},    {"controller_name", Need::kRequired},
    {"controller_tax_code", Need::kRequired},  {"controller_address", Need::kRequired},
    {"controller_pec", Need::kRequired},       {"head_name", Need::kRequired},
    {"dpo_contact", Need::kArt33},             {"processor_involved", Need::kOptional},
    {"incident_time", Need::kRequired},        {"discovery_time", Need::kRequired},
    {"awareness_time", Need::kRequired},       {"deadline", Need::kOptional},
    {"delay_reason", Need::kRequired},         {"place", Need::kRequired},
    {"description", Need::kRequired},          {"nature_of_breach", Need::kArt33},
    {"databases", Need::kRequired},            {"subject_categories", Need::kArt33},
    {"subjects_approx", Need::kArt33},         {"record_categories", Need::kArt33},
    {"records_approx", Need::kArt33},          {"likely_consequences", Need::kArt33},
    {"severity", Need::kOptional},             {"classification", Need::kOptional},
    {"measures_taken", Need::kArt33},          {"measures_proposed", Need::kOptional},
    {"subject_communication", Need::kRequired}, {"breach_id", Need::kOptional},
};

// Art. 34(2): the art. 33(3)(b)-(d) items in plain language, plus what people can do.
constexpr FieldSpec kSubjectFields[] = {
    {"controller_name", Need::kRequired},     {"nature_of_breach", Need::kRequired},
    {"incident_time", Need::kOptional},       {"likely_consequences", Need::kRequired},
    {"measures_taken", Need::kRequired},      {"measures_proposed", Need::kOptional},
    {"advice_to_subjects", Need::kRequired},  {"dpo_contact", Need::kRequired},
    {"controller_email", Need::kOptional},    {"channel", Need::kOptional},
    {"breach_id", Need::kOptional},
};

// Art. 33(2) and the provider's policy (notice within 48 hours of its awareness and analysis).
constexpr FieldSpec kControllerFields[] = {
    {"controller_name", Need::kRequired},         {"head_name", Need::kOptional},
    {"processor_name", Need::kRequired},          {"processor_contact", Need::kRequired},
    {"incident_time", Need::kRequired},           {"discovery_time", Need::kRequired},
    {"processor_awareness_time", Need::kRequired}, {"notice_due", Need::kOptional},
    {"description", Need::kRequired},             {"databases", Need::kRequired},
    {"subject_categories", Need::kRequired},      {"subjects_approx", Need::kRequired},
    {"record_categories", Need::kOptional},       {"measures_taken", Need::kRequired},
    {"measures_proposed", Need::kOptional},       {"breach_id", Need::kOptional},
};

// Placeholders every template may use besides its draft's fields.
constexpr absl::string_view kDocumentOnly[] = {"phase", "unknown_list", "prepared_at",
                                               "greeting"};
enum DocumentSlot { kPhaseSlot, kUnknownListSlot, kPreparedAtSlot, kGreetingSlot };

struct DutySpec {
  DutyKind duty;
  const char* stem;
  absl::Span<const FieldSpec> fields;
};

const DutySpec kDuties[] = {
    {breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "duty-authority-notification",
     kAuthorityFields},
    {breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, "duty-subject-communication", kSubjectFields},
    {breach::v1::DUTY_KIND_CONTROLLER_NOTICE, "duty-controller-notice", kControllerFields},
};

size_t TemplateIndex(size_t duty, size_t language) {
  return duty * std::size(kLanguages) + language;
}

int DutyIndex(DutyKind duty) {
  for (size_t d = 0; d < std::size(kDuties); ++d) {
    if (kDuties[d].duty == duty) return static_cast<int>(d);
  }
  return -1;
}

// Fields first, then kDocumentOnly.
int SlotOf(const DutySpec& spec, absl::string_view name) {
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    if (spec.fields[f].name == name) return static_cast<int>(f);
  }
  for (size_t d = 0; d < std::size(kDocumentOnly); ++d) {
    if (kDocumentOnly[d] == name) return static_cast<int>(spec.fields.size() + d);
  }
  return -1;
}

// One value: empty is unknown, unless it does not apply here.
struct Fact {
  std::string value;
  bool not_applicable = false;
};
// Node-based: BuildDraft keeps views of values while looking up (and adding) others, so an
// insertion must never move a value (a flat map's rehash did, leaving views of freed memory).
using Facts = std::map<absl::string_view, Fact>;

std::string Readable(const google::protobuf::Timestamp& ts, bool has, const absl::TimeZone& zone) {
  return has ? FormatReadable(FromProto(ts), zone) : "";
}

const breach::v1::DutyDecision* FindDuty(const breach::v1::AssessmentResult& r, DutyKind duty) {
  for (const auto& d : r.duties()) {
    if (d.duty() == duty) return &d;
  }
  return nullptr;
}

const breach::v1::Deadline* FindDeadline(const breach::v1::AssessmentResult& r, DutyKind duty) {
  for (const auto& d : r.deadlines()) {
    if (d.duty() == duty) return &d;
  }
  return nullptr;
}

// The first non-empty of two texts (the assessment's, then the report's).
std::string FirstOf(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

void SchoolFacts(const DutyDraftInputs& in, const breach::v1::NotificationContent& content,
                 Facts& f) {
  const SchoolProfile empty;
  const SchoolProfile& s = in.school != nullptr ? *in.school : empty;
  f["controller_name"].value = FirstOf(s.name(), content.controller_name());
  f["controller_tax_code"].value = s.tax_code();
  f["controller_address"].value = s.address();
  f["controller_pec"].value = s.pec();
  f["controller_email"].value = s.email();
  f["head_name"].value = s.head_name();
  f["dpo_contact"].value = FirstOf(ContactText(s.dpo()), ContactText(content.dpo()));
}

bool ReportedByProcessor(const breach::v1::BreachReport& r) {
  return r.reporter_role() == breach::v1::REPORTER_ROLE_PROCESSOR;
}

void ReportFacts(const breach::v1::BreachReport& r, const Language& lang,
                 const absl::TimeZone& zone, Facts& f) {
  f["incident_time"].value = Readable(r.incident_at(), r.has_incident_at(), zone);
  f["discovery_time"].value = Readable(r.discovered_at(), r.has_discovered_at(), zone);
  f["place"].value = r.place();
  f["description"].value = r.description();
  f["databases"].value = absl::StrJoin(r.databases(), "; ");
  std::vector<std::string> categories;
  for (const int c : r.data_subject_categories()) {
    const bool known = c > 0 && c < static_cast<int>(std::size(lang.subject_categories));
    categories.push_back(lang.subject_categories[known ? c : 0]);
  }
  f["subject_categories"].value = absl::StrJoin(categories, ", ");
  f["subjects_approx"].value = ApproxCount(r.approx_data_subjects());
  f["measures_taken"].value = r.actions_taken();
  if (ReportedByProcessor(r)) {
    f["processor_involved"].value = FirstOf(r.reporter().organization(), lang.yes);
  }
  if (ReportedByProcessor(r) || r.reporter().external()) {
    f["processor_name"].value = r.reporter().organization();
    breach::v1::ContactPoint contact;
    contact.set_name(r.reporter().name());
    contact.set_email(r.reporter().email());
    contact.set_phone(r.reporter().phone());
    f["processor_contact"].value = ContactText(contact);
  }
}

// The assessment's texts win over the report's: they were written for the notification.
void AssessmentFacts(const breach::v1::AssessmentVersion& v, const Language& lang,
                     const DutyDraftInputs& in, const absl::TimeZone& zone, Facts& f) {
  const auto& a = v.assessment();
  const auto& c = a.content();
  const auto& r = v.result();
  auto prefer = [&f](absl::string_view name, const std::string& value) {
    if (!value.empty()) f[name].value = value;
  };
  prefer("nature_of_breach", c.nature_of_breach());
  prefer("subject_categories", c.subject_categories());
  prefer("subjects_approx", ApproxCount(a.allegato_b().people_affected()));
  prefer("record_categories", c.record_categories());
  prefer("records_approx", ApproxCount(a.facts().records_approx()));
  prefer("likely_consequences", c.likely_consequences());
  prefer("measures_taken", c.measures_taken());
  prefer("measures_proposed", c.measures_proposed());
  prefer("advice_to_subjects", c.advice_to_subjects());
  if (a.facts().processor_involved()) {
    f["processor_involved"].value = FirstOf(f["processor_name"].value, lang.yes);
  } else if (f["processor_involved"].value.empty()) {
    f["processor_involved"].value = lang.no;
  }
  if (r.severity().band() != breach::v1::SEVERITY_BAND_UNSPECIFIED &&
      breach::v1::SeverityBand_IsValid(r.severity().band())) {
    f["severity"].value = absl::StrFormat("%.2f (%s)", r.severity().score(),
                                          lang.bands[r.severity().band()]);
  }
  if (r.classification() > 0) f["classification"].value = absl::StrCat(r.classification());
  if (const auto* d = FindDuty(r, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION)) {
    const int channel = breach::v1::CommunicationChannel_IsValid(d->channel()) ? d->channel() : 0;
    f["subject_communication"].value =
        d->required() ? absl::StrCat(lang.yes, ": ", lang.channels[channel]) : lang.no;
    if (d->required()) f["channel"].value = lang.channels[channel];
  }
  if (const auto* d = FindDeadline(r, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION)) {
    f["deadline"].value = Readable(d->due_at(), d->has_due_at(), zone);
    // Why late (art. 33(1)) is asked only once the 72 hours have passed.
    f["delay_reason"].value = d->delay_reason();
    f["delay_reason"].not_applicable =
        d->delay_reason().empty() && (!d->has_due_at() || in.now <= FromProto(d->due_at()));
  }
}

// The assessment's processor awareness; else, when the provider itself filed the Allegato A,
// its discovery.
absl::Time ProcessorAwareness(const DutyDraftInputs& in) {
  if (in.assessment != nullptr && in.assessment->assessment().has_processor_awareness_time()) {
    return FromProto(in.assessment->assessment().processor_awareness_time());
  }
  if (in.report != nullptr && ReportedByProcessor(*in.report) && in.report->has_discovered_at()) {
    return FromProto(in.report->discovered_at());
  }
  return absl::InfinitePast();
}

Facts CollectFacts(const DutyDraftInputs& in, const Language& lang, const absl::TimeZone& zone) {
  Facts f;
  const breach::v1::NotificationContent no_content;
  const auto& content =
      in.assessment != nullptr ? in.assessment->assessment().content() : no_content;
  SchoolFacts(in, content, f);
  if (in.report != nullptr) ReportFacts(*in.report, lang, zone, f);
  if (in.assessment != nullptr) AssessmentFacts(*in.assessment, lang, in, zone, f);
  if (f.find("delay_reason") == f.end()) f["delay_reason"].not_applicable = true;
  if (in.awareness != absl::InfinitePast()) {
    f["awareness_time"].value = FormatReadable(in.awareness, zone);
  }
  if (const absl::Time aware = ProcessorAwareness(in); aware != absl::InfinitePast()) {
    f["processor_awareness_time"].value = FormatReadable(aware, zone);
    // The provider's policy (seed 000): notice within 48 hours of its awareness.
    f["notice_due"].value = FormatReadable(aware + absl::Hours(48), zone);
  }
  f["previous_protocol"].value = in.previous_protocol;
  f["previous_protocol"].not_applicable = in.previous_protocol.empty();
  f["breach_id"].value = in.breach_id;
  return f;
}

absl::Status ValidateInputs(const DutyDraftInputs& in) {
  if (DutyIndex(in.duty) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duty: no draft for ", breach::v1::DutyKind_Name(in.duty),
        "; one of DUTY_KIND_AUTHORITY_NOTIFICATION, DUTY_KIND_SUBJECT_COMMUNICATION, "
        "DUTY_KIND_CONTROLLER_NOTICE"));
  }
  if (!breach::v1::NotificationPhase_IsValid(in.phase)) {
    return absl::InvalidArgumentError(absl::StrCat("phase: unknown value ", in.phase));
  }
  if (in.phase != breach::v1::NOTIFICATION_PHASE_UNSPECIFIED &&
      in.duty != breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
    return absl::InvalidArgumentError(
        "phase: only the authority notification is sent in phases (art. 33(4))");
  }
  if (in.phase == breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY &&
      absl::StripAsciiWhitespace(in.previous_protocol).empty()) {
    return absl::InvalidArgumentError(
        "previous_protocol: the Garante's protocol number of the earlier notification is "
        "required for a supplementary notification (art. 33(4))");
  }
  return absl::OkStatus();
}

// How the document names a field that is still unknown: the reader is the Garante, a school or
// a parent, not a programmer. A field without a label is named as it is.
struct FieldLabel {
  absl::string_view name;
  const char* it;
  const char* en;
};

constexpr FieldLabel kLabels[] = {
    {"controller_name", "denominazione del titolare", "controller's name"},
    {"controller_tax_code", "codice fiscale del titolare", "controller's tax code"},
    {"controller_address", "indirizzo del titolare", "controller's address"},
    {"controller_pec", "PEC del titolare", "controller's certified e-mail (PEC)"},
    {"head_name", "dirigente scolastico", "head teacher"},
    {"dpo_contact", "contatti del DPO", "DPO contact"},
    {"incident_time", "data della violazione", "when the breach happened"},
    {"discovery_time", "data della scoperta", "when it was discovered"},
    {"awareness_time", "momento della conoscenza", "when the controller became aware"},
    {"delay_reason", "motivi del ritardo", "reasons for the delay"},
    {"place", "luogo della violazione", "where it happened"},
    {"description", "descrizione", "description"},
    {"nature_of_breach", "natura della violazione", "nature of the breach"},
    {"databases", "sistemi e banche dati coinvolti", "systems and databases concerned"},
    {"subject_categories", "categorie di interessati", "categories of data subjects"},
    {"subjects_approx", "numero di interessati", "number of data subjects"},
    {"record_categories", "categorie di dati", "categories of personal data"},
    {"records_approx", "numero di registrazioni", "number of records"},
    {"likely_consequences", "probabili conseguenze", "likely consequences"},
    {"measures_taken", "misure adottate", "measures taken"},
    {"subject_communication", "comunicazione agli interessati",
     "communication to data subjects"},
    {"advice_to_subjects", "che cosa possono fare gli interessati", "what people can do"},
    {"processor_name", "responsabile del trattamento", "processor"},
    {"processor_contact", "contatti del responsabile", "processor's contact"},
    {"processor_awareness_time", "momento della conoscenza del responsabile",
     "when the processor became aware"},
};

absl::string_view LabelOf(absl::string_view name, const Language& lang) {
  for (const FieldLabel& label : kLabels) {
    if (label.name == name) return &lang == &kEnglish ? label.en : label.it;
  }
  return name;
}

// "natura della violazione; probabili conseguenze", or the language's "none".
std::string UnknownList(const NotificationDraft& draft, const Language& lang) {
  if (draft.unknown_fields().empty()) return lang.none;
  return absl::StrJoin(draft.unknown_fields(), "; ", [&lang](std::string* out, const auto& name) {
    absl::StrAppend(out, LabelOf(name, lang));
  });
}

NotificationDraft BuildDraft(const DutyDraftInputs& in, const DutySpec& spec,
                             const Language& lang, const std::string& template_name,
                             const CompiledTemplate& document, const absl::TimeZone& zone) {
  Facts facts = CollectFacts(in, lang, zone);
  NotificationDraft draft;
  draft.set_duty(spec.duty);
  draft.set_language(lang.code);
  draft.set_template_name(template_name);
  std::vector<absl::string_view> values(spec.fields.size() + std::size(kDocumentOnly));
  bool art33_unknown = false;
  const Fact no_fact;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const FieldSpec& field_spec = spec.fields[i];
    // find, not operator[]: inserting a missing field could rehash `facts` and leave the
    // string_views in `values` pointing at moved strings (garbage, invalid UTF-8, in the draft).
    const auto found = facts.find(field_spec.name);
    const Fact& fact = found != facts.end() ? found->second : no_fact;
    auto* field = draft.add_fields();
    field->set_name(std::string(field_spec.name));
    field->set_value(fact.value);
    const bool unknown =
        fact.value.empty() && !fact.not_applicable && field_spec.need != Need::kOptional;
    field->set_unknown(unknown);
    if (unknown) draft.add_unknown_fields(std::string(field_spec.name));
    art33_unknown |= unknown && field_spec.need == Need::kArt33;
    values[i] = !fact.value.empty() ? absl::string_view(fact.value)
                : unknown           ? lang.unknown
                                    : lang.not_applicable;
  }
  if (spec.duty == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
    NotificationPhase phase = in.phase;
    if (phase == breach::v1::NOTIFICATION_PHASE_UNSPECIFIED) {
      phase = art33_unknown ? breach::v1::NOTIFICATION_PHASE_PRELIMINARY
                            : breach::v1::NOTIFICATION_PHASE_COMPLETE;
    }
    draft.set_phase(phase);
  }
  const std::string unknown_list = UnknownList(draft, lang);
  const std::string prepared_at =
      in.now == absl::InfinitePast() ? "" : FormatReadable(in.now, zone);
  const size_t doc = spec.fields.size();
  values[doc + kPhaseSlot] = lang.phases[draft.phase()];
  values[doc + kUnknownListSlot] = unknown_list;
  // Both arms string_view: a ternary mixing const char* and std::string makes a temporary.
  values[doc + kPreparedAtSlot] =
      prepared_at.empty() ? absl::string_view(lang.unknown) : absl::string_view(prepared_at);
  values[doc + kGreetingSlot] = lang.generic_greeting;
  document.RenderTo(values, draft.mutable_document());
  return draft;
}

// The value of a field of a draft, "" when absent or unknown.
std::string FieldValue(const NotificationDraft& draft, absl::string_view name) {
  for (const auto& field : draft.fields()) {
    if (field.name() == name) return field.value();
  }
  return "";
}

// Control characters (CR/LF above all: header injection) become spaces; runs collapse.
std::string OneLine(absl::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool space = absl::ascii_iscntrl(static_cast<unsigned char>(c)) || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& NotificationTemplates::Names() {
  static const auto* names = [] {
    std::vector<const char*> stems, languages;
    for (const DutySpec& spec : kDuties) stems.push_back(spec.stem);
    for (const Language* lang : kLanguages) languages.push_back(lang->code);
    return new std::vector<std::string>(TemplateFileNames(stems, languages));
  }();
  return *names;
}

absl::StatusOr<NotificationTemplates> NotificationTemplates::Compile(
    const TemplateSet& templates) {
  NotificationTemplates compiled;
  RETURN_IF_ERROR(CompileTemplateFiles(
      templates, Names(),
      [](size_t index, absl::string_view p) {
        return SlotOf(kDuties[index / std::size(kLanguages)], p);
      },
      absl::MakeSpan(compiled.compiled_)));
  return compiled;
}

absl::StatusOr<std::vector<NotificationDraft>> BuildDutyDrafts(
    const DutyDraftInputs& inputs, const NotificationTemplates& templates,
    const absl::TimeZone& zone) {
  RETURN_IF_ERROR(ValidateInputs(inputs));
  const size_t d = static_cast<size_t>(DutyIndex(inputs.duty));
  std::vector<NotificationDraft> drafts;
  for (size_t l = 0; l < std::size(kLanguages); ++l) {
    const size_t index = TemplateIndex(d, l);
    drafts.push_back(BuildDraft(inputs, kDuties[d], *kLanguages[l],
                                NotificationTemplates::Names()[index], templates.at(index),
                                zone));
  }
  return drafts;
}

std::string DraftSha256(const std::vector<NotificationDraft>& drafts) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const NotificationDraft& draft : drafts) {
    // NotificationDraft has no map fields, the only part whose order the default serialization
    // leaves open: its bytes are deterministic. Length-prefixed, so that moving bytes from one
    // draft to the next changes the hash.
    const std::string bytes = draft.SerializeAsString();
    const std::string length = absl::StrCat(bytes.size(), ":");
    EVP_DigestUpdate(ctx, length.data(), length.size());
    EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx, digest, &size);
  EVP_MD_CTX_free(ctx);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

std::string DraftSubject(const NotificationDraft& draft, const SchoolProfile* school) {
  const bool it = draft.language() != kEnglish.code;
  std::string name = school != nullptr ? school->name() : "";
  if (name.empty()) name = FieldValue(draft, "controller_name");
  const std::string suffix = name.empty() ? "" : absl::StrCat(" - ", name);
  const std::string ref = FieldValue(draft, "breach_id");
  const std::string ref_suffix =
      ref.empty() ? "" : absl::StrCat(it ? " - rif. " : " - ref. ", ref);
  std::string subject;
  switch (draft.duty()) {
    case breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION: {
      // The Garante requires this wording in the subject, whatever the language of the body.
      // A stored draft may carry any number: out of range reads as "not applicable".
      const int phase = breach::v1::NotificationPhase_IsValid(draft.phase()) ? draft.phase() : 0;
      subject = absl::StrCat("NOTIFICA VIOLAZIONE DATI PERSONALI", suffix, " - ",
                             it ? "notifica " : "", LanguageOf(draft.language()).phases[phase],
                             it ? "" : " notification");
      const std::string protocol = FieldValue(draft, "previous_protocol");
      if (!protocol.empty()) absl::StrAppend(&subject, it ? " - prot. " : " - protocol ", protocol);
      break;
    }
    case breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION:
      subject = absl::StrCat(it ? "Comunicazione di una violazione dei Suoi dati personali"
                                : "Notice of a breach of your personal data",
                             suffix);
      break;
    case breach::v1::DUTY_KIND_CONTROLLER_NOTICE:
      subject = absl::StrCat(
          it ? "Comunicazione di violazione di dati personali al Titolare (art. 33(2) GDPR)"
             : "Personal data breach notice to the controller (GDPR art. 33(2))",
          suffix, ref_suffix, it ? " - si chiede riscontro" : " - acknowledgement requested");
      break;
    default:
      subject = absl::StrCat(it ? "Violazione di dati personali" : "Personal data breach", suffix);
  }
  return OneLine(subject);
}

absl::StatusOr<std::string> PersonalLetter(const NotificationDraft& subject_draft,
                                           const std::string& recipient_name) {
  if (subject_draft.duty() != breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION) {
    return absl::InvalidArgumentError(
        "subject_draft: a personal letter needs a draft of the communication to data subjects");
  }
  const std::string name = OneLine(recipient_name);
  if (name.empty()) return absl::InvalidArgumentError("recipient_name: empty");
  constexpr size_t kMaxName = 256;
  if (name.size() > kMaxName) {
    return absl::InvalidArgumentError(
        absl::StrCat("recipient_name is ", name.size(), " bytes; the limit is ", kMaxName));
  }
  const Language& lang = LanguageOf(subject_draft.language());
  const std::string greeting = absl::StrCat(lang.greeting, name, ",");
  std::string letter = subject_draft.document();
  const size_t at = letter.find(lang.generic_greeting);
  if (at == std::string::npos) {
    // A template without {{greeting}}: the letter still opens with the name.
    return absl::StrCat(greeting, "\n\n", letter);
  }
  letter.replace(at, std::char_traits<char>::length(lang.generic_greeting), greeting);
  return letter;
}

namespace {

// The public notice's headings, by the field each shows.
constexpr FieldLabel kNoticeSections[] = {
    {"nature_of_breach", "Che cosa è successo", "What happened"},
    {"likely_consequences", "Quali conseguenze può avere", "What this may mean for you"},
    {"measures_taken", "Che cosa abbiamo fatto", "What we have done"},
    {"measures_proposed", "Che cosa faremo", "What we will do"},
    {"advice_to_subjects", "Che cosa potete fare", "What you can do"},
    {"dpo_contact", "A chi rivolgersi (Responsabile della protezione dei dati)",
     "Who to contact (data protection officer)"},
};

void AppendNoticeLanguage(const NotificationDraft& draft, std::string& html) {
  const Language& lang = LanguageOf(draft.language());
  const bool it = &lang == &kItalian;
  absl::StrAppend(&html, "<section lang=\"", HtmlEscape(lang.code), "\">\n<h2>",
                  it ? "Comunicazione di una violazione di dati personali (art. 34 GDPR)"
                     : "Notice of a personal data breach (GDPR art. 34)",
                  "</h2>\n");
  for (const FieldLabel& section : kNoticeSections) {
    const std::string value = FieldValue(draft, section.name);
    if (value.empty() && section.name == "measures_proposed") continue;
    absl::StrAppend(&html, "<h3>", it ? section.it : section.en, "</h3>\n<p>",
                    HtmlEscape(value.empty() ? lang.unknown_plain : value),
                    "</p>\n");
  }
  const std::string ref = FieldValue(draft, "breach_id");
  if (!ref.empty()) {
    absl::StrAppend(&html, "<p><small>", it ? "Riferimento: " : "Reference: ", HtmlEscape(ref),
                    "</small></p>\n");
  }
  html += "</section>\n";
}

}  // namespace

std::string PublicNoticeHtml(const std::vector<NotificationDraft>& subject_drafts,
                             const SchoolProfile* school) {
  std::string name = school != nullptr ? school->name() : "";
  if (name.empty() && !subject_drafts.empty()) {
    name = FieldValue(subject_drafts.front(), "controller_name");
  }
  const std::string title = HtmlEscape(OneLine(name));
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      title, title.empty() ? "" : " - ",
      "Violazione di dati personali / Personal data breach</title>\n"
      "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
      "line-height:1.5}section{margin-bottom:2.5em}</style>\n</head>\n<body>\n<h1>",
      title, "</h1>\n");
  if (school != nullptr && !school->address().empty()) {
    absl::StrAppend(&html, "<p>", HtmlEscape(school->address()), "</p>\n");
  }
  for (const NotificationDraft& draft : subject_drafts) AppendNoticeLanguage(draft, html);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace breachd::regulation
