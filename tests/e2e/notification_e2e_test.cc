// The notification of a lost laptop end to end, driven only by breachctl against one breachd and
// a real SMTP server (aiosmtpd, STARTTLS + AUTH): report -> triage -> assess -> decide -> the
// school's details -> the clocks in the deadline list -> the Garante's notification drafted,
// approved by the head on its exact hash, sent and given its protocol number -> a letter to 50
// parents, each in their language, received once -> the register shows what was sent per duty and
// the timeline every step with who and when; every store verifies.
#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/notification_fixture.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;

const std::string kExamples = std::string(BREACHD_SOURCE_DIR) + "/docs/examples/";

class NotificationEndToEndTest : public NotificationFixture {
 protected:
  void SetUp() override { StartWithTestGarante(); }
  nlohmann::json Ok(std::vector<std::string> args, const std::string& token) {
    return breachd_->Ok(std::move(args), token);
  }
  // Polls a command until it succeeds (a service learns of the previous step over the bus).
  nlohmann::json Eventually(const std::vector<std::string>& args, const std::string& token) {
    nlohmann::json answer;
    EXPECT_TRUE(WaitUntil([&] {
      std::vector<std::string> with_json = args;
      with_json.insert(with_json.end(), {"-o", "json"});
      const CommandResult result = breachd_->Breachctl(with_json, token);
      if (result.exit_code != 0) return false;
      answer = nlohmann::json::parse(result.out, nullptr, false);
      return true;
    })) << args[0] << " " << args[1];
    return answer;
  }
};

