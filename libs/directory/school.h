// The provider's schools (its controllers): who they are, how to reach them and their DPO, and
// which of the provider's services they use (what a provider-wide incident can select on).
#pragma once

#include <string>
#include <vector>

namespace breachd::directory {

struct School {
  std::string code;          // codice meccanografico, e.g. "MIIS01200V"
  std::string name;          // DENOMINAZIONESCUOLA
  std::string address;       // INDIRIZZOSCUOLA
  std::string postcode;      // CAPSCUOLA: five digits
  std::string municipality;  // DESCRIZIONECOMUNE
  std::string email;         // INDIRIZZOEMAILSCUOLA
  std::string pec;           // INDIRIZZOPECSCUOLA: certified e-mail, where the Garante writes
  std::string dpo_name;      // DPONOME (ours, optional)
  std::string dpo_email;     // DPOEMAIL (ours, optional)
  std::vector<std::string> services;  // SERVIZI (ours): the provider's services the school uses

  bool operator==(const School&) const = default;
};

}  // namespace breachd::directory
