#include "libs/regulation/result_table.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace breachd::regulation {
namespace {

const std::string& Pick(const breach::v1::BilingualText& text, const std::string& language) {
  return language == "en" ? text.en() : text.it();
}

std::string ShortName(const std::string& enum_name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(enum_name, prefix));
}

void PrintSeverity(const breach::v1::SeverityAssessment& s, const std::string& lang,
                   std::ostream& out) {
  out << absl::StrFormat("SEVERITY  %.2f %s   (%s: SE = DPC %d x EI %.2f + CB %.2f)\n", s.score(),
                         ShortName(breach::v1::SeverityBand_Name(s.band()), "SEVERITY_BAND_"),
                         s.method(), s.data_processing_context(), s.ease_of_identification(),
                         s.circumstances());
  out << (lang == "en"
              ? absl::StrFormat("  margin %.2f from the band edge %.2f%s\n", s.band_edge_distance(),
                                s.nearest_band_edge(),
                                s.band_edge_distance() == 0 ? " (on the edge)" : "")
              : absl::StrFormat("  margine %.2f dal limite di fascia %.2f%s\n",
                                s.band_edge_distance(), s.nearest_band_edge(),
                                s.band_edge_distance() == 0 ? " (sul limite)" : ""));
  out << absl::StrFormat("  %-24s %6s  %s\n", "FACTOR", "VALUE", "REASON");
  for (const auto& f : s.factors()) {
    out << absl::StrFormat("  %-24s %6.2f  %s\n", f.name(), f.value(), Pick(f.reason(), lang));
  }
}

void PrintDuties(const breach::v1::AssessmentResult& r, const std::string& lang,
                 std::ostream& out) {
  out << absl::StrFormat("\nCLASSIFICATION  %d   (%s)\n", r.classification(),
                         r.classification_regime());
  for (const auto& reason : r.classification_reasons()) out << "  - " << Pick(reason, lang) << "\n";
  out << absl::StrFormat("\nDUTIES\n  %-26s %-9s %-27s %s\n", "DUTY", "REQUIRED", "REGIME",
                         "LEGAL BASIS");
  for (const auto& d : r.duties()) {
    std::string required = d.required() ? "yes" : "no";
    if (d.has_human_override()) required += "*";
    out << absl::StrFormat("  %-26s %-9s %-27s %s\n",
                           ShortName(breach::v1::DutyKind_Name(d.duty()), "DUTY_KIND_"), required,
                           d.regime(), d.legal_basis());
    for (const auto& reason : d.reasons()) out << "      - " << Pick(reason, lang) << "\n";
  }
}

void PrintDeadlines(const breach::v1::AssessmentResult& r, const std::string& lang,
                    std::ostream& out) {
  if (r.deadlines().empty()) return;
  out << absl::StrFormat("\nDEADLINES (local time)\n  %-26s %-26s %-9s %s\n", "DUTY", "DUE",
                         "STATUS", "WARNINGS");
  for (const auto& d : r.deadlines()) {
    std::vector<std::string> warnings;
    for (const auto& w : d.warnings()) warnings.push_back(w.at_local());
    out << absl::StrFormat(
        "  %-26s %-26s %-9s %s\n", ShortName(breach::v1::DutyKind_Name(d.duty()), "DUTY_KIND_"),
        d.due_at_local(), ShortName(breach::v1::DeadlineStatus_Name(d.status()), "DEADLINE_STATUS_"),
        absl::StrJoin(warnings, ", "));
    out << "      " << Pick(d.label(), lang) << (d.internal_target() ? " [internal target]" : "")
        << "\n";
  }
}

void PrintDrafts(const breach::v1::AssessmentResult& r, const std::string& lang,
                 std::ostream& out) {
  for (const auto& d : r.drafts()) {
    if (d.language() != lang) continue;
    out << "\n----- DRAFT " << d.template_name() << " (";
    if (d.phase() != breach::v1::NOTIFICATION_PHASE_UNSPECIFIED) {
      out << ShortName(breach::v1::NotificationPhase_Name(d.phase()), "NOTIFICATION_PHASE_") << "; ";
    }
    out << "unknown: " << (d.unknown_fields().empty() ? "-" : absl::StrJoin(d.unknown_fields(), ", "))
        << ") -----\n"
        << d.document();
  }
}

}  // namespace

void PrintResultTable(const breach::v1::AssessmentResult& result, const std::string& language,
                      std::ostream& out) {
  out << "BREACH    " << (result.breach_id().empty() ? "-" : result.breach_id()) << "   tenant "
      << (result.tenant().empty() ? "-" : result.tenant()) << "   regimes "
      << absl::StrJoin(result.regimes(), ", ") << "\n";
  PrintSeverity(result.severity(), language, out);
  PrintDuties(result, language, out);
  PrintDeadlines(result, language, out);
  PrintDrafts(result, language, out);
}

}  // namespace breachd::regulation
