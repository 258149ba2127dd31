// The notification commands end to end, as a school would use them, with no SMTP server: one
// breachd hosting every service (notification included) on the embedded bus, driven only through
// breachctl. report -> triage -> assess -> decide -> school set -> deadline list -> notify draft
// -> approve -> send -> status: the delivery to the Garante fails with "no SMTP server is
// configured", and the clock shows the failure. Bad inputs are one error line and a non-zero
// exit. (The real-SMTP run is its own test.)
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"
#include "tools/breachctl/tests/cli_testing.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kBin = BREACHD_BIN_DIR;
const std::string kSource = BREACHD_SOURCE_DIR;

class NotifyCliEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = TestFolderWithIdentity();
    dir_ = scratch_->path();
    const std::string ready = dir_ + "/breachd.ready";
    // No --smtp_config: every e-mail and PEC delivery fails, which is what this test follows.
    auto process = ChildProcess::Start(
        {kBin + "/breachd", "--services=all", "--kafka=embedded", "--listen=127.0.0.1:0",
         "--data_dir=" + dir_ + "/data", "--identity_file=" + dir_ + "/identity.json",
         "--ready_file=" + ready, "--regimes_dir=" + kSource + "/regimes",
         "--templates_dir=" + kSource + "/templates", "--dev_identity", "--insecure"},
        dir_ + "/breachd");
    ASSERT_TRUE(process.ok()) << process.status();
    breachd_ = std::make_unique<ChildProcess>(*std::move(process));
    ASSERT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); })) << breachd_->Stderr();
    endpoint_ = nlohmann::json::parse(ReadFile(ready))["endpoint"];
  }

  std::vector<std::string> Env(const std::string& token) {
    return {"BREACHCTL_ENDPOINT=" + endpoint_, "BREACHCTL_TOKEN=" + token, "BREACHCTL_INSECURE=1"};
  }
  CommandResult Breachctl(std::vector<std::string> args, const std::string& token) {
    args.insert(args.begin(), kBin + "/breachctl");
    return RunCommand(args, "", Env(token));
  }

  // Runs a command that must succeed and returns its JSON answer.
  nlohmann::json Ok(std::vector<std::string> args, const std::string& token) {
    args.insert(args.begin(), kBin + "/breachctl");
    return RunForJson(args, Env(token));
  }

  // A command that must fail: exit `code`, one line "breachctl: ..." naming `message`, no output.
  void Refused(const std::vector<std::string>& args, const std::string& token, int code,
               const std::string& message) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    ExpectOneLineError(Breachctl(args, token), code, message);
  }

  // The breach's clock for `duty` ("DUTY_KIND_..."), from `deadline list -o json`; null if none.
  nlohmann::json Clock(const std::string& id, const std::string& duty) {
    const CommandResult result =
        Breachctl({"deadline", "list", "-o", "json"}, kVespucciDpoToken);
    if (result.exit_code != 0) return nlohmann::json();
    const nlohmann::json list = nlohmann::json::parse(result.out);
    for (const auto& clock : list.value("clocks", nlohmann::json::array())) {
      if (clock.value("breach_id", "") == id && clock["deadline"].value("duty", "") == duty) {
        return clock;
      }
    }
    return nlohmann::json();
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::string endpoint_;
  std::unique_ptr<ChildProcess> breachd_;
};

