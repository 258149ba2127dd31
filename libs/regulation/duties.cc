#include "libs/regulation/duties.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/regulation/bilingual.h"
#include "libs/regulation/regime.h"

namespace breachd::regulation {
namespace {

using breach::v1::AssessmentResult;
using breach::v1::DutyDecision;
using breach::v1::Regime;
using breach::v1::RegimeDuty;
using breach::v1::RiskAssessment;

// "2.75": scores are quarter points, so they are formatted without printf.
std::string Score(double score) {
  static constexpr const char* kQuarters[] = {"00", "25", "50", "75"};
  const double quarters = score * 4;
  const int whole = static_cast<int>(quarters);
  if (whole != quarters || whole < 0) return absl::StrFormat("%.2f", score);
  return absl::StrCat(whole / 4, ".", kQuarters[whole % 4]);
}

// "+0.25", "-1.00", "0.00": how far a score is from a threshold.
std::string SignedScore(double delta) {
  if (delta == 0) return Score(0);
  return absl::StrCat(delta > 0 ? "+" : "-", Score(delta > 0 ? delta : -delta));
}

const char* BandIt(breach::v1::SeverityBand band) {
  switch (band) {
    case breach::v1::SEVERITY_BAND_LOW: return "basso";
    case breach::v1::SEVERITY_BAND_MEDIUM: return "medio";
    case breach::v1::SEVERITY_BAND_HIGH: return "alto";
    case breach::v1::SEVERITY_BAND_VERY_HIGH: return "molto alto";
    default: return "?";
  }
}

const char* BandEn(breach::v1::SeverityBand band) {
  switch (band) {
    case breach::v1::SEVERITY_BAND_LOW: return "low";
    case breach::v1::SEVERITY_BAND_MEDIUM: return "medium";
    case breach::v1::SEVERITY_BAND_HIGH: return "high";
    case breach::v1::SEVERITY_BAND_VERY_HIGH: return "very high";
    default: return "?";
  }
}

void Classify(const Regime& regime, const std::string& regime_ref, AssessmentResult& result) {
  const double score = result.severity().score();
  const breach::v1::ClassificationThreshold* chosen = &regime.classification(0);
  for (const auto& threshold : regime.classification()) {
    if (score >= threshold.min_score()) chosen = &threshold;
  }
  result.set_classification(chosen->classification());
  result.set_classification_regime(regime_ref);
  SetBilingual(result.add_classification_reasons(), 
      absl::StrCat("Gravità ", Score(score), " (", BandIt(result.severity().band()),
                   ") ≥ soglia ", Score(chosen->min_score()), " della classe ",
                   chosen->classification(), ": ", chosen->meaning().it()),
      absl::StrCat("Severity ", Score(score), " (", BandEn(result.severity().band()),
                   ") ≥ threshold ", Score(chosen->min_score()), " of class ",
                   chosen->classification(), ": ", chosen->meaning().en()));
}

void InitDecision(const std::string& regime_ref, const RegimeDuty& rule, double score,
                  DutyDecision& decision) {
  const bool required = score >= rule.min_score();
  decision.set_duty(rule.duty());
  decision.set_threshold_margin(score - rule.min_score());
  decision.set_required(required);
  decision.set_computed_required(required);
  decision.set_regime(regime_ref);
  decision.set_legal_basis(rule.legal_basis());
  *decision.mutable_recipient() = rule.recipient();
}

void AddThresholdReason(const RegimeDuty& rule, const AssessmentResult& result,
                        DutyDecision& decision, const char* met_it, const char* met_en,
                        const char* unmet_it, const char* unmet_en) {
  const double score = result.severity().score();
  const bool met = score >= rule.min_score();
  const std::string margin = SignedScore(score - rule.min_score());
  SetBilingual(decision.add_reasons(),
      absl::StrCat("Gravità ", Score(score), (met ? " ≥ " : " < "), "soglia ",
                   Score(rule.min_score()), " (margine ", margin, "): ", met ? met_it : unmet_it),
      absl::StrCat("Severity ", Score(score), (met ? " ≥ " : " < "), "threshold ",
                   Score(rule.min_score()), " (margin ", margin, "): ", met ? met_en : unmet_en));
}

// Art. 34: high risk, then the art. 34(3) exemptions in the order the article lists them.
void DecideSubjectCommunication(const RiskAssessment& assessment, const RegimeDuty& rule,
                                const AssessmentResult& result, DutyDecision& decision) {
  AddThresholdReason(rule, result, decision, "rischio elevato per i diritti e le libertà (art. 34(1))",
                     "high risk to rights and freedoms (art. 34(1))",
                     "nessun rischio elevato: comunicazione non obbligatoria",
                     "no high risk: communication not required");
  if (!decision.computed_required()) return;
  const auto& b = assessment.allegato_b();
  if ((b.technical_measures().encrypted() &&
       b.technical_measures().key_status() == breach::v1::ENCRYPTION_KEY_STATUS_SECURE) ||
      assessment.facts().only_unintelligible_data_left()) {
    decision.set_computed_required(false);
    decision.set_exemption(breach::v1::ART34_EXEMPTION_UNINTELLIGIBLE);
    SetBilingual(decision.add_reasons(),
        "Esenzione art. 34(3)(a): dati cifrati (o hash con sale) con chiave non compromessa, "
        "incomprensibili a chi non è autorizzato",
        "Exemption art. 34(3)(a): data encrypted (or salted hashes) with an uncompromised key, "
        "unintelligible to anyone not authorised");
  } else if (b.high_risk_no_longer_likely()) {
    decision.set_computed_required(false);
    decision.set_exemption(breach::v1::ART34_EXEMPTION_HIGH_RISK_REMOVED);
    SetBilingual(decision.add_reasons(), 
        "Esenzione art. 34(3)(b): misure successive hanno scongiurato il rischio elevato: " +
            b.measures_against_high_risk(),
        "Exemption art. 34(3)(b): later measures mean the high risk is no longer likely: " +
            b.measures_against_high_risk());
  } else if (assessment.facts().subjects_reachable_only_with_disproportionate_effort()) {
    decision.set_exemption(breach::v1::ART34_EXEMPTION_DISPROPORTIONATE_EFFORT);
    decision.set_channel(breach::v1::COMMUNICATION_CHANNEL_PUBLIC);
    SetBilingual(decision.add_reasons(), 
        "Art. 34(3)(c): la comunicazione diretta richiederebbe sforzi sproporzionati; si procede "
        "con una comunicazione pubblica ugualmente efficace",
        "Art. 34(3)(c): direct communication would involve disproportionate effort; a public "
        "communication that informs people as effectively is made instead");
  } else {
    decision.set_channel(breach::v1::COMMUNICATION_CHANNEL_DIRECT);
    SetBilingual(decision.add_reasons(), 
        "Nessuna esenzione dell'art. 34(3): comunicazione diretta agli interessati",
        "No art. 34(3) exemption applies: direct communication to the data subjects");
  }
  decision.set_required(decision.computed_required());
}

// Fills `decision` in place, so that a reused result message keeps its allocations.
void Decide(const RiskAssessment& assessment, const std::string& regime_ref,
            const RegimeDuty& rule, const AssessmentResult& result, DutyDecision& decision) {
  InitDecision(regime_ref, rule, result.severity().score(), decision);
  switch (rule.duty()) {
    case breach::v1::DUTY_KIND_REGISTER_ENTRY:
      decision.set_required(true);
      decision.set_computed_required(true);
      SetBilingual(decision.add_reasons(), 
          "Ogni violazione va documentata nel Registro dei Data Breach, notificata o no "
          "(art. 33(5))",
          "Every breach is documented in the breach register, notified or not (art. 33(5))");
      break;
    case breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION:
      AddThresholdReason(rule, result, decision,
                         "la violazione può presentare un rischio per i diritti e le libertà "
                         "(art. 33(1))",
                         "the breach is likely to result in a risk to rights and freedoms "
                         "(art. 33(1))",
                         "improbabile che presenti un rischio (art. 33(1)); le ragioni vanno "
                         "documentate nel registro",
                         "unlikely to result in a risk (art. 33(1)); the reasons go in the "
                         "register");
      break;
    case breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION:
      DecideSubjectCommunication(assessment, rule, result, decision);
      break;
    default:
      AddThresholdReason(rule, result, decision,
                         "obbligo previsto dal regime per questa violazione",
                         "the regime requires it for this breach",
                         "sotto la soglia del regime", "below the regime's threshold");
      break;
  }
}

absl::Status ApplyOverrides(const RiskAssessment& assessment, AssessmentResult& result) {
  for (int i = 0; i < assessment.overrides_size(); ++i) {
    const auto& o = assessment.overrides(i);
    DutyDecision* target = nullptr;
    for (auto& d : *result.mutable_duties()) {
      if (d.duty() == o.duty()) target = &d;
    }
    if (target == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("overrides[", i, "].duty: ", breach::v1::DutyKind_Name(o.duty()),
                       " is not a duty of any regime in scope"));
    }
    if (o.duty() == breach::v1::DUTY_KIND_REGISTER_ENTRY && !o.required()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "overrides[", i, "].required: the register entry cannot be waived (art. 33(5))"));
    }
    target->set_required(o.required());
    *target->mutable_human_override() = o;
    SetBilingual(target->add_reasons(), 
        absl::StrCat("Decisione modificata da ", o.decided_by().empty() ? "?" : o.decided_by(),
                     ": ", o.reason()),
        absl::StrCat("Decision overridden by ", o.decided_by().empty() ? "?" : o.decided_by(),
                     ": ", o.reason()));
  }
  return absl::OkStatus();
}

}  // namespace

bool RegimeApplies(const Regime& regime, const breach::v1::BreachFacts& facts) {
  switch (regime.scope()) {
    case breach::v1::REGIME_SCOPE_ALWAYS: return true;
    case breach::v1::REGIME_SCOPE_PROCESSOR_INVOLVED: return facts.processor_involved();
    case breach::v1::REGIME_SCOPE_NIS2: return facts.nis2_in_scope();
    default: return false;
  }
}

absl::Status DecideDuties(const RiskAssessment& assessment, const std::vector<Regime>& regimes,
                          AssessmentResult& result) {
  for (const Regime& regime : regimes) {
    if (!RegimeApplies(regime, assessment.facts())) continue;
    const std::string ref = RegimeRef(regime);
    result.add_regimes(ref);
    if (regime.classification_size() > 0) Classify(regime, ref, result);
    for (const RegimeDuty& rule : regime.duties()) {
      Decide(assessment, ref, rule, result, *result.add_duties());
    }
  }
  return ApplyOverrides(assessment, result);
}

}  // namespace breachd::regulation
