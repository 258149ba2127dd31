// The SIEM feed of a whole breach, end to end: a lost laptop reported with its reporter's name,
// e-mail and phone, triaged on evidence naming people, assessed, decided with reasons, the
// school's profile (head, DPO, PEC, address) set, the Garante notified over PEC and given a
// protocol number with a note, and 50 parents written to by name and e-mail. Then every
// document on breach.siem.v1 is read back from the running breachd: every store's events are
// there (reads and refusals included), each with the ECS fields, and none of the personal data.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/bus.h"
#include "libs/bus/tests/bus_test_util.h"
#include "tests/e2e/notification_fixture.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

const std::string kExamples = std::string(BREACHD_SOURCE_DIR) + "/docs/examples/";

class SiemFeedEndToEndTest : public NotificationFixture {
 protected:
  void SetUp() override { StartWithTestGarante(); }

  std::vector<nlohmann::json> Feed() {
    bus::BusConfig config;
    config.bootstrap_servers = breachd_->bootstrap_servers();
    std::vector<nlohmann::json> documents;
    for (const auto& message : bus::testing::ReadTopic(config, bus::kSiemTopic)) {
      documents.push_back(nlohmann::json::parse(message.value));
      raw_.push_back(message.value);
      keys_.push_back(message.key);
    }
    return documents;
  }

  std::vector<std::string> raw_;
  std::vector<std::string> keys_;
};

TEST_F(SiemFeedEndToEndTest, AWholeNotifiedBreachLeavesNoPersonalDataInTheFeed) {
  ASSERT_FALSE(HasFailure());
  breachd_->Ok({"school", "set", kVespucci, "-f", kExamples + "school.json"}, kOperatorToken);
  const std::string id = DecidedBreach();
  ASSERT_FALSE(id.empty());
  breachd_->Ok({"breach", "get", id}, kVespucciDpoToken);  // a read
  breachd_->Ok({"breach", "list"}, kVespucciDpoToken);     // a listing
  // A refusal: a school's DPO may not verify every store.
  EXPECT_NE(breachd_->Breachctl({"verify"}, kVespucciDpoToken).exit_code, 0);

  // The Garante, over PEC, then its protocol number with a note naming people.
  ApprovedDraft(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  breach::v1::NotificationStatus status;
  grpc::Status sent = Send(id, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "", "siem-a", &status);
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  ASSERT_TRUE(WaitUntil([&] { return Settled(id); }, absl::Seconds(60)));
  breach::v1::RecordReceiptRequest receipt;
  receipt.set_breach_id(id);
  receipt.set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  receipt.set_kind(breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL);
  receipt.set_protocol_number("0012345/2026");
  receipt.mutable_received_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  receipt.set_note("Telefonata della Dott.ssa Eufemia Garibotto del Garante");
  breach::v1::Receipt recorded;
  grpc::Status receipted =
      notification_->RecordReceipt(CallAs(kVespucciHeadToken).get(), receipt, &recorded);
  ASSERT_TRUE(receipted.ok()) << receipted.error_message();

  // 50 parents by name and e-mail.
  ApprovedDraft(id, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  const std::string csv = ReadFile(kExamples + "parents.csv");
  sent = Send(id, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, csv, "siem-s", &status);
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  ASSERT_TRUE(WaitUntil([&] { return Settled(id) && smtp_->Messages().size() >= 51; },
                        absl::Seconds(60)));

  const std::vector<std::string> every_store_action = {
      "breach-reported", "breach-triaged",  "assessment-submitted", "severity-assessed",
      "breach-classified", "duty-decided",  "duty-overridden",      "duties-decided",
      "clock-armed",     "draft-prepared",  "draft-approved",       "dispatch-queued",
      "delivery-attempted", "delivery-sent", "duty-submitted",      "receipt-recorded",
      "school-profile-set", "breach-viewed", "breaches-listed",     "access-denied"};
  std::vector<nlohmann::json> feed;
  std::set<std::string> actions;
  ASSERT_TRUE(WaitUntil(
      [&] {
        raw_.clear();
        keys_.clear();
        feed = Feed();
        actions.clear();
        for (const auto& document : feed) actions.insert(document["event"]["action"]);
        size_t sent_count = 0;
        for (const auto& document : feed) {
          sent_count += document["event"]["action"] == "delivery-sent" ? 1 : 0;
        }
        for (const std::string& action : every_store_action) {
          if (!actions.count(action)) return false;
        }
        return sent_count >= 51;
      },
      absl::Seconds(60)))
      << ::testing::PrintToString(actions);
  std::set<std::string> services;
  std::set<std::string> ids;
  for (size_t i = 0; i < feed.size(); ++i) {
    const nlohmann::json& document = feed[i];
    for (const char* group : {"event", "user", "organization", "service", "labels", "breach"}) {
      ASSERT_TRUE(document.contains(group)) << raw_[i];
    }
    for (const char* key : {"kind", "category", "type", "action", "outcome", "id"}) {
      EXPECT_TRUE(document["event"].contains(key)) << raw_[i];
    }
    if (document["breach"].contains("id")) {
      EXPECT_EQ(keys_[i], document["breach"]["id"]);
    }
    services.insert(document["service"]["name"]);
    ids.insert(document["event"]["id"]);
  }
  EXPECT_THAT(services, IsSupersetOf({"intake", "assessment", "notification", "register"}));
  EXPECT_EQ(ids.size(), feed.size()) << "a document twice";

  // Everything personal that went in: the report, the school's profile, the evidence and
  // reasons, the note, every parent's name and address.
  std::vector<std::string> secrets = {
      "Maria Bianchi", "m.bianchi@vespucci.example.it", "555 0101", "Treno regionale",
      "Giovanni Rossi", "Registro elettronico: esportazione", "certificazioni DSA",
      "Polfer", "Paola Ferri", "Laura Conti", "dpo@vespucci.example.it",
      "segreteria@vespucci.example.it", "vespucci@pec.vespucci.example.it", "97012340151",
      "Via Amerigo Vespucci 12", "Eufemia", "Garibotto", "Minori coinvolti",
      "Portatile non cifrato", "Decisione del dirigente", "protocollo@garante.test"};
  for (absl::string_view row : absl::StrSplit(csv, '\n')) {
    std::vector<std::string> cells = absl::StrSplit(row, ',');
    if (cells.size() == 3 && cells[0] != "name") {
      secrets.push_back(cells[0]);
      secrets.push_back(cells[1]);
    }
  }
  ASSERT_GT(secrets.size(), 100u);
  for (const std::string& line : raw_) {
    for (const std::string& secret : secrets) {
      ASSERT_THAT(line, Not(HasSubstr(secret))) << "personal data in the SIEM feed";
    }
  }
}

}  // namespace
}  // namespace breachd
