// The breach lifecycle end to end, as a school would live it, once per school example in
// docs/examples/: one breachd with every service and the embedded bus, shared by the whole suite,
// driven only through breachctl. report -> triage -> action -> assess -> (override) -> decide
// -> close; the register shows status, classification and duties, the timeline every step with
// who and when, and every store verifies.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

const std::string kBin = BREACHD_BIN_DIR;
const std::string kSource = BREACHD_SOURCE_DIR;
const std::string kExamples = kSource + "/docs/examples/";

// A human decision that replaces the engine's on one duty (`breachctl duty override`).
struct Override {
  std::string duty;  // authority | subjects | controller
  bool required;
  std::string reason;
};

// One school example: its Allegato A, its Allegato B, and what the register must show once the
// duties are decided. The classification and duties are the engine's today (gdpr-it@2026-11 and
// the other regimes in regimes/), overrides applied; docs/assessment.md, section 7.
struct SchoolExample {
  std::string name;        // the test's name
  std::string report;      // docs/examples/ file (Allegato A)
  std::string assessment;  // docs/examples/ file (Allegato B); its breach_id, tenant and
                           // awareness_time are the example's own and are left out
  std::string action;      // what IT records as done
  int classification;
  std::map<std::string, bool> duties;  // DutyKind name -> required, after any override
  std::optional<Override> override = std::nullopt;
};

void PrintTo(const SchoolExample& example, std::ostream* os) { *os << example.name; }

const char kRegister[] = "DUTY_KIND_REGISTER_ENTRY";
const char kAuthority[] = "DUTY_KIND_AUTHORITY_NOTIFICATION";
const char kSubjects[] = "DUTY_KIND_SUBJECT_COMMUNICATION";

// One breachd with every service on the embedded bus for the whole suite: each example is its
// own breach, so they do not disturb each other, and the suite pays for one start.
class LifecycleEndToEndTest : public ::testing::TestWithParam<SchoolExample> {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new ScratchDir("LifecycleEndToEndTest");
    WriteTwoSchoolIdentity(scratch_->path() + "/identity.json");
    StartBreachd();
  }

  static void TearDownTestSuite() {
    StopBreachd();
    delete scratch_;
    scratch_ = nullptr;
  }

  // Starts breachd on the suite's data folder (again, after StopBreachd) and waits until it is
  // ready; on failure the suite's tests fail in SetUp.
  static void StartBreachd() {
    const std::string dir = scratch_->path();
    const std::string ready = dir + "/ready.json";
    std::filesystem::remove(ready);
    auto process = ChildProcess::Start(
        {kBin + "/breachd", "--services=all", "--kafka=embedded", "--listen=127.0.0.1:0",
         "--data_dir=" + dir + "/data", "--identity_file=" + dir + "/identity.json",
         "--ready_file=" + ready, "--regimes_dir=" + kSource + "/regimes",
         "--templates_dir=" + kSource + "/templates", "--insecure"},
        dir + "/breachd");
    if (!process.ok()) {
      ADD_FAILURE() << process.status();
      return;
    }
    breachd_ = new ChildProcess(*std::move(process));
    if (!WaitUntil([&] { return !ReadFile(ready).empty(); }, absl::Seconds(60))) {
      ADD_FAILURE() << "breachd did not start: " << breachd_->Stderr();
      return;
    }
    endpoint_ = new std::string(nlohmann::json::parse(ReadFile(ready))["endpoint"]);
  }

  static void StopBreachd() {
    if (breachd_ != nullptr && breachd_->Running()) breachd_->Signal(SIGTERM);
    delete breachd_;
    delete endpoint_;
    breachd_ = nullptr;
    endpoint_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(endpoint_, nullptr) << "breachd is not running"; }

  static CommandResult Breachctl(std::vector<std::string> args, const std::string& token,
                                 const std::string& input = "") {
    std::vector<std::string> argv = {kBin + "/breachctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, input,
                      {"BREACHCTL_ENDPOINT=" + *endpoint_, "BREACHCTL_TOKEN=" + token,
                       "BREACHCTL_INSECURE=1"});
  }

  // Runs a command that must succeed and returns its JSON answer.
  static nlohmann::json Ok(std::vector<std::string> args, const std::string& token) {
    args.insert(args.end(), {"-o", "json"});
    const CommandResult result = Breachctl(args, token);
    EXPECT_EQ(result.exit_code, 0) << absl::StrJoin(args, " ") << ": " << result.err;
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
  }

  // The answer, or null while the command fails: for a service that learns over the bus.
  static nlohmann::json Poll(std::vector<std::string> args, const std::string& token,
                             const std::string& input = "") {
    args.insert(args.end(), {"-o", "json"});
    const CommandResult result = Breachctl(args, token, input);
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
  }

  // Waits until the register shows the breach in `status`; returns the entry.
  static nlohmann::json RegisterEntryIn(const std::string& id, const std::string& status) {
    nlohmann::json entry;
    EXPECT_TRUE(WaitUntil([&] {
      entry = Poll({"breach", "get", id}, kVespucciDpoToken);
      return entry.is_object() && entry.value("status", "") == status;
    })) << id << " never reached " << status << " in the register: " << entry.dump();
    return entry;
  }

  // The example's Allegato B as the DPO submits it for this breach.
  static std::string AllegatoB(const std::string& file) {
    nlohmann::json assessment = nlohmann::json::parse(ReadFile(kExamples + file));
    for (const char* field : {"breach_id", "tenant", "awareness_time"}) assessment.erase(field);
    return assessment.dump();
  }

  static void RunToClosed(const SchoolExample& example, std::string* id);

  static ScratchDir* scratch_;
  static ChildProcess* breachd_;
  static std::string* endpoint_;
};

