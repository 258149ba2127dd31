// Drafts of the authority notification (GDPR art. 33(3), in phases per art. 33(4)) and of the
// communication to data subjects (art. 34(2)), in Italian and English: structured fields with
// what is still unknown marked as such, and a Markdown document rendered from a template.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "breach/v1/assessment.pb.h"
#include "libs/regulation/template_renderer.h"

namespace breachd::regulation {

// Template texts by file name, e.g. "authority-notification.it.md".
struct TemplateSet {
  std::map<std::string, std::string> by_name;
};

// The template files the engine needs.
const std::vector<std::string>& RequiredTemplateNames();

// "<stem>.<language>.md" for each stem, then each language: the order templates are indexed in
// (shared with notification_drafts.h).
std::vector<std::string> TemplateFileNames(absl::Span<const char* const> stems,
                                           absl::Span<const char* const> languages);

// Compiles templates.by_name[names[i]] into out[i], its placeholders resolved by
// slot_of(i, name). NOT_FOUND for a missing template; INVALID_ARGUMENT naming the file and the
// placeholder for an unknown placeholder or an unclosed "{{".
absl::Status CompileTemplateFiles(
    const TemplateSet& templates, const std::vector<std::string>& names,
    absl::FunctionRef<int(size_t index, absl::string_view placeholder)> slot_of,
    absl::Span<CompiledTemplate> out);

// The required templates, each parsed once against the placeholders of its kind of draft.
class DraftTemplates {
 public:
  // NOT_FOUND for a missing template; INVALID_ARGUMENT naming the file and the placeholder for
  // an unknown placeholder or an unclosed "{{".
  static absl::StatusOr<DraftTemplates> Compile(const TemplateSet& templates);

  // `index` follows RequiredTemplateNames().
  const CompiledTemplate& at(size_t index) const { return compiled_[index]; }

 private:
  std::array<CompiledTemplate, 4> compiled_;
};

// Parses every required template, so a broken template is found when it is loaded rather than
// in the middle of an incident.
absl::Status ValidateTemplates(const TemplateSet& templates);

// Adds a draft per language for each required notification duty in result.duties
// (authority notification, subject communication). Needs result.severity, duties, deadlines.
absl::Status BuildDrafts(const breach::v1::RiskAssessment& assessment,
                         const DraftTemplates& templates, const absl::TimeZone& zone,
                         breach::v1::AssessmentResult& result);

}  // namespace breachd::regulation
