// What per-school encryption costs a report: SealPersonalData (before every append) and
// OpenPersonalData (in every answer) of a full Allegato A with a 2 KB description, against the
// peer, serializing the same report (which every append does anyway). Prints the ratio. Also
// what the notification pays for a draft (two documents of 4 KB and their ten fields each, sealed
// as AddDraft does), and what a read record pays for its reader (one value, the month's key).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "breach/v1/intake.pb.h"
#include "breach/v1/notification.pb.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/privacy/field_cipher.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"

namespace {

using namespace breachd;  // NOLINT: benchmark

struct Fixture {
  testing::ScratchDir dir{"privacy_bench"};
  std::unique_ptr<privacy::Keyring> keyring;
  std::unique_ptr<privacy::FieldCipher> cipher;
  breach::v1::Report report;
  breach::v1::Draft draft;

  Fixture() {
    keyring = *privacy::Keyring::Open(dir.path() + "/keyring",
                                      *privacy::MasterKeyWrapper::FromKey(std::string(32, 'k')));
    cipher = std::make_unique<privacy::FieldCipher>(*keyring);
    auto* form = report.mutable_report();
    form->set_tenant("MIIS01200V");
    form->set_place("Aula 12, Liceo Vespucci, Milano");
    form->mutable_reporter()->set_name("Mario Rossi");
    form->mutable_reporter()->set_email("mario.rossi@example.it");
    form->mutable_reporter()->set_phone("+39 02 1234567");
    form->add_databases("Registro elettronico");
    form->add_databases("Segreteria digitale");
    form->set_description(std::string(2048, 'd'));
    form->set_actions_taken(std::string(512, 'a'));
    form->set_department_head("Prof. Bianchi");
    form->set_approx_data_subjects(120);
    *report.mutable_current() = *form;
    draft.set_breach_id("01KB3M9X7Q2W8E4R6T1Y5U3I0P");
    draft.set_tenant("MIIS01200V");
    draft.set_sha256(std::string(64, 'f'));
    for (const char* language : {"it", "en"}) {
      breach::v1::NotificationDraft& document = *draft.add_documents();
      document.set_language(language);
      document.set_document(std::string(4096, 'm'));
      for (int i = 0; i < 10; ++i) {
        breach::v1::DraftField& field = *document.add_fields();
        field.set_name("field");
        field.set_value(std::string(200, 'v'));
      }
    }
  }
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_Serialize(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(f.report.SerializeAsString());
}
BENCHMARK(BM_Serialize);

// Seals a fresh copy of `message` for `tenant` per iteration, serialized as it is stored.
template <typename Message>
void SealCopies(benchmark::State& state, const Message& message, const char* tenant) {
  Fixture& f = Shared();
  for (auto _ : state) {
    Message copy = message;
    if (!f.cipher->SealPersonalData(copy, tenant).ok()) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(copy.SerializeAsString());
  }
}

void BM_SealReport(benchmark::State& state) {
  Fixture& f = Shared();
  SealCopies(state, f.report, "MIIS01200V");
}
BENCHMARK(BM_SealReport);

// The same for a school whose key was rotated: the seal reads the current-key pointer (a small
// file, read afresh each time so that every process follows a rotation at once).
void BM_SealReportRotatedKey(benchmark::State& state) {
  Fixture& f = Shared();
  static const bool rotated = f.keyring->Rotate(privacy::SchoolKeyId("RMIC81500L")).ok();
  if (!rotated) state.SkipWithError("rotation failed");
  SealCopies(state, f.report, "RMIC81500L");
}
BENCHMARK(BM_SealReportRotatedKey);

void BM_OpenReport(benchmark::State& state) {
  Fixture& f = Shared();
  breach::v1::Report sealed = f.report;
  if (!f.cipher->SealPersonalData(sealed, "MIIS01200V").ok()) state.SkipWithError("seal failed");
  for (auto _ : state) {
    breach::v1::Report copy = sealed;
    f.cipher->OpenPersonalData(copy);
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_OpenReport);

void BM_SealDraft(benchmark::State& state) {
  Fixture& f = Shared();
  SealCopies(state, f.draft, "MIIS01200V");
}
BENCHMARK(BM_SealDraft);

void BM_SerializeDraft(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(f.draft.SerializeAsString());
}
BENCHMARK(BM_SerializeDraft);

void BM_SealReader(benchmark::State& state) {
  Fixture& f = Shared();
  const absl::Time now = absl::Now();
  for (auto _ : state) {
    breach::v1::Actor reader;
    reader.set_subject("user:dpo-vespucci");
    if (!f.cipher->SealReader(reader, "MIIS01200V", now).ok()) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(reader);
  }
}
BENCHMARK(BM_SealReader);

// Prints each benchmark's time and its ratio to serializing the report.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const double ns = run.GetAdjustedRealTime();
      if (run.benchmark_name() == "BM_Serialize") serialize_ns_ = ns;
      if (serialize_ns_ > 0) {
        std::printf("  %s: %.1f us per report, %.1fx serializing it\n",
                    run.benchmark_name().c_str(), ns / 1000, ns / serialize_ns_);
      }
    }
  }

 private:
  double serialize_ns_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  return 0;
}