ScratchDir* LifecycleEndToEndTest::scratch_ = nullptr;
ChildProcess* LifecycleEndToEndTest::breachd_ = nullptr;
std::string* LifecycleEndToEndTest::endpoint_ = nullptr;

// Drives one school example through breachctl from the report to a closed breach, checking
// the register at each step that depends on the previous one; `id` is the breach.
void LifecycleEndToEndTest::RunToClosed(const SchoolExample& example, std::string* id) {
  // Staff file the Allegato A.
  const nlohmann::json report =
      Ok({"report", "create", "-f", kExamples + example.report}, kVespucciStaffToken);
  *id = report.value("breach_id", "");
  ASSERT_FALSE(id->empty());

  // The head judges it a breach, aware an hour ago, and the register shows it triaged: a reader
  // polls the projection (docs/lifecycle.md, "Ordering across services").
  const std::string aware_at = absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(1),
                                                absl::UTCTimeZone());
  Ok({"breach", "triage", *id, "--verdict", "breach", "--aware-at", aware_at, "--evidence",
      "Segnalazione verificata dal Dirigente", "--reason", "Violazione confermata: " + example.name},
     kVespucciHeadToken);
  RegisterEntryIn(*id, "BREACH_STATUS_TRIAGED");

  // IT records what it did.
  Ok({"action", "add", *id, "--what", example.action, "--responsible", "Animatore digitale",
      "--action-status", "done", "--done-at", aware_at},
     kVespucciItToken);
  EXPECT_EQ(Ok({"action", "list", *id}, kVespucciHeadToken)["actions"].size(), 1u);

  // The DPO submits the Allegato B once the assessment service has heard of the triage; the
  // same request id makes the retries one submission.
  nlohmann::json version;
  ASSERT_TRUE(WaitUntil([&] {
    version = Poll({"assess", "submit", *id, "-f", "-", "--request-id", "assess-" + *id},
                   kVespucciDpoToken, AllegatoB(example.assessment));
    return !version.is_null();
  })) << Breachctl({"assess", "submit", *id, "-f", "-"}, kVespucciDpoToken,
                   AllegatoB(example.assessment)).err;
  EXPECT_EQ(version["result"]["classification"], example.classification);

  if (example.override) {
    Ok({"duty", "override", *id, "--duty", example.override->duty, "--required",
        example.override->required ? "true" : "false", "--reason", example.override->reason},
       kVespucciHeadToken);
    const CommandResult shown = Breachctl({"assess", "show", *id}, kVespucciDpoToken);
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_THAT(shown.out, HasSubstr(example.override->reason));
  }

  // The DPO confirms the duties: the register shows status, classification and duties.
  Ok({"assess", "decide", *id, "--reason", "Valutazione del DPO condivisa dal Dirigente"},
     kVespucciDpoToken);
  const nlohmann::json entry = RegisterEntryIn(*id, "BREACH_STATUS_DECIDED");
  ASSERT_TRUE(entry.is_object());
  EXPECT_EQ(entry["verdict"], "TRIAGE_VERDICT_BREACH");
  EXPECT_EQ(entry["classification"], example.classification);
  EXPECT_EQ(entry["assessment_version"], 1);
  std::map<std::string, bool> duties;
  for (const auto& duty : entry["duties"]) {
    duties[duty["duty"]] = duty.value("required", false);
    const bool overridden = example.override && duty.contains("human_override");
    if (overridden) {
      EXPECT_EQ(duty["human_override"]["reason"], example.override->reason);
      EXPECT_EQ(duty["required"], example.override->required);
      EXPECT_NE(duty["computed_required"], example.override->required)
          << "each example's override replaces the engine's decision";
    } else {
      EXPECT_EQ(duty["required"], duty["computed_required"]) << duty.dump();
    }
  }
  EXPECT_EQ(duties, example.duties);
  if (example.override) {
    EXPECT_EQ(std::count_if(entry["duties"].begin(), entry["duties"].end(),
                            [](const auto& duty) { return duty.contains("human_override"); }),
              1);
  }

  // The head closes the case once the intake has heard of the decision.
  EXPECT_TRUE(WaitUntil([&] {
    return Breachctl({"breach", "close", *id, "--reason", "Adempimenti completati"},
                     kVespucciHeadToken)
               .exit_code == 0;
  }));
  RegisterEntryIn(*id, "BREACH_STATUS_CLOSED");
}