TEST_F(NotifyCliEndToEndTest, DraftApproveSendWithoutSmtpShowsTheFailureOnTheClock) {
  // The lost laptop: reported, judged a breach an hour ago, assessed, decided.
  const std::string id = Ok({"report", "create", "-f",
                             kSource + "/docs/examples/report-lost-laptop.json"},
                            kVespucciStaffToken)
                             .value("breach_id", "");
  ASSERT_FALSE(id.empty());
  const std::string aware_at = absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(1),
                                                absl::UTCTimeZone());
  Ok({"breach", "triage", id, "--verdict", "breach", "--aware-at", aware_at, "--evidence",
      "Denuncia alla Polfer", "--reason", "Portatile non cifrato"},
     kVespucciHeadToken);
  ASSERT_TRUE(WaitUntil([&] {
    return Breachctl({"assess", "submit", id, "-f",
                      kSource + "/docs/examples/assess-lost-laptop.json", "--request-id",
                      "assess-1"},
                     kVespucciDpoToken)
               .exit_code == 0;
  }));
  Ok({"assess", "decide", id, "--reason", "Valutazione condivisa"}, kVespucciDpoToken);

  // The provider's operator sets the school's details; the file leaves the code to the line.
  const nlohmann::json school =
      Ok({"school", "set", kVespucci, "-f", kSource + "/docs/examples/school.json"},
         kOperatorToken);
  EXPECT_EQ(school["tenant"], kVespucci);
  EXPECT_EQ(Ok({"school", "show", kVespucci}, kVespucciDpoToken)["pec"],
            "vespucci@pec.vespucci.example.it");

  // The Garante's clock runs: 72 hours from awareness, about 71 left.
  ASSERT_TRUE(WaitUntil([&] {
    return !Clock(id, "DUTY_KIND_AUTHORITY_NOTIFICATION").is_null();
  })) << breachd_->Stderr();
  const CommandResult deadlines = Breachctl({"deadline", "list"}, kVespucciDpoToken);
  ASSERT_EQ(deadlines.exit_code, 0) << deadlines.err;
  EXPECT_THAT(deadlines.out, StartsWith("BREACH"));
  EXPECT_THAT(deadlines.out, HasSubstr("LAST FAILURE"));
  EXPECT_THAT(deadlines.out,
              ContainsRegex(id + " +MIIS01200V +authority +[0-9-]+ [0-9:]+\\+0[12]:00 "
                                 "+7[01]h[0-5][0-9]m +open"));
  const CommandResult soon =
      Breachctl({"deadline", "list", "--due-within", "90m", "-o", "json"}, kVespucciDpoToken);
  ASSERT_EQ(soon.exit_code, 0) << soon.err;
  EXPECT_FALSE(absl::StrContains(soon.out, id)) << soon.out;

  // Bad inputs: one line, a non-zero exit, nothing done.
  Refused({"notify", "draft", id, "--duty", "garante"}, kVespucciDpoToken, 2,
          "--duty must be authority or subjects or controller");
  Refused({"notify", "receipt", id, "--duty", "authority", "--protocol", "12345", "--at",
           aware_at},
          kVespucciDpoToken, 1, "FAILED_PRECONDITION: no authority message of breach");

  // The DPO prepares the authority draft: Markdown after a line naming version and hash.
  const CommandResult draft = Breachctl({"notify", "draft", id, "--duty", "authority"},
                                        kVespucciDpoToken);
  ASSERT_EQ(draft.exit_code, 0) << draft.err;
  EXPECT_THAT(draft.out, StartsWith("<!-- breach " + id + ", authority draft v1 ("));
  EXPECT_THAT(draft.out, HasSubstr("Garante"));
  EXPECT_THAT(draft.out, HasSubstr("Istituto Comprensivo \"Amerigo Vespucci\""));
  const nlohmann::json shown =
      Ok({"notify", "show", id, "--duty", "authority", "--draft-version", "1"}, kVespucciDpoToken);
  const std::string sha256 = shown.value("sha256", "");
  ASSERT_EQ(sha256.size(), 64u);
  EXPECT_THAT(draft.out, HasSubstr("sha256 " + sha256 + ", not approved"));

  // Not approved yet: nothing goes.
  Refused({"notify", "send", id, "--duty", "authority"}, kVespucciDpoToken, 1,
          "FAILED_PRECONDITION: authority draft v1 is not approved");
  // A hash that is not the one read is refused.
  Refused({"notify", "approve", id, "--duty", "authority", "--draft-version", "1", "--sha256",
           std::string(64, '0')},
          kVespucciDpoToken, 1, "FAILED_PRECONDITION: draft v1 has sha256 " + sha256);

  const nlohmann::json approved = Ok({"notify", "approve", id, "--duty", "authority",
                                      "--draft-version", "1", "--sha256", sha256},
                                     kVespucciHeadToken);
  EXPECT_EQ(approved["approved_by"]["subject"], "user:preside-vespucci");
  EXPECT_EQ(approved["sha256"], sha256);

  const CommandResult sent =
      Breachctl({"notify", "send", id, "--duty", "authority", "--request-id", "send-authority-1"},
                kVespucciDpoToken);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_THAT(sent.out, StartsWith("authority draft v1: 1 delivery (request id send-authority-1)"));
  EXPECT_THAT(sent.out, HasSubstr("authority-v1-00001  pec      protocollo@pec.gpdp.it"));

  // Without an SMTP server the delivery fails for good, with the reason, and the clock says so.
  nlohmann::json delivery;
  ASSERT_TRUE(WaitUntil([&] {
    const nlohmann::json status = Ok({"notify", "status", id}, kVespucciDpoToken);
    if (!status.contains("deliveries")) return false;
    delivery = status["deliveries"][0];
    return delivery.value("status", "") == "DELIVERY_STATUS_FAILED";
  })) << delivery.dump();
  EXPECT_EQ(delivery["channel"], "CHANNEL_PEC");
  EXPECT_THAT(delivery.value("last_answer", ""), HasSubstr("no SMTP server is configured"));
  const CommandResult status = Breachctl({"notify", "status", id}, kVespucciDpoToken);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, ContainsRegex("authority-v1-00001 +pec +protocollo@pec.gpdp.it +failed "
                                        "+1 +no SMTP server is configured"));
  EXPECT_THAT(status.out, ContainsRegex("authority +1 +[a-z]+ +" + sha256.substr(0, 12) +
                                        " +user:dpo-vespucci +user:preside-vespucci"));
  EXPECT_THAT(Clock(id, "DUTY_KIND_AUTHORITY_NOTIFICATION").value("last_failure", ""),
              HasSubstr("protocollo@pec.gpdp.it: no SMTP server is configured"));
  const CommandResult after = Breachctl({"deadline", "list"}, kVespucciDpoToken);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, ContainsRegex(id + " .* authority .* open +protocollo@pec.gpdp.it: no "
                                            "SMTP server is configured"));

  // Approving without naming a version approves the latest as it reads now, and says which.
  // A new version (the English text read, say): approving without naming a version approves the
  // latest as it reads now, and says which.
  const nlohmann::json second =
      Ok({"notify", "draft", id, "--duty", "authority", "--lang", "en"}, kVespucciDpoToken);
  EXPECT_EQ(second["draft_version"], 2);
  const CommandResult latest =
      Breachctl({"notify", "approve", id, "--duty", "authority"}, kVespucciDpoToken);
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_THAT(latest.out, StartsWith("approved the latest authority draft: v2, sha256 " +
                                     second["sha256"].get<std::string>() + "\n"));
}

}  // namespace
}  // namespace breachd
