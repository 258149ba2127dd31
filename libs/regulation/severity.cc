#include "libs/regulation/severity.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/assessment_validation.h"
#include "libs/regulation/bilingual.h"
#include "libs/regulation/circumstances.h"

namespace breachd::regulation {
namespace {

using breach::v1::AllegatoB;
using breach::v1::BreachFacts;
using breach::v1::SeverityAssessment;

void AddFactor(SeverityAssessment& out, std::string name, double value, std::string it,
               std::string en) {
  auto* factor = out.add_factors();
  factor->set_name(std::move(name));
  factor->set_value(value);
  SetBilingual(factor->mutable_reason(), std::move(it), std::move(en));
}

bool HasNature(const AllegatoB& b, breach::v1::DataNature nature) {
  return std::find(b.data_nature().begin(), b.data_nature().end(), nature) !=
         b.data_nature().end();
}

// ENISA base of financial and identity-theft data.
constexpr int kIdentityTheftBase = 3;

bool UnintelligibleByEncryption(const AllegatoB& b) {
  return b.technical_measures().encrypted() &&
         b.technical_measures().key_status() == breach::v1::ENCRYPTION_KEY_STATUS_SECURE;
}

// ENISA context factors that scale the most sensitive data to how much of it there is and what
// it reveals: a category sets the base, but two entries of a mild condition are not a register
// of diagnoses.
void AddProportion(const BreachFacts& f, const SeverityParams& params, int& dpc,
                   SeverityAssessment& out) {
  if (f.most_sensitive_seriousness() == breach::v1::DATA_SERIOUSNESS_MINOR) {
    dpc -= 1;
    AddFactor(out, "dpc.seriousness", -1,
              "I dati più delicati rivelano poco (una condizione lieve e comune, una menzione)",
              "The most sensitive data reveal little (a mild, common condition, a bare mention)");
  }
  const int64_t records = f.most_sensitive_records();
  if (params.small_volume_records > 0 && records > 0 && records <= params.small_volume_records) {
    dpc -= 1;
    AddFactor(out, "dpc.small_volume", -1,
              absl::StrCat("Solo ", records, " registrazioni con i dati più delicati (soglia del "
                           "regime: ", params.small_volume_records, ")"),
              absl::StrCat("Only ", records, " records carry the most sensitive data (regime's "
                           "threshold: ", params.small_volume_records, ")"));
  }
}

int DataProcessingContext(const AllegatoB& b, const BreachFacts& f, const SeverityParams& params,
                          SeverityAssessment& out) {
  int base = 1;
  std::string it = "Dati semplici (anagrafici, di contatto, scolastici senza contesto)";
  std::string en = "Simple data (identity, contact, school data without context)";
  if (HasNature(b, breach::v1::DATA_NATURE_SPECIAL_CATEGORY) ||
      HasNature(b, breach::v1::DATA_NATURE_CRIMINAL)) {
    base = 4;
    it = "Dati particolari o giudiziari (artt. 9 e 10 GDPR)";
    en = "Special-category or criminal data (GDPR arts. 9 and 10)";
  } else if (HasNature(b, breach::v1::DATA_NATURE_IDENTITY_THEFT) ||
             HasNature(b, breach::v1::DATA_NATURE_FINANCIAL)) {
    base = 3;
    it = "Dati finanziari o utili al furto d'identità (credenziali, codice fiscale, documenti)";
    en = "Financial or identity-theft data (credentials, tax code, ID documents)";
  } else if (HasNature(b, breach::v1::DATA_NATURE_PROFILE) ||
             HasNature(b, breach::v1::DATA_NATURE_BEHAVIOURAL)) {
    base = 2;
    it = "Dati comportamentali o profili (rendimento, stato di famiglia, sanzioni disciplinari)";
    en = "Behavioural data or profiles (performance, family status, disciplinary records)";
  }
  AddFactor(out, "dpc.base", base, "Punteggio base DPC: " + it, "DPC base score: " + en);

  int dpc = base;
  if (f.combination_enables_fraud() && base < kIdentityTheftBase) {
    dpc = kIdentityTheftBase;
    AddFactor(out, "dpc.fraud_combination", kIdentityTheftBase - base,
              "Dati semplici che, combinati (data di nascita, indirizzo, targa, polizza...), "
              "consentono frodi o furto d'identità: pesati come dati utili al furto d'identità",
              "Simple data that, combined (date of birth, address, plate, policy...), enable "
              "fraud or identity theft: weighed as identity-theft data");
  }
  const bool large_volume =
      params.large_volume_subjects > 0 && b.people_affected() >= params.large_volume_subjects;
  if (large_volume || f.volume_enables_profiling()) {
    dpc += 1;
    AddFactor(out, "dpc.volume", 1,
              large_volume ? absl::StrCat(b.people_affected(), " interessati, almeno la soglia di ",
                                          params.large_volume_subjects, " del regime")
                           : "Il volume dei dati consente una profilazione",
              large_volume ? absl::StrCat(b.people_affected(), " people affected, at least the "
                                          "regime's threshold of ", params.large_volume_subjects)
                           : "The volume of data allows profiling");
  }
  if (b.vulnerable_subjects()) {
    dpc += 1;
    AddFactor(out, "dpc.vulnerable_subjects", 1,
              "Soggetti vulnerabili (minori, disabili, anziani)",
              "Vulnerable subjects (minors, disabled, elderly people)");
  }
  if (b.reputation_harm() || b.professional_secrecy() || b.pseudonymisation_reversed()) {
    dpc += 1;
    AddFactor(out, "dpc.sensitive_context", 1,
              "Pregiudizio alla reputazione, segreto professionale o pseudonimizzazione decifrata",
              "Harm to reputation, professional secrecy or reversed pseudonymisation");
  }
  AddProportion(f, params, dpc, out);
  if (f.data_already_public()) {
    dpc -= 1;
    AddFactor(out, "dpc.already_public", -1, "Dati già pubblicamente disponibili",
              "Data already publicly available");
  }
  const int clamped = std::clamp(dpc, 1, 4);
  if (clamped != dpc) {
    AddFactor(out, "dpc.clamp", clamped - dpc,
              absl::StrCat("DPC ricondotto all'intervallo 1-4 (da ", dpc, ")"),
              absl::StrCat("DPC brought back into the range 1-4 (from ", dpc, ")"));
  }
  return clamped;
}

// Ease of identification in quarters (1..4). Encryption or hashing makes what left the
// controller hard to tie to a person, but not the people's own loss of integrity or
// availability: with such a loss, EI stays at its maximum.
Quarters EaseOfIdentification(const AllegatoB& b, const BreachFacts& f,
                              const Circumstances& losses, SeverityAssessment& out) {
  Quarters ei = 4;
  std::string it = "Massima: i dati scolastici identificano direttamente le persone (nome, classe)";
  std::string en = "Maximum: school records identify people directly (name, class)";
  const bool unintelligible = UnintelligibleByEncryption(b) || f.only_unintelligible_data_left();
  if (f.ease_of_identification() != breach::v1::EASE_OF_IDENTIFICATION_UNSPECIFIED) {
    ei = static_cast<int>(f.ease_of_identification());  // enum values are 1..4 quarters
    it = "Indicata dal valutatore";
    en = "Stated by the assessor";
  } else if (unintelligible && losses.LastingLoss()) {
    it = "Massima: i dati sono incomprensibili a terzi, ma gli interessati hanno perso integrità o "
         "disponibilità dei propri dati, che la cifratura non attenua";
    en = "Maximum: the data are unintelligible to others, but the people lost the integrity or "
         "availability of their own data, which encryption does not lessen";
  } else if (UnintelligibleByEncryption(b)) {
    ei = 1;
    it = "Trascurabile: dati cifrati con chiave non compromessa";
    en = "Negligible: data encrypted with an uncompromised key";
  } else if (f.only_unintelligible_data_left()) {
    ei = 1;
    it = "Trascurabile: solo dati incomprensibili (cifrati o hash con sale) hanno lasciato il titolare";
    en = "Negligible: only unintelligible data (encrypted or salted hashes) left the controller";
  } else if (b.technical_measures().pseudonymised() && !b.pseudonymisation_reversed()) {
    ei = 2;
    it = "Limitata: dati pseudonimizzati, pseudonimizzazione non decifrata";
    en = "Limited: pseudonymised data, pseudonymisation not reversed";
  }
  AddFactor(out, "ei", ei / 4.0, it, en);
  return ei;
}

void AddCircumstanceFactors(const Circumstances& c, SeverityAssessment& out) {
  AddFactor(out, "cb.confidentiality", c.confidentiality.quarters / 4.0,
            "Perdita di riservatezza: " + c.confidentiality.why_it,
            "Loss of confidentiality: " + c.confidentiality.why_en);
  AddFactor(out, "cb.integrity", c.integrity.quarters / 4.0,
            "Perdita di integrità: " + c.integrity.why_it, "Loss of integrity: " + c.integrity.why_en);
  AddFactor(out, "cb.availability", c.availability.quarters / 4.0,
            "Perdita di disponibilità: " + c.availability.why_it,
            "Loss of availability: " + c.availability.why_en);
  AddFactor(out, "cb.malicious_intent", c.malicious_intent.quarters / 4.0,
            c.malicious_intent.why_it, c.malicious_intent.why_en);
}

// The band edge (2, 3 or 4) nearest to the score, in quarters.
Quarters NearestBandEdge(Quarters score) {
  static constexpr Quarters kEdges[] = {8, 12, 16};
  Quarters nearest = kEdges[0];
  for (const Quarters edge : kEdges) {
    if (std::abs(score - edge) < std::abs(score - nearest)) nearest = edge;
  }
  return nearest;
}

}  // namespace

SeverityParams SeverityParamsOf(const breach::v1::Regime& regime) {
  return SeverityParams{.large_volume_subjects = regime.large_volume_subjects(),
                        .small_volume_records = regime.small_volume_records(),
                        .short_unavailability_hours = regime.short_unavailability_hours()};
}

breach::v1::SeverityBand BandOf(double score) {
  if (score < 2.0) return breach::v1::SEVERITY_BAND_LOW;
  if (score < 3.0) return breach::v1::SEVERITY_BAND_MEDIUM;
  if (score < 4.0) return breach::v1::SEVERITY_BAND_HIGH;
  return breach::v1::SEVERITY_BAND_VERY_HIGH;
}

absl::StatusOr<SeverityAssessment> AssessSeverity(const breach::v1::RiskAssessment& assessment,
                                                  const SeverityParams& params) {
  SeverityAssessment out;
  RETURN_IF_ERROR(AssessSeverityInto(assessment, params, out));
  return out;
}

absl::Status AssessSeverityInto(const breach::v1::RiskAssessment& assessment,
                                const SeverityParams& params, SeverityAssessment& out) {
  RETURN_IF_ERROR(ValidateRiskAssessment(assessment));
  const AllegatoB& b = assessment.allegato_b();
  const BreachFacts& f = assessment.facts();
  out.Clear();
  out.set_method("ENISA 2013");
  const Circumstances losses = AssessCircumstances(
      b, f, CircumstanceParams{.short_unavailability_hours = params.short_unavailability_hours});
  const int dpc = DataProcessingContext(b, f, params, out);
  const Quarters ei = EaseOfIdentification(b, f, losses, out);
  AddCircumstanceFactors(losses, out);
  const Quarters cb = losses.Total();
  const Quarters score = dpc * ei + cb;
  const Quarters edge = NearestBandEdge(score);
  out.set_nearest_band_edge(edge / 4.0);
  out.set_band_edge_distance(std::abs(score - edge) / 4.0);
  out.set_data_processing_context(dpc);
  out.set_ease_of_identification(ei / 4.0);
  out.set_circumstances(cb / 4.0);
  out.set_score(score / 4.0);  // exact: a multiple of 0.25
  out.set_band(BandOf(out.score()));
  return absl::OkStatus();
}

}  // namespace breachd::regulation