TEST_P(LifecycleEndToEndTest, ReportTriageActionAssessDecideReachTheRegister) {
  const SchoolExample& example = GetParam();
  std::string id;
  RunToClosed(example, &id);
  if (HasFatalFailure()) return;

  // The timeline shows every step, with who and when, in the order they were taken.
  const nlohmann::json timeline = Ok({"breach", "timeline", id}, kVespucciDpoToken);
  std::map<std::string, std::string> who;
  std::vector<std::string> order;
  for (const auto& line : timeline["entries"]) {
    EXPECT_FALSE(line["actor"].value("subject", "").empty()) << line.dump();
    EXPECT_TRUE(line.contains("occurred_at")) << line.dump();
    EXPECT_TRUE(line.contains("recorded_at")) << line.dump();
    if (line["type"] == "breach.v1.BreachViewed") continue;  // our own reads
    if (!who.count(line["type"])) order.push_back(line["type"]);
    who[line["type"]] = line["actor"]["subject"];
  }
  // Each command's events, and who caused them, in the order taken. One command's events are
  // one append, recorded at the same instant: inside it the timeline keeps the append's order.
  using Events = std::vector<std::pair<std::string, std::string>>;  // type, actor
  std::vector<Events> commands = {
      {{"breach.v1.BreachReported", "user:segreteria"}},
      {{"breach.v1.BreachTriaged", "user:preside-vespucci"}},
      {{"breach.v1.ContainmentActionRecorded", "user:it-vespucci"}},
      {{"breach.v1.AssessmentSubmitted", "user:dpo-vespucci"},
       {"breach.v1.SeverityAssessed", "user:dpo-vespucci"},
       {"breach.v1.BreachClassified", "user:dpo-vespucci"},
       {"breach.v1.DutyDecided", "user:dpo-vespucci"}},
      {{"breach.v1.DutiesDecided", "user:dpo-vespucci"}},
      {{"breach.v1.BreachClosed", "user:preside-vespucci"}}};
  if (example.override) {
    commands.insert(commands.end() - 2,
                    Events{{"breach.v1.DutyOverridden", "user:preside-vespucci"}});
  }
  size_t last_of_previous = 0;
  for (size_t i = 0; i < commands.size(); ++i) {
    size_t first = order.size(), last = 0;
    for (const auto& [type, subject] : commands[i]) {
      EXPECT_EQ(who[type], subject) << type;
      const size_t at = std::find(order.begin(), order.end(), type) - order.begin();
      if (first != order.size()) {
        EXPECT_GT(at, last) << type << " out of its append's order: " << absl::StrJoin(order, ", ");
      }
      first = std::min(first, at);
      last = std::max(last, at);
    }
    if (i > 0) {
      EXPECT_GT(first, last_of_previous) << commands[i][0].first << " out of order: "
                                         << absl::StrJoin(order, ", ");
    }
    last_of_previous = last;
  }

  // Every store's chain of this breach verifies.
  const nlohmann::json verified = Ok({"verify", id}, kVespucciDpoToken);
  // intake, assessment, notification (the clocks) and register each hold the breach.
  EXPECT_EQ(verified["stores"].size(), 4u) << verified.dump();
  for (const auto& store : verified["stores"]) EXPECT_EQ(store["ok"], true) << store.dump();
}

