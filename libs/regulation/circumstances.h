// ENISA (2013) circumstances of the breach, the CB of SE = DPC x EI + CB: loss of
// confidentiality, integrity and availability, and malicious intent. Each loss may be stated in
// the facts or is derived from the exposure types; every term carries its reason.
#pragma once

#include <cstdint>
#include <string>

#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

// Quarter points, so that sums and band edges compare exactly.
using Quarters = int;

struct CircumstanceTerm {
  Quarters quarters = 0;
  std::string why_it;  // completes "Perdita di ...: " (the intent's reason stands alone)
  std::string why_en;
};

struct Circumstances {
  CircumstanceTerm confidentiality;
  CircumstanceTerm integrity;
  CircumstanceTerm availability;
  CircumstanceTerm malicious_intent;

  Quarters Total() const {
    return confidentiality.quarters + integrity.quarters + availability.quarters +
           malicious_intent.quarters;
  }
  // The people lost (for a while or for good) the integrity or availability of their own data.
  bool LastingLoss() const { return integrity.quarters > 0 || availability.quarters > 0; }
};

struct CircumstanceParams {
  // Data back within this many hours count as recovered without difficulty (0: disabled).
  int64_t short_unavailability_hours = 0;
};

// Expects an assessment that passed ValidateRiskAssessment.
Circumstances AssessCircumstances(const breach::v1::AllegatoB& b, const breach::v1::BreachFacts& f,
                                  const CircumstanceParams& params);

}  // namespace breachd::regulation
