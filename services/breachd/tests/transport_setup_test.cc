#include "services/breachd/transport_setup.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"

namespace breachd::suite {
namespace {

using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TransportSetupTest, NoChoiceIsAnErrorThatNamesTheChoices) {
  EXPECT_THAT(PrepareTransport({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--tls_cert"), HasSubstr("--dev_tls"), HasSubstr("--insecure"))));
}

TEST(TransportSetupTest, InsecureIsPlaintextWithAWarningAndContradictsTls) {
  TransportFlags flags;
  flags.insecure = true;
  ::testing::internal::CaptureStderr();
  ASSERT_OK_AND_ASSIGN(PreparedTransport plaintext, PrepareTransport(flags));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(plaintext.security.insecure);
  EXPECT_THAT(log, AllOf(HasSubstr("\"level\":\"warn\""), HasSubstr("plaintext gRPC (--insecure)")));
  flags.dev_tls = true;
  EXPECT_THAT(PrepareTransport(flags), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TransportSetupTest, DevTlsMakesTheCaInTheDataDir) {
  const breachd::testing::ScratchDir scratch("transport_setup");
  TransportFlags flags;
  flags.dev_tls = true;
  flags.data_dir = scratch.path();
  ASSERT_OK_AND_ASSIGN(PreparedTransport prepared, PrepareTransport(flags));
  EXPECT_FALSE(prepared.security.insecure);
  EXPECT_TRUE(prepared.created_dev_certificates);
  EXPECT_EQ(prepared.dev_ca_file, (std::filesystem::path(scratch.path()) / "tls" / "ca.pem").string());
  EXPECT_TRUE(std::filesystem::exists(prepared.dev_ca_file));
  ASSERT_OK_AND_ASSIGN(PreparedTransport again, PrepareTransport(flags));
  EXPECT_FALSE(again.created_dev_certificates);
}

TEST(TransportSetupTest, MissingCertificateFileIsNamed) {
  TransportFlags flags;
  flags.tls_cert = "/nonexistent/server.pem";
  flags.tls_key = "/nonexistent/server-key.pem";
  EXPECT_THAT(PrepareTransport(flags),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("/nonexistent/server.pem")));
}

}  // namespace
}  // namespace breachd::suite
