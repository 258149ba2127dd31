#include "libs/regulation/severity.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/regulation/assessment_validation.h"
#include "libs/regulation/bilingual.h"

namespace breachd::regulation {
namespace {

using breach::v1::AllegatoB;
using breach::v1::BreachFacts;
using breach::v1::SeverityAssessment;

// Scores are kept in quarter points so that band boundaries (2.0, 3.0, 4.0) compare exactly.
using Quarters = int;

void AddFactor(SeverityAssessment& out, std::string name, double value, std::string it,
               std::string en) {
  auto* factor = out.add_factors();
  factor->set_name(std::move(name));
  factor->set_value(value);
  SetBilingual(factor->mutable_reason(), std::move(it), std::move(en));
}

bool HasExposure(const AllegatoB& b, breach::v1::ExposureType type) {
  return std::find(b.exposure_types().begin(), b.exposure_types().end(), type) !=
         b.exposure_types().end();
}

bool HasNature(const AllegatoB& b, breach::v1::DataNature nature) {
  return std::find(b.data_nature().begin(), b.data_nature().end(), nature) !=
         b.data_nature().end();
}

bool UnintelligibleByEncryption(const AllegatoB& b) {
  return b.technical_measures().encrypted() &&
         b.technical_measures().key_status() == breach::v1::ENCRYPTION_KEY_STATUS_SECURE;
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

// Ease of identification in quarters (1..4).
Quarters EaseOfIdentification(const AllegatoB& b, const BreachFacts& f, SeverityAssessment& out) {
  Quarters ei = 4;
  std::string it = "Massima: i dati scolastici identificano direttamente le persone (nome, classe)";
  std::string en = "Maximum: school records identify people directly (name, class)";
  if (f.ease_of_identification() != breach::v1::EASE_OF_IDENTIFICATION_UNSPECIFIED) {
    ei = static_cast<int>(f.ease_of_identification());  // enum values are 1..4 quarters
    it = "Indicata dal valutatore";
    en = "Stated by the assessor";
  } else if (UnintelligibleByEncryption(b)) {
    ei = 1;
    it = "Trascurabile: dati cifrati con chiave non compromessa";
    en = "Negligible: data encrypted with an uncompromised key";
  } else if (b.technical_measures().pseudonymised() && !b.pseudonymisation_reversed()) {
    ei = 2;
    it = "Limitata: dati pseudonimizzati, pseudonimizzazione non decifrata";
    en = "Limited: pseudonymised data, pseudonymisation not reversed";
  }
  AddFactor(out, "ei", ei / 4.0, it, en);
  return ei;
}

Quarters Confidentiality(const AllegatoB& b, const BreachFacts& f, SeverityAssessment& out) {
  auto loss = f.confidentiality_loss();
  std::string why_it = "indicata dal valutatore";
  std::string why_en = "stated by the assessor";
  if (loss == breach::v1::CONFIDENTIALITY_LOSS_UNSPECIFIED) {
    const bool exposed = HasExposure(b, breach::v1::EXPOSURE_TYPE_READ) ||
                         HasExposure(b, breach::v1::EXPOSURE_TYPE_COPY) ||
                         HasExposure(b, breach::v1::EXPOSURE_TYPE_THEFT) || f.data_left_control();
    if (!exposed) {
      loss = breach::v1::CONFIDENTIALITY_LOSS_NONE;
      why_it = "nessuna lettura, copia o sottrazione dei dati";
      why_en = "no reading, copying or theft of the data";
    } else if (f.recipient() == breach::v1::RECIPIENT_TRUST_TRUSTED) {
      loss = breach::v1::CONFIDENTIALITY_LOSS_KNOWN_RECIPIENTS;
      why_it = "dati esposti a destinatari noti e affidabili";
      why_en = "data exposed to known, trusted recipients";
    } else {
      loss = breach::v1::CONFIDENTIALITY_LOSS_UNKNOWN_RECIPIENTS;
      why_it = f.recipient() == breach::v1::RECIPIENT_TRUST_UNKNOWN
                   ? "dati esposti a destinatari sconosciuti o non affidabili"
                   : "dati esposti, destinatari non noti: si assume il caso peggiore";
      why_en = f.recipient() == breach::v1::RECIPIENT_TRUST_UNKNOWN
                   ? "data exposed to unknown or untrusted recipients"
                   : "data exposed, recipients not known: the worst case is assumed";
    }
  }
  const Quarters q = loss == breach::v1::CONFIDENTIALITY_LOSS_KNOWN_RECIPIENTS     ? 1
                     : loss == breach::v1::CONFIDENTIALITY_LOSS_UNKNOWN_RECIPIENTS ? 2
                                                                                   : 0;
  AddFactor(out, "cb.confidentiality", q / 4.0, "Perdita di riservatezza: " + why_it,
            "Loss of confidentiality: " + why_en);
  return q;
}

Quarters Integrity(const AllegatoB& b, const BreachFacts& f, SeverityAssessment& out) {
  auto loss = f.integrity_loss();
  std::string why_it = "indicata dal valutatore";
  std::string why_en = "stated by the assessor";
  if (loss == breach::v1::INTEGRITY_LOSS_UNSPECIFIED) {
    if (!HasExposure(b, breach::v1::EXPOSURE_TYPE_ALTERATION)) {
      loss = breach::v1::INTEGRITY_LOSS_NONE;
      why_it = "nessuna alterazione dei dati";
      why_en = "no alteration of the data";
    } else if (f.backup_available()) {
      loss = breach::v1::INTEGRITY_LOSS_RECOVERABLE;
      why_it = "dati alterati, ripristinabili dal backup";
      why_en = "data altered, recoverable from backup";
    } else {
      loss = breach::v1::INTEGRITY_LOSS_IRRECOVERABLE;
      why_it = "dati alterati senza backup per ripristinarli";
      why_en = "data altered with no backup to restore them";
    }
  }
  const Quarters q = loss == breach::v1::INTEGRITY_LOSS_RECOVERABLE     ? 1
                     : loss == breach::v1::INTEGRITY_LOSS_IRRECOVERABLE ? 2
                                                                        : 0;
  AddFactor(out, "cb.integrity", q / 4.0, "Perdita di integrità: " + why_it,
            "Loss of integrity: " + why_en);
  return q;
}

Quarters Availability(const AllegatoB& b, const BreachFacts& f, SeverityAssessment& out) {
  auto loss = f.availability_loss();
  std::string why_it = "indicata dal valutatore";
  std::string why_en = "stated by the assessor";
  if (loss == breach::v1::AVAILABILITY_LOSS_UNSPECIFIED) {
    const bool gone = HasExposure(b, breach::v1::EXPOSURE_TYPE_DELETION) ||
                      HasExposure(b, breach::v1::EXPOSURE_TYPE_THEFT);
    if (!gone && f.unavailability_hours() == 0) {
      loss = breach::v1::AVAILABILITY_LOSS_NONE;
      why_it = "i dati restano disponibili";
      why_en = "the data remain available";
    } else if (gone && !f.backup_available()) {
      loss = breach::v1::AVAILABILITY_LOSS_PERMANENT;
      why_it = "dati cancellati o sottratti senza backup: perdita definitiva";
      why_en = "data deleted or taken with no backup: permanent loss";
    } else if (f.unavailability_hours() > 0) {
      loss = breach::v1::AVAILABILITY_LOSS_TEMPORARY;
      why_it = absl::StrCat("dati non disponibili per circa ", f.unavailability_hours(), " ore");
      why_en = absl::StrCat("data unavailable for about ", f.unavailability_hours(), " hours");
    } else {
      loss = breach::v1::AVAILABILITY_LOSS_NONE;
      why_it = "dati ripristinati dal backup senza interruzione";
      why_en = "data restored from backup without interruption";
    }
  }
  const Quarters q = loss == breach::v1::AVAILABILITY_LOSS_TEMPORARY   ? 1
                     : loss == breach::v1::AVAILABILITY_LOSS_PERMANENT ? 2
                                                                       : 0;
  AddFactor(out, "cb.availability", q / 4.0, "Perdita di disponibilità: " + why_it,
            "Loss of availability: " + why_en);
  return q;
}

Quarters MaliciousIntent(const BreachFacts& f, SeverityAssessment& out) {
  switch (f.cause()) {
    case breach::v1::BREACH_CAUSE_MALICIOUS:
      AddFactor(out, "cb.malicious_intent", 0.5, "Intento malevolo", "Malicious intent");
      return 2;
    case breach::v1::BREACH_CAUSE_ACCIDENTAL:
      AddFactor(out, "cb.malicious_intent", 0, "Evento accidentale", "Accidental event");
      return 0;
    default:
      AddFactor(out, "cb.malicious_intent", 0,
                "Causa non ancora nota: nessun intento malevolo accertato",
                "Cause not yet known: no malicious intent established");
      return 0;
  }
}

}  // namespace

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
  const int dpc = DataProcessingContext(b, f, params, out);
  const Quarters ei = EaseOfIdentification(b, f, out);
  const Quarters cb =
      Confidentiality(b, f, out) + Integrity(b, f, out) + Availability(b, f, out) +
      MaliciousIntent(f, out);
  const Quarters score = dpc * ei + cb;
  out.set_data_processing_context(dpc);
  out.set_ease_of_identification(ei / 4.0);
  out.set_circumstances(cb / 4.0);
  out.set_score(score / 4.0);  // exact: a multiple of 0.25
  out.set_band(BandOf(out.score()));
  return absl::OkStatus();
}

}  // namespace breachd::regulation
