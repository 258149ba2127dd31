#include "libs/lifecycle/breach_lifecycle.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "breach/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::lifecycle {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

// A starting point of the table: a status and, once triaged, the verdict it holds.
struct Start {
  const char* name;
  BreachState state;
};

const Start kStarts[] = {
    {"unknown", {breach::v1::BREACH_STATUS_UNSPECIFIED, breach::v1::TRIAGE_VERDICT_UNSPECIFIED}},
    {"reported", {breach::v1::BREACH_STATUS_REPORTED, breach::v1::TRIAGE_VERDICT_UNSPECIFIED}},
    {"triaged-breach", {breach::v1::BREACH_STATUS_TRIAGED, breach::v1::TRIAGE_VERDICT_BREACH}},
    {"triaged-not", {breach::v1::BREACH_STATUS_TRIAGED, breach::v1::TRIAGE_VERDICT_NOT_A_BREACH}},
    {"triaged-investigating",
     {breach::v1::BREACH_STATUS_TRIAGED, breach::v1::TRIAGE_VERDICT_INVESTIGATING}},
    {"assessed", {breach::v1::BREACH_STATUS_ASSESSED, breach::v1::TRIAGE_VERDICT_BREACH, true}},
    {"decided", {breach::v1::BREACH_STATUS_DECIDED, breach::v1::TRIAGE_VERDICT_BREACH, true}},
    {"closed-decided", {breach::v1::BREACH_STATUS_CLOSED, breach::v1::TRIAGE_VERDICT_BREACH, true}},
    {"closed-not", {breach::v1::BREACH_STATUS_CLOSED, breach::v1::TRIAGE_VERDICT_NOT_A_BREACH}},
};

// The status each start reaches with each command ("" = FAILED_PRECONDITION). Triage is
// with a breach verdict here; the verdicts are in their own test.
const std::map<std::string, std::map<Command, std::string>>& Expected() {
  static const auto* table = new std::map<std::string, std::map<Command, std::string>>{
      {"unknown",
       {{Command::kTriage, ""}, {Command::kAmendReport, ""}, {Command::kRecordAction, ""},
        {Command::kSubmitAssessment, ""}, {Command::kOverrideDuty, ""}, {Command::kDecide, ""},
        {Command::kClose, ""}, {Command::kReopen, ""}}},
      {"reported",
       {{Command::kTriage, "triaged"}, {Command::kAmendReport, "reported"},
        {Command::kRecordAction, "reported"}, {Command::kSubmitAssessment, ""},
        {Command::kOverrideDuty, ""}, {Command::kDecide, ""}, {Command::kClose, ""},
        {Command::kReopen, ""}}},
      {"triaged-breach",
       {{Command::kTriage, "triaged"}, {Command::kAmendReport, "triaged"},
        {Command::kRecordAction, "triaged"}, {Command::kSubmitAssessment, "assessed"},
        {Command::kOverrideDuty, ""}, {Command::kDecide, ""}, {Command::kClose, ""},
        {Command::kReopen, ""}}},
      {"triaged-not",
       {{Command::kTriage, "triaged"}, {Command::kAmendReport, "triaged"},
        {Command::kRecordAction, "triaged"}, {Command::kSubmitAssessment, ""},
        {Command::kOverrideDuty, ""}, {Command::kDecide, ""}, {Command::kClose, "closed"},
        {Command::kReopen, ""}}},
      {"triaged-investigating",
       {{Command::kTriage, "triaged"}, {Command::kAmendReport, "triaged"},
        {Command::kRecordAction, "triaged"}, {Command::kSubmitAssessment, ""},
        {Command::kOverrideDuty, ""}, {Command::kDecide, ""}, {Command::kClose, ""},
        {Command::kReopen, ""}}},
      {"assessed",
       {{Command::kTriage, "assessed"}, {Command::kAmendReport, "assessed"},
        {Command::kRecordAction, "assessed"}, {Command::kSubmitAssessment, "assessed"},
        {Command::kOverrideDuty, "assessed"}, {Command::kDecide, "decided"}, {Command::kClose, ""},
        {Command::kReopen, ""}}},
      {"decided",
       {{Command::kTriage, "decided"}, {Command::kAmendReport, "assessed"},
        {Command::kRecordAction, "decided"}, {Command::kSubmitAssessment, "assessed"},
        {Command::kOverrideDuty, "decided"}, {Command::kDecide, "decided"},
        {Command::kClose, "closed"}, {Command::kReopen, ""}}},
      {"closed-decided",
       {{Command::kTriage, ""}, {Command::kAmendReport, ""}, {Command::kRecordAction, ""},
        {Command::kSubmitAssessment, ""}, {Command::kOverrideDuty, ""}, {Command::kDecide, ""},
        {Command::kClose, ""}, {Command::kReopen, "assessed"}}},
      {"closed-not",
       {{Command::kTriage, ""}, {Command::kAmendReport, ""}, {Command::kRecordAction, ""},
        {Command::kSubmitAssessment, ""}, {Command::kOverrideDuty, ""}, {Command::kDecide, ""},
        {Command::kClose, ""}, {Command::kReopen, "triaged"}}},
  };
  return *table;
}