// Every school example of docs/examples; the first is the README tour.
std::vector<SchoolExample> SchoolExamples() {
  return {
    // The README tour: the head lifts the communication, the laptop was found sealed.
    SchoolExample{"lost_laptop_tour", "report-lost-laptop.json", "assess-lost-laptop.json",
                  "Password del registro elettronico cambiate", 3,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, false}},
                  Override{"subjects", false,
                           "Portatile ritrovato sigillato dalla Polfer il giorno dopo: rischio "
                           "elevato rimosso (art. 34(3)(b))"}},
    SchoolExample{"lost_laptop_health_data", "report-lost-laptop-health-data.json",
                  "assessment-lost-laptop-health-data.json",
                  "Account della docente bloccato e credenziali cambiate", 3,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, true}}},
    // The engine does not ask to tell the families; the head tells them all the same.
    SchoolExample{"email_wrong_parents", "report-email-wrong-parents.json",
                  "assessment-email-wrong-parents.json",
                  "Liste di distribuzione per classe nella posta della segreteria", 2,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, true}},
                  Override{"subjects", true,
                           "Le famiglie della 2A vanno informate: i loro recapiti sono "
                           "arrivati ad altri genitori"}},
    // Register only; the school asks every user to change a password reused elsewhere.
    SchoolExample{"portal_password_hashes", "report-portal-password-hashes.json",
                  "assessment-portal-password-hashes.json",
                  "Vulnerabilità SQL injection del portale corretta", 1,
                  {{kRegister, true}, {kAuthority, false}, {kSubjects, true}},
                  Override{"subjects", true,
                           "Reimpostazione delle password: avvisiamo comunque gli utenti"}},
    SchoolExample{"provider_misconfigured_access", "report-provider-misconfigured-access.json",
                  "assessment-provider-misconfigured-access.json",
                  "Permessi dell'area genitori verificati dopo la correzione del fornitore", 3,
                  {{kRegister, true},
                   {kAuthority, true},
                   {kSubjects, true},
                   {"DUTY_KIND_CONTROLLER_NOTICE", true},
                   {"DUTY_KIND_CSIRT_EARLY_WARNING", true},
                   {"DUTY_KIND_CSIRT_NOTIFICATION", true},
                   {"DUTY_KIND_CSIRT_FINAL_REPORT", true}}},
    SchoolExample{"ransomware_with_backups", "report-ransomware-with-backups.json",
                  "assessment-ransomware-with-backups.json",
                  "Rete isolata e file server ripristinato dal backup", 3,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, false}}},
    SchoolExample{"ransomware_without_backups", "report-ransomware-without-backups.json",
                  "assessment-ransomware-without-backups.json",
                  "Rete isolata; analisi forense affidata", 3,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, true}}},
    SchoolExample{"staff_list_food_intolerance", "report-staff-list-food-intolerance.json",
                  "assessment-staff-list-food-intolerance.json",
                  "Conferme di cancellazione raccolte da tutti i destinatari", 2,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, false}}},
    SchoolExample{"stolen_paper_registers", "report-stolen-paper-registers.json",
                  "assessment-stolen-paper-registers.json",
                  "Voti ricostruiti con i docenti e riportati nel registro elettronico", 3,
                  {{kRegister, true}, {kAuthority, true}, {kSubjects, true}}}};
}

INSTANTIATE_TEST_SUITE_P(SchoolExamples, LifecycleEndToEndTest,
                         ::testing::ValuesIn(SchoolExamples()),
                         [](const auto& info) { return info.param.name; });

// The timeline of a breach without the reads (BreachViewed), which are not the lifecycle's.
nlohmann::json StepsOf(const nlohmann::json& timeline) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& line : timeline["entries"]) {
    if (line["type"] != "breach.v1.BreachViewed") steps.push_back(line);
  }
  return steps;
}

// The register is a projection of the intake's and the assessment's stores: removed, it is
// rebuilt at the next start, each source's store caught up in turn (the assessment's before the
// intake's), and shows every breach as it did (docs/lifecycle.md, "Ordering across services").
class RegisterRebuildEndToEndTest : public LifecycleEndToEndTest {};

TEST_F(RegisterRebuildEndToEndTest, RemovedRegisterIsRebuiltWithTheSameEntryAndTimeline) {
  const SchoolExample example = SchoolExamples().front();  // with an override
  std::string id;
  RunToClosed(example, &id);
  if (HasFatalFailure()) return;
  const nlohmann::json entry = Ok({"breach", "get", id}, kVespucciDpoToken);
  const nlohmann::json steps = StepsOf(Ok({"breach", "timeline", id}, kVespucciDpoToken));
  ASSERT_EQ(entry.value("status", ""), "BREACH_STATUS_CLOSED");

  StopBreachd();
  std::filesystem::remove_all(scratch_->path() + "/data/register");
  StartBreachd();
  ASSERT_NE(endpoint_, nullptr) << "breachd did not start again";

  // Status, verdict, classification, duties with the override, counts: every column.
  EXPECT_EQ(RegisterEntryIn(id, "BREACH_STATUS_CLOSED"), entry);
  EXPECT_EQ(StepsOf(Ok({"breach", "timeline", id}, kVespucciDpoToken)), steps);
}

}  // namespace
}  // namespace breachd
