// TLS and mutual TLS handshakes against a real ServerHost, with good and bad certificates.
#include "libs/grpcutil/tls.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/grpcutil/certificates.h"
#include "libs/grpcutil/server_host.h"

namespace breachd::grpcutil {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

CertificateRequest LeafFor(std::vector<std::string> dns, std::vector<std::string> ips,
                           absl::Time not_before, absl::Time not_after) {
  CertificateRequest request;
  request.common_name = dns.empty() ? "test" : dns.front();
  request.dns_names = std::move(dns);
  request.ip_addresses = std::move(ips);
  request.not_before = not_before;
  request.not_after = not_after;
  return request;
}

CertificateRequest GoodLeaf() {
  return LeafFor({"localhost"}, {"127.0.0.1"}, absl::Now() - absl::Hours(1),
                 absl::Now() + absl::Hours(24));
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(ca_, NewCertificateAuthority("test CA", absl::Hours(24)));
    ASSERT_OK_AND_ASSIGN(other_ca_, NewCertificateAuthority("another CA", absl::Hours(24)));
    ca_file_ = Write("ca.pem", ca_.certificate_pem);
    other_ca_file_ = Write("other-ca.pem", other_ca_.certificate_pem);
  }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = (std::filesystem::path(scratch_.path()) / name).string();
    EXPECT_THAT(WriteFileAtomically(path, contents, 0600), IsOk());
    return path;
  }

  // Files of a certificate issued by `issuer` for `request`, named after `name`.
  ServerTlsFiles Issue(const std::string& name, const CertificateRequest& request,
                       const KeyAndCertificate& issuer) {
    auto issued = IssueCertificate(request, &issuer);
    EXPECT_THAT(issued.status(), IsOk());
    return {Write(name + ".pem", issued->certificate_pem),
            Write(name + "-key.pem", issued->private_key_pem), ""};
  }

  void Serve(const ServerTlsFiles& files) {
    ASSERT_OK_AND_ASSIGN(auto credentials, TlsServerCredentials(files));
    ASSERT_OK_AND_ASSIGN(host_, ServerHost::Start("127.0.0.1:0", credentials, {}, {}));
  }

  // The status of a health check over a channel with `credentials`, to `host`.
  grpc::Status Check(std::shared_ptr<grpc::ChannelCredentials> credentials,
                     const std::string& host = "127.0.0.1") {
    auto channel =
        grpc::CreateChannel(host + ":" + std::to_string(host_->port()), std::move(credentials));
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response);
  }

  std::shared_ptr<grpc::ChannelCredentials> Trusting(const std::string& ca_file,
                                                     const ServerTlsFiles& client = {}) {
    auto credentials = TlsChannelCredentials({ca_file, client.cert_file, client.key_file});
    EXPECT_THAT(credentials.status(), IsOk());
    return *credentials;
  }

  breachd::testing::ScratchDir scratch_{"tls_test"};
  KeyAndCertificate ca_;
  KeyAndCertificate other_ca_;
  std::string ca_file_;
  std::string other_ca_file_;
  std::unique_ptr<ServerHost> host_;
};

TEST_F(TlsTest, ClientTrustingTheCaCompletesTheHandshake) {
  Serve(Issue("server", GoodLeaf(), ca_));
  EXPECT_TRUE(Check(Trusting(ca_file_)).ok());
  EXPECT_TRUE(Check(Trusting(ca_file_), "localhost").ok());
}