TEST(BreachLifecycleTest, EveryStatusTimesEveryCommand) {
  for (const Start& start : kStarts) {
    for (Command command : kAllCommands) {
      const std::string expected = Expected().at(start.name).at(command);
      const absl::StatusOr<BreachState> next =
          Decide(start.state, command, breach::v1::TRIAGE_VERDICT_BREACH);
      const std::string where = std::string(start.name) + " x " + CommandName(command);
      if (expected.empty()) {
        // Refused, naming the status the breach is in.
        EXPECT_THAT(next, StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr(absl::StrCat("the breach is ",
                                                          StatusName(start.state.status)))))
            << where;
      } else {
        ASSERT_TRUE(next.ok()) << where << ": " << next.status();
        EXPECT_EQ(StatusName(next->status), expected) << where;
      }
    }
  }
}

TEST(BreachLifecycleTest, TriageVerdictsBeforeAndAfterAssessment) {
  const BreachState reported{breach::v1::BREACH_STATUS_REPORTED};
  for (TriageVerdict verdict : {breach::v1::TRIAGE_VERDICT_BREACH,
                                breach::v1::TRIAGE_VERDICT_NOT_A_BREACH,
                                breach::v1::TRIAGE_VERDICT_INVESTIGATING}) {
    ASSERT_OK_AND_ASSIGN(BreachState triaged, Decide(reported, Command::kTriage, verdict));
    EXPECT_EQ(triaged.verdict, verdict);
  }
  // An assessed breach may have its awareness corrected, never be judged anew.
  const BreachState assessed{breach::v1::BREACH_STATUS_ASSESSED, breach::v1::TRIAGE_VERDICT_BREACH,
                             true};
  EXPECT_THAT(Decide(assessed, Command::kTriage, breach::v1::TRIAGE_VERDICT_NOT_A_BREACH),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("assessed")));
}

TEST(BreachLifecycleTest, AssessingANotABreachNamesTheReason) {
  const BreachState judged{breach::v1::BREACH_STATUS_TRIAGED,
                           breach::v1::TRIAGE_VERDICT_NOT_A_BREACH};
  EXPECT_THAT(Decide(judged, Command::kSubmitAssessment),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("the breach is triaged (it is not judged a breach)")));
}

breach::v1::EventEnvelope Event(const google::protobuf::Message& payload) {
  breach::v1::EventEnvelope event;
  event.mutable_payload()->PackFrom(payload);
  return event;
}

TEST(BreachLifecycleTest, ApplyFollowsEventsAndIgnoresTheUnknown) {
  BreachState state;
  state = Apply(state, Event(breach::v1::BreachReported()));
  EXPECT_EQ(state.status, breach::v1::BREACH_STATUS_REPORTED);
  state = Apply(state, Event(breach::v1::BreachViewed()));
  EXPECT_EQ(state.status, breach::v1::BREACH_STATUS_REPORTED);
  breach::v1::BreachTriaged triaged;
  triaged.set_verdict(breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
  state = Apply(state, Event(triaged));
  EXPECT_EQ(state.status, breach::v1::BREACH_STATUS_TRIAGED);
  EXPECT_EQ(state.verdict, breach::v1::TRIAGE_VERDICT_NOT_A_BREACH);
  state = Apply(state, Event(breach::v1::ReportAmended()));
  EXPECT_EQ(state.status, breach::v1::BREACH_STATUS_TRIAGED);
}

}  // namespace
}  // namespace breachd::lifecycle
