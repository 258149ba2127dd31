#include "libs/siem/cef.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::siem {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

nlohmann::json Refusal() {
  return nlohmann::json::parse(R"({"@timestamp":"2026-11-30T09:00:00.250Z",
    "event":{"kind":"event","category":["iam"],"type":["denied"],"action":"access-denied",
             "outcome":"failure","id":"01M8EVENT"},
    "user":{"id":"user:dpo-galilei","roles":["school-dpo"]},"organization":{"id":"RMIC81500L"},
    "service":{"name":"register"},
    "breach":{"id":"01JQ0LAPTOP","event_type":"breach.v1.AccessDenied","stream_version":3,
              "position":7,"access":{"method":"/breach.v1.RegisterService/GetBreach",
              "reason":"a=b | c\\d\nnext"}}})");
}

TEST(CefTest, ARefusalIsOneCefLineWithTheStandardKeys) {
  const std::string cef = ToCef(Refusal());
  EXPECT_THAT(cef, StartsWith("CEF:0|breachd|breachd|1|access-denied|AccessDenied|7|"));
  EXPECT_THAT(cef, HasSubstr("rt=1796029200250 externalId=01M8EVENT act=access-denied "
                             "cat=iam/denied outcome=failure suser=user:dpo-galilei "
                             "spriv=school-dpo dproc=register"));
  EXPECT_THAT(cef, HasSubstr("cs1Label=breachId cs1=01JQ0LAPTOP"));
  EXPECT_THAT(cef, HasSubstr("cs2Label=organizationId cs2=RMIC81500L"));
  EXPECT_THAT(cef, HasSubstr("flexString2Label=method flexString2=/breach.v1.RegisterService/GetBreach"));
  EXPECT_THAT(cef, HasSubstr("cn1Label=position cn1=7 cn2Label=streamVersion cn2=3"));
  // Extension values escape '\', '=' and line breaks; absent fields have neither key nor label.
  EXPECT_THAT(cef, HasSubstr("reason=a\\=b | c\\\\d\\nnext"));
  EXPECT_THAT(cef, Not(HasSubstr("cs3Label")));
  EXPECT_THAT(cef, Not(HasSubstr("\n")));
}

TEST(CefTest, SeverityFollowsTheOutcomeAndTheBand) {
  EXPECT_EQ(CefSeverity(Refusal()), 7);
  nlohmann::json missed = {{"event", {{"kind", "alert"}, {"outcome", "failure"}}}};
  EXPECT_EQ(CefSeverity(missed), 8);
  nlohmann::json read = {{"event", {{"kind", "event"}, {"type", {"access"}}, {"outcome", "success"}}}};
  EXPECT_EQ(CefSeverity(read), 2);
  nlohmann::json band = {{"event", {{"kind", "event"}}},
                         {"breach", {{"severity", {{"band", "very_high"}}}}}};
  EXPECT_EQ(CefSeverity(band), 9);
}

TEST(CefTest, TheSyslogMessageIsRfc5424WithLogAuditFacility) {
  // facility 13 (log audit) * 8 + 4 (warning, for CEF severity 7) = 108
  EXPECT_THAT(ToSyslog5424(Refusal(), "host-1"),
              StartsWith("<108>1 2026-11-30T09:00:00.250Z host-1 breachd - access-denied - "
                         "CEF:0|breachd|"));
}

}  // namespace
}  // namespace breachd::siem