TEST_F(NotificationEndToEndTest, LostLaptopToTheGaranteAndFiftyParents) {
  ASSERT_FALSE(HasFailure());
  const std::string id = Ok({"report", "create", "-f", kExamples + "report-lost-laptop.json"},
                            kVespucciStaffToken)
                             .value("breach_id", "");
  ASSERT_FALSE(id.empty());
  const std::string aware_at = absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(2),
                                                absl::UTCTimeZone());
  Ok({"breach", "triage", id, "--verdict", "breach", "--aware-at", aware_at, "--evidence",
      "Denuncia alla Polfer", "--reason", "Portatile non cifrato"},
     kVespucciHeadToken);
  Eventually({"assess", "submit", id, "-f", kExamples + "assess-lost-laptop.json"},
             kVespucciDpoToken);
  Ok({"duty", "override", id, "--duty", "subjects", "--required", "true", "--reason",
      "Minori coinvolti: informiamo le famiglie"},
     kVespucciHeadToken);
  Ok({"assess", "decide", id, "--reason", "Valutazione del DPO condivisa dal Dirigente"},
     kVespucciHeadToken);
  Ok({"school", "set", kVespucci, "-f", kExamples + "school.json"}, kOperatorToken);

  // Both clocks run from the awareness moment, two hours ago: 70 hours left.
  nlohmann::json deadlines;
  ASSERT_TRUE(WaitUntil([&] {
    deadlines = Ok({"deadline", "list"}, kVespucciHeadToken);
    return deadlines.value("clocks", nlohmann::json::array()).size() == 2;
  })) << deadlines.dump();
  for (const auto& clock : deadlines["clocks"]) {
    EXPECT_EQ(clock["breach_id"], id);
    EXPECT_EQ(clock["deadline"]["status"], "DEADLINE_STATUS_OPEN");
  }
  // The filters: nothing is overdue or due within a day; both are due within 71 hours.
  EXPECT_EQ(Ok({"deadline", "list", "--overdue"}, kVespucciHeadToken)
                .value("clocks", nlohmann::json::array())
                .size(),
            0u);
  EXPECT_EQ(Ok({"deadline", "list", "--due-within", "24h"}, kVespucciHeadToken)
                .value("clocks", nlohmann::json::array())
                .size(),
            0u);
  EXPECT_EQ(Ok({"deadline", "list", "--due-within", "71h"}, kVespucciHeadToken)["clocks"].size(),
            2u);
  // Another school sees none of them; the operator sees them across the provider.
  EXPECT_EQ(Ok({"deadline", "list"}, kGalileiDpoToken)
                .value("clocks", nlohmann::json::array())
                .size(),
            0u);
  EXPECT_EQ(Ok({"deadline", "list"}, kOperatorToken)["clocks"].size(), 2u);

  // The Garante: drafted by the DPO, approved by the head on the hash she read, sent over PEC.
  const nlohmann::json draft =
      Eventually({"notify", "draft", id, "--duty", "authority"}, kVespucciDpoToken);
  Ok({"notify", "approve", id, "--duty", "authority", "--draft-version",
      absl::StrCat(draft["draft_version"].get<int>()), "--sha256", draft["sha256"]},
     kVespucciHeadToken);
  Ok({"notify", "send", id, "--duty", "authority"}, kVespucciHeadToken);
  ASSERT_TRUE(WaitUntil([&] { return Settled(id) && !smtp_->Messages().empty(); }));
  Ok({"notify", "receipt", id, "--duty", "authority", "--protocol", "0012345/2026", "--at",
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())},
     kVespucciHeadToken);

  // The parents: one letter each, in their language, with their name.
  Eventually({"notify", "draft", id, "--duty", "subjects"}, kVespucciDpoToken);
  Ok({"notify", "approve", id, "--duty", "subjects"}, kVespucciHeadToken);
  Ok({"notify", "send", id, "--duty", "subjects", "--recipients", kExamples + "parents.csv"},
     kVespucciHeadToken);
  ASSERT_TRUE(WaitUntil([&] { return Settled(id) && smtp_->Messages().size() >= 51; },
                        absl::Seconds(60)));

  std::map<std::string, std::string> parents;  // e-mail -> language, from the example file
  for (absl::string_view row : absl::StrSplit(ReadFile(kExamples + "parents.csv"), '\n')) {
    std::vector<std::string> cells = absl::StrSplit(row, ',');
    if (cells.size() == 3 && cells[0] != "name") parents[cells[1]] = cells[2];
  }
  ASSERT_EQ(parents.size(), 50u);
  std::multiset<std::string> recipients;
  for (const ReceivedMail& mail : smtp_->Messages()) {
    ASSERT_EQ(mail.rcpt_tos.size(), 1u);
    recipients.insert(mail.rcpt_tos[0]);
    EXPECT_TRUE(mail.authenticated);
    if (mail.rcpt_tos[0] == "protocollo@garante.test") {
      EXPECT_THAT(mail.subject, HasSubstr("NOTIFICA VIOLAZIONE DATI PERSONALI"));
      continue;
    }
    ASSERT_TRUE(parents.count(mail.rcpt_tos[0])) << mail.rcpt_tos[0];
    EXPECT_THAT(mail.text, HasSubstr(parents[mail.rcpt_tos[0]] == "en" ? "Dear " : "Gentile "))
        << mail.rcpt_tos[0];
  }
  EXPECT_EQ(recipients.size(), 51u);
  for (const auto& [email, language] : parents) EXPECT_EQ(recipients.count(email), 1u) << email;

  // The register: what was sent per duty, and every step in the timeline.
  nlohmann::json entry;
  ASSERT_TRUE(WaitUntil([&] {
    entry = Ok({"breach", "get", id}, kVespucciDpoToken);
    for (const auto& record : entry.value("notifications", nlohmann::json::array())) {
      if (record.value("duty", "") == "DUTY_KIND_SUBJECT_COMMUNICATION" &&
          record.value("delivered", 0) == 50) {
        return true;
      }
    }
    return false;
  })) << entry.dump();
  for (const auto& record : entry["notifications"]) {
    EXPECT_EQ(record["sent"], true) << record.dump();
    if (record["duty"] == "DUTY_KIND_AUTHORITY_NOTIFICATION") {
      EXPECT_EQ(record["protocol_number"], "0012345/2026");
      EXPECT_EQ(record["delivered"], 1);
    }
  }
  std::set<std::string> steps;
  const nlohmann::json timeline = Ok({"breach", "timeline", id}, kVespucciDpoToken);
  for (const auto& line : timeline["entries"]) {
    steps.insert(line["type"].get<std::string>().substr(sizeof("breach.v1.") - 1));
    EXPECT_FALSE(line["actor"]["subject"].get<std::string>().empty()) << line.dump();
  }
  for (const char* step : {"ClockArmed", "DraftPrepared", "DraftApproved", "DispatchQueued",
                           "DeliverySent", "DutySubmitted", "ReceiptRecorded"}) {
    EXPECT_TRUE(steps.count(step)) << step;
  }
  // The clocks stopped: both duties met.
  const nlohmann::json all = Ok({"deadline", "list", "--all"}, kVespucciHeadToken);
  for (const auto& clock : all["clocks"]) {
    EXPECT_EQ(clock["deadline"]["status"], "DEADLINE_STATUS_MET") << clock.dump();
  }
  const nlohmann::json verified = Ok({"verify", id}, kVespucciDpoToken);
  EXPECT_EQ(verified["ok"], true) << verified.dump();
}

}  // namespace
}  // namespace breachd
