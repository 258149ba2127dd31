#include "libs/regulation/circumstances.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"

namespace breachd::regulation {
namespace {

using breach::v1::AllegatoB;
using breach::v1::BreachFacts;

bool HasExposure(const AllegatoB& b, breach::v1::ExposureType type) {
  return std::find(b.exposure_types().begin(), b.exposure_types().end(), type) !=
         b.exposure_types().end();
}

CircumstanceTerm Term(Quarters quarters, std::string why_it, std::string why_en) {
  return CircumstanceTerm{quarters, std::move(why_it), std::move(why_en)};
}

// A loss the assessor stated: none 0, the middle grade +0.25, the worst +0.5; nothing when the
// loss is UNSPECIFIED and must be derived.
template <typename Loss>
std::optional<CircumstanceTerm> StatedLoss(Loss loss, Loss none, Loss middle, Loss worst) {
  const Quarters quarters = loss == none ? 0 : loss == middle ? 1 : loss == worst ? 2 : -1;
  if (quarters < 0) return std::nullopt;
  return Term(quarters, "indicata dal valutatore", "stated by the assessor");
}

// ENISA: "data can be recovered without any difficulty" scores 0; the regime says how long an
// interruption may last and still count as that (EDPB 01/2021, cases 1 and 2: hours vs days).
bool BackWithinShortWindow(const BreachFacts& f, const CircumstanceParams& params) {
  return params.short_unavailability_hours > 0 &&
         f.unavailability_hours() <= params.short_unavailability_hours;
}

CircumstanceTerm Confidentiality(const AllegatoB& b, const BreachFacts& f) {
  if (auto stated = StatedLoss(f.confidentiality_loss(), breach::v1::CONFIDENTIALITY_LOSS_NONE,
                               breach::v1::CONFIDENTIALITY_LOSS_KNOWN_RECIPIENTS,
                               breach::v1::CONFIDENTIALITY_LOSS_UNKNOWN_RECIPIENTS)) {
    return *std::move(stated);
  }
  const bool exposed = HasExposure(b, breach::v1::EXPOSURE_TYPE_READ) ||
                       HasExposure(b, breach::v1::EXPOSURE_TYPE_COPY) ||
                       HasExposure(b, breach::v1::EXPOSURE_TYPE_THEFT) || f.data_left_control();
  if (!exposed) {
    return Term(0, "nessuna lettura, copia o sottrazione dei dati",
                "no reading, copying or theft of the data");
  }
  if (f.only_unintelligible_data_left()) {
    return Term(0,
                "i dati hanno lasciato il titolare solo in forma incomprensibile (cifratura o hash "
                "con sale allo stato dell'arte, chiave al sicuro): nessun contenuto rivelato",
                "the data left the controller only in unintelligible form (state-of-the-art "
                "encryption or salted hashes, key safe): no content disclosed");
  }
  if (f.recipient() == breach::v1::RECIPIENT_TRUST_TRUSTED) {
    return Term(1, "dati esposti a destinatari noti e affidabili",
                "data exposed to known, trusted recipients");
  }
  if (f.recipient() == breach::v1::RECIPIENT_TRUST_UNKNOWN) {
    return Term(2, "dati esposti a destinatari sconosciuti o non affidabili",
                "data exposed to unknown or untrusted recipients");
  }
  return Term(2, "dati esposti, destinatari non noti: si assume il caso peggiore",
              "data exposed, recipients not known: the worst case is assumed");
}

CircumstanceTerm Integrity(const AllegatoB& b, const BreachFacts& f,
                           const CircumstanceParams& params) {
  if (auto stated = StatedLoss(f.integrity_loss(), breach::v1::INTEGRITY_LOSS_NONE,
                               breach::v1::INTEGRITY_LOSS_RECOVERABLE,
                               breach::v1::INTEGRITY_LOSS_IRRECOVERABLE)) {
    return *std::move(stated);
  }
  if (!HasExposure(b, breach::v1::EXPOSURE_TYPE_ALTERATION)) {
    return Term(0, "nessuna alterazione dei dati", "no alteration of the data");
  }
  if (!f.backup_available()) {
    return Term(2, "dati alterati senza backup per ripristinarli",
                "data altered with no backup to restore them");
  }
  if (BackWithinShortWindow(f, params)) {
    return Term(0,
                absl::StrCat("dati alterati, ripristinati dal backup entro ",
                             params.short_unavailability_hours, " ore: recuperati senza difficoltà"),
                absl::StrCat("data altered, restored from backup within ",
                             params.short_unavailability_hours, " hours: recovered without difficulty"));
  }
  return Term(1, "dati alterati, ripristinabili dal backup", "data altered, recoverable from backup");
}

CircumstanceTerm Availability(const AllegatoB& b, const BreachFacts& f,
                              const CircumstanceParams& params) {
  if (auto stated = StatedLoss(f.availability_loss(), breach::v1::AVAILABILITY_LOSS_NONE,
                               breach::v1::AVAILABILITY_LOSS_TEMPORARY,
                               breach::v1::AVAILABILITY_LOSS_PERMANENT)) {
    return *std::move(stated);
  }
  const bool gone = HasExposure(b, breach::v1::EXPOSURE_TYPE_DELETION) ||
                    HasExposure(b, breach::v1::EXPOSURE_TYPE_THEFT);
  const int64_t hours = f.unavailability_hours();
  if (!gone && hours == 0) {
    return Term(0, "i dati restano disponibili", "the data remain available");
  }
  if (gone && !f.backup_available()) {
    return Term(2, "dati cancellati o sottratti senza backup: perdita definitiva",
                "data deleted or taken with no backup: permanent loss");
  }
  if (hours == 0) {
    return Term(0, "dati ripristinati dal backup senza interruzione",
                "data restored from backup without interruption");
  }
  if (BackWithinShortWindow(f, params)) {
    return Term(0,
                absl::StrCat("dati non disponibili per circa ", hours, " ore, entro le ",
                             params.short_unavailability_hours,
                             " del regime: recuperati senza difficoltà"),
                absl::StrCat("data unavailable for about ", hours, " hours, within the regime's ",
                             params.short_unavailability_hours, ": recovered without difficulty"));
  }
  return Term(1, absl::StrCat("dati non disponibili per circa ", hours, " ore"),
              absl::StrCat("data unavailable for about ", hours, " hours"));
}

// The intent aggravates what reached the people; when the author got only unintelligible data
// and nothing was altered or lost, there is nothing for it to aggravate.
CircumstanceTerm MaliciousIntent(const BreachFacts& f, const Circumstances& losses) {
  switch (f.cause()) {
    case breach::v1::BREACH_CAUSE_MALICIOUS:
      if (f.only_unintelligible_data_left() && !losses.LastingLoss()) {
        return Term(0,
                    "Intento malevolo, ma l'autore ha ottenuto solo dati incomprensibili e nulla "
                    "è stato alterato o perso",
                    "Malicious intent, but the author got only unintelligible data and nothing "
                    "was altered or lost");
      }
      return Term(2, "Intento malevolo", "Malicious intent");
    case breach::v1::BREACH_CAUSE_ACCIDENTAL:
      return Term(0, "Evento accidentale", "Accidental event");
    default:
      return Term(0, "Causa non ancora nota: nessun intento malevolo accertato",
                  "Cause not yet known: no malicious intent established");
  }
}

}  // namespace

Circumstances AssessCircumstances(const AllegatoB& b, const BreachFacts& f,
                                  const CircumstanceParams& params) {
  Circumstances c;
  c.confidentiality = Confidentiality(b, f);
  c.integrity = Integrity(b, f, params);
  c.availability = Availability(b, f, params);
  c.malicious_intent = MaliciousIntent(f, c);
  return c;
}

}  // namespace breachd::regulation
