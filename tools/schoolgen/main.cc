// schoolgen: writes a realistic school directory as CSV (the Ministry's columns plus SERVIZI,
// DPONOME, DPOEMAIL), for tests, demos and benchmarks.
//   build/bin/schoolgen                      # 10,000 schools on stdout
//   build/bin/schoolgen --count=200 --seed=7 --out=schools.csv
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/directory/generator.h"
#include "libs/directory/school_csv.h"

ABSL_FLAG(int, count, 10000, "How many schools (1..1,000,000)");
ABSL_FLAG(uint64_t, seed, 1, "Random seed: the same seed gives the same directory");
ABSL_FLAG(std::string, out, "", "Write here instead of stdout");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Writes a realistic school directory as CSV.\n  schoolgen [--count=10000] [--seed=1] "
      "[--out=FILE]");
  absl::ParseCommandLine(argc, argv);
  const int count = absl::GetFlag(FLAGS_count);
  if (count < 1 || count > 1'000'000) {
    std::fprintf(stderr, "schoolgen: --count must be between 1 and 1000000, not %d\n", count);
    return 2;
  }
  const std::string csv = breachd::directory::WriteSchoolCsv(
      breachd::directory::GenerateDirectory(count, absl::GetFlag(FLAGS_seed)));
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::cout << csv;
    return std::cout.good() ? 0 : 1;
  }
  std::ofstream file(out, std::ios::trunc);
  file << csv;
  if (!file.flush()) {
    std::fprintf(stderr, "schoolgen: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}
