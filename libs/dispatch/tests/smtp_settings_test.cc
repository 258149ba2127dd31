#include "libs/dispatch/smtp_settings.h"

#include <sys/stat.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::dispatch {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::ScratchDir;
using ::breachd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class SmtpSettingsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_THAT(WriteFileAtomically(path, text, mode), IsOk());
    return path;
  }
  ScratchDir dir_{"smtp-settings"};
};

TEST_F(SmtpSettingsTest, ReadsEveryFieldAndThePasswordFromItsFile) {
  Write("password", "s3cret\n");
  Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string path = Write("smtp.json", R"({
    "url": "smtp://mail.example.org:587", "username": "breachd", "password_file": "password",
    "ca_file": "ca.pem", "from": "notifiche@example.org", "from_name": "Notifiche",
    "timeout_seconds": 20})");
  auto settings = LoadSmtpSettings(path);
  ASSERT_THAT(settings, IsOk());
  EXPECT_EQ(settings->url, "smtp://mail.example.org:587");
  EXPECT_EQ(settings->username, "breachd");
  EXPECT_EQ(settings->password, "s3cret");
  EXPECT_EQ(settings->ca_file, dir_.path() + "/ca.pem");
  EXPECT_TRUE(settings->require_tls);
  EXPECT_EQ(settings->from_address, "notifiche@example.org");
  EXPECT_EQ(settings->from_name, "Notifiche");
  EXPECT_EQ(settings->timeout, absl::Seconds(20));
}

TEST_F(SmtpSettingsTest, RefusesAPasswordFileOthersCanRead) {
  Write("password", "s3cret", 0644);
  const std::string path = Write("smtp.json", R"({"url": "smtps://mail.example.org",
    "username": "u", "password_file": "password", "from": "n@example.org"})");
  EXPECT_THAT(LoadSmtpSettings(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr("mode 0644"), HasSubstr("chmod 600"))));
}

TEST_F(SmtpSettingsTest, NamesTheFileAndTheFieldOfEachMistake) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"from": "n@example.org"})", "url is missing"},
      {R"({"url": "http://mail.example.org", "from": "n@example.org"})", "smtp:// or smtps://"},
      {R"({"url": "smtp://mail.example.org", "from": "n@"})", "from \"n@\" is not an e-mail"},
      {R"({"url": "smtp://mail.example.org", "from": "n@example.org", "timeout_seconds": 0})",
       "timeout_seconds must be"},
      {R"({"url": "smtp://mail.example.org", "from": "n@example.org", "timeout_seconds": 601})",
       "timeout_seconds must be"},
      {R"({"url": "smtp://mail.example.org", "from": "n@example.org", "require_tls": false})",
       "require_tls may be false only"},
      {R"({"url": "smtp://mail.example.org", "from": "n@example.org", "password": "x"})",
       "unknown field \"password\""},
      {R"({"url": "smtp://mail.example.org", "from": "n@example.org", "username": "u"})",
       "password_file is missing"},
      {R"({"url": "smtp://mail.example.org", "from": "n@example.org", "ca_file": "nope.pem"})",
       "ca_file"},
      {R"([1, 2])", "not a JSON object"},
  };
  for (const auto& [json, error] : cases) {
    const std::string path = Write("smtp.json", json);
    EXPECT_THAT(LoadSmtpSettings(path), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 AllOf(HasSubstr(path), HasSubstr(error))))
        << json;
  }
}

TEST_F(SmtpSettingsTest, AllowsPlaintextOnlyToALoopbackServer) {
  const std::string path = Write("smtp.json", R"({"url": "smtp://127.0.0.1:2525",
    "from": "n@example.org", "require_tls": false})");
  auto settings = LoadSmtpSettings(path);
  ASSERT_THAT(settings, IsOk());
  EXPECT_FALSE(settings->require_tls);
}

}  // namespace
}  // namespace breachd::dispatch