TEST_F(TlsTest, ServerCertificateFromAnotherCaIsRefused) {
  Serve(Issue("server", GoodLeaf(), other_ca_));
  EXPECT_EQ(Check(Trusting(ca_file_)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ExpiredServerCertificateIsRefused) {
  Serve(Issue("server",
              LeafFor({"localhost"}, {"127.0.0.1"}, absl::Now() - absl::Hours(48),
                      absl::Now() - absl::Hours(24)),
              ca_));
  EXPECT_EQ(Check(Trusting(ca_file_)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, CertificateForAnotherHostIsRefused) {
  Serve(Issue("server",
              LeafFor({"breachd.example.org"}, {}, absl::Now() - absl::Hours(1),
                      absl::Now() + absl::Hours(24)),
              ca_));
  EXPECT_EQ(Check(Trusting(ca_file_)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, PlaintextClientCannotTalkToATlsServer) {
  Serve(Issue("server", GoodLeaf(), ca_));
  EXPECT_EQ(Check(grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// The protocol versions a client can get: OpenSSL's own client (not ours), made willing to speak
// TLS 1.0 and 1.1 (security level 0), is refused them; 1.2 and 1.3 complete the handshake.
TEST_F(TlsTest, OnlyTls12AndLaterAreAccepted) {
  Serve(Issue("server", GoodLeaf(), ca_));
  const auto handshake = [&](const std::string& version) {
    const std::string out = (std::filesystem::path(scratch_.path()) / (version + ".out")).string();
    const std::string command = "openssl s_client -connect 127.0.0.1:" +
                                std::to_string(host_->port()) + " -" + version +
                                " -cipher DEFAULT@SECLEVEL=0 -alpn h2 -CAfile " + ca_file_ +
                                " </dev/null >" + out + " 2>&1";
    const int status = std::system(command.c_str());
    return std::make_pair(status, ReadFileOrEmpty(out));
  };
  for (const std::string version : {"tls1", "tls1_1"}) {
    const auto [status, out] = handshake(version);
    EXPECT_NE(status, 0) << version << ": " << out;
    EXPECT_THAT(out, HasSubstr("no peer certificate available")) << version;
  }
  for (const auto& [version, protocol] :
       {std::pair<std::string, std::string>{"tls1_2", "TLSv1.2"}, {"tls1_3", "TLSv1.3"}}) {
    const auto [status, out] = handshake(version);
    EXPECT_EQ(status, 0) << version << ": " << out;
    EXPECT_THAT(out, HasSubstr("New, " + protocol + ", Cipher is ")) << out;
    EXPECT_THAT(out, Not(HasSubstr("no peer certificate available"))) << out;
    EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)")) << out;
  }
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheClientCa) {
  ServerTlsFiles server = Issue("server", GoodLeaf(), ca_);
  server.client_ca_file = ca_file_;
  Serve(server);
  EXPECT_EQ(Check(Trusting(ca_file_)).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "no client certificate";
  EXPECT_EQ(Check(Trusting(ca_file_, Issue("stranger", GoodLeaf(), other_ca_))).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "client certificate from another CA";
  EXPECT_TRUE(Check(Trusting(ca_file_, Issue("peer", GoodLeaf(), ca_))).ok());
}

TEST_F(TlsTest, TlsTransportCallsPeersWithItsOwnCertificateUnderMutualTls) {
  ServerTlsFiles server = Issue("server", GoodLeaf(), ca_);
  server.client_ca_file = ca_file_;
  ASSERT_OK_AND_ASSIGN(TransportSecurity transport, TlsTransport(server, ca_file_));
  ASSERT_OK_AND_ASSIGN(host_, ServerHost::Start("127.0.0.1:0", transport.server, {}, {}));
  EXPECT_FALSE(transport.insecure);
  EXPECT_TRUE(Check(transport.client).ok());
}

TEST_F(TlsTest, UnreadableOrIncompleteFilesAreNamed) {
  EXPECT_THAT(TlsServerCredentials({"/nonexistent/server.pem", "/nonexistent/key.pem", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("/nonexistent/server.pem")));
  EXPECT_THAT(TlsServerCredentials({}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(TlsChannelCredentials({ca_file_, ca_file_, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("both")));
  EXPECT_THAT(TlsChannelCredentials({Write("not-pem.txt", "hello"), "", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not PEM")));
}

TEST_F(TlsTest, ServerHostRefusesToStartWithoutCredentials) {
  EXPECT_THAT(ServerHost::Start("127.0.0.1:0", nullptr, {}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--insecure")));
}

TEST_F(TlsTest, DevelopmentCertificatesAreCreatedOnceAndServeLocalhost) {
  const std::string dir = (std::filesystem::path(scratch_.path()) / "dev-tls").string();
  ASSERT_OK_AND_ASSIGN(DevelopmentTlsFiles first, EnsureDevelopmentCertificates(dir));
  ASSERT_OK_AND_ASSIGN(DevelopmentTlsFiles second, EnsureDevelopmentCertificates(dir));
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  for (const std::string& key : {first.key_file, dir + "/ca-key.pem"}) {
    EXPECT_EQ(std::filesystem::status(key).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << key;
  }
  Serve({first.cert_file, first.key_file, ""});
  EXPECT_TRUE(Check(Trusting(first.ca_file)).ok());
  EXPECT_TRUE(Check(Trusting(first.ca_file), "localhost").ok());
}

}  // namespace
}  // namespace breachd::grpcutil
