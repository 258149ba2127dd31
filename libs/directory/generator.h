// A realistic school directory of any size, for tests, demos and benchmarks: plausible codes
// (province + school type + number + check letter), names, addresses, postcodes, municipalities,
// school and PEC addresses in the Ministry's domains, DPOs and the services used. Deterministic
// for a seed, every code unique, and every school valid for ValidateSchool.
#pragma once

#include <cstdint>
#include <vector>

#include "libs/directory/school.h"

namespace breachd::directory {

// The provider's services a generated school may use (each uses one to all of them).
inline constexpr const char* kProviderServices[] = {"registro-elettronico", "segreteria-digitale",
                                                    "pagamenti", "sito-web", "albo-online"};

std::vector<School> GenerateDirectory(int count, uint64_t seed = 1);

}  // namespace breachd::directory
