#include "libs/directory/generator.h"

#include <random>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace breachd::directory {
namespace {

struct Province {
  const char* code;
  const char* postcode_prefix;  // first two digits of its postcodes
  std::vector<const char*> towns;
};

const std::vector<Province>& Provinces() {
  static const auto* const provinces = new std::vector<Province>{
      {"MI", "20", {"Milano", "Monza", "Rho", "Legnano", "Sesto San Giovanni", "Lodi"}},
      {"RM", "00", {"Roma", "Tivoli", "Guidonia Montecelio", "Civitavecchia", "Velletri"}},
      {"NA", "80", {"Napoli", "Pozzuoli", "Torre del Greco", "Casoria", "Portici"}},
      {"TO", "10", {"Torino", "Moncalieri", "Collegno", "Pinerolo", "Chieri"}},
      {"PA", "90", {"Palermo", "Bagheria", "Monreale", "Partinico", "Termini Imerese"}},
      {"BA", "70", {"Bari", "Altamura", "Molfetta", "Monopoli", "Bitonto"}},
      {"FI", "50", {"Firenze", "Empoli", "Scandicci", "Sesto Fiorentino", "Prato"}},
      {"BO", "40", {"Bologna", "Imola", "Casalecchio di Reno", "San Lazzaro di Savena"}},
      {"RG", "97", {"Ragusa", "Vittoria", "Modica", "Comiso", "Scicli"}},
      {"VE", "30", {"Venezia", "Mestre", "Chioggia", "San Donà di Piave", "Mirano"}},
  };
  return *provinces;
}

// School type: the code's two letters after the province, and the name's opening words.
struct SchoolType {
  const char* code;
  const char* name;
};
constexpr SchoolType kTypes[] = {
    {"IC", "Istituto Comprensivo"},       {"IS", "Istituto di Istruzione Superiore"},
    {"PS", "Liceo Scientifico"},          {"PC", "Liceo Classico"},
    {"TD", "Istituto Tecnico Economico"}, {"TF", "Istituto Tecnico Tecnologico"},
    {"RI", "Istituto Professionale"},     {"MM", "Scuola Secondaria di I grado"},
};
constexpr const char* kNamesakes[] = {
    "Amerigo Vespucci", "Galileo Galilei", "Maria Montessori", "Dante Alighieri",
    "Leonardo da Vinci", "Grazia Deledda", "Enrico Fermi",   "Giuseppe Mazzini",
    "Rita Levi-Montalcini", "Alessandro Manzoni", "Luigi Pirandello", "Don Lorenzo Milani"};
constexpr const char* kStreets[] = {"Via Roma", "Viale della Repubblica", "Via Garibaldi",
                                    "Via Giuseppe Verdi", "Piazza della Libertà", "Via XX Settembre",
                                    "Via dei Mille", "Corso Italia"};
constexpr const char* kDpoNames[] = {"Avv. Giuseppe Russo", "Dott.ssa Laura Bianchi",
                                     "Ing. Marco Esposito", "Avv. Chiara Romano",
                                     "Dott. Paolo Ricci"};
// The check character of a codice meccanografico; any letter or digit is accepted here.
constexpr char kCheck[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

template <typename T, size_t N>
const T& Pick(const T (&items)[N], std::mt19937_64& random) {
  return items[random() % N];
}

}  // namespace

std::vector<School> GenerateDirectory(int count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<School> schools;
  std::set<std::string> codes;
  schools.reserve(count);
  while (static_cast<int>(schools.size()) < count) {
    const Province& province = Provinces()[random() % Provinces().size()];
    const SchoolType& type = Pick(kTypes, random);
    School school;
    school.code = absl::StrFormat("%s%s%05d%c", province.code, type.code, random() % 100000,
                                  kCheck[random() % (sizeof(kCheck) - 1)]);
    if (!codes.insert(school.code).second) continue;
    const std::string town = province.towns[random() % province.towns.size()];
    school.name = absl::StrCat(type.name, " \"", Pick(kNamesakes, random), "\" - ", town);
    school.address = absl::StrCat(Pick(kStreets, random), " ", 1 + random() % 180);
    school.postcode = absl::StrFormat("%s%03d", province.postcode_prefix, random() % 1000);
    school.municipality = absl::AsciiStrToUpper(town);
    const std::string mailbox = absl::AsciiStrToLower(school.code);
    school.email = absl::StrCat(mailbox, "@istruzione.it");
    school.pec = absl::StrCat(mailbox, "@pec.istruzione.it");
    school.dpo_name = Pick(kDpoNames, random);
    school.dpo_email = absl::StrCat("dpo.", mailbox, "@example.org");
    for (const char* service : kProviderServices) {
      if (school.services.empty() || random() % 2 == 0) school.services.push_back(service);
    }
    schools.push_back(std::move(school));
  }
  return schools;
}

}  // namespace breachd::directory
