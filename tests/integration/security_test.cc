// breachd as deployed: TLS on its port (the register catching up from the intake over TLS too),
// signed tokens from an identity provider's key, rate-limited refusals, and stores that sign
// checkpoints, through real gRPC.
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "breach/v1/access.grpc.pb.h"
#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "libs/auth/jwt_authenticator.h"
#include "libs/auth/tests/role_matrix.h"
#include "libs/auth/jwt_minter.h"
#include "libs/common/clock.h"
#include "libs/common/files.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/eventstore/signing_key.h"
#include "libs/eventstore/tests/wholesale_rewrite.h"
#include "libs/grpcutil/certificates.h"
#include "libs/grpcutil/tls.h"
#include "libs/service/personal_data.h"
#include "libs/siem/ecs_document.h"
#include "services/breachd/suite.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/process.h"

namespace breachd {
namespace {

using namespace breachd::testing;  // NOLINT: test fixtures
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "https://idp.example.org/realms/schools";
constexpr char kAudience[] = "breachd";

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchDir>("security_test");
    dir_ = scratch_->path();
    WriteTwoSchoolIdentity(dir_ + "/identity.json");
    ASSERT_OK_AND_ASSIGN(idp_key_, auth::NewSigningKeyPair(auth::kEs256));
    ASSERT_OK_AND_ASSIGN(tls_, grpcutil::EnsureDevelopmentCertificates(dir_ + "/tls"));
    checkpoint_key_ =
        std::make_shared<eventstore::SigningKey>(eventstore::SigningKey::Generate());
    StartSuite();
  }

  void StartSuite() {
    suite::SuiteConfig config;
    config.signing_key = checkpoint_key_;
    config.services = services_;
    config.listen = "127.0.0.1:0";
    config.data_dir = dir_;
    config.identity_file = dir_ + "/identity.json";
    ASSERT_OK_AND_ASSIGN(config.transport,
                         grpcutil::TlsTransport({tls_.cert_file, tls_.key_file, client_ca_},
                                                tls_.ca_file));
    ASSERT_OK_AND_ASSIGN(auth::JwtAuthenticator jwt,
                         auth::JwtAuthenticator::Create(
                             {{"idp-1", auth::kEs256, idp_key_.public_key_pem}},
                             {kIssuer, kAudience}, SystemClock::Get()));
    config.token_authenticator = std::make_shared<auth::JwtAuthenticator>(std::move(jwt));
    config.service_token = Token("service:breachd", auth::kProviderTenant, "service");
    ASSERT_OK_AND_ASSIGN(suite_, suite::Suite::Start(config));

    ASSERT_OK_AND_ASSIGN(auto credentials, grpcutil::TlsChannelCredentials({tls_.ca_file, "", ""}));
    auto channel = grpc::CreateChannel(suite_->endpoint(), credentials);
    intake_ = breach::v1::IntakeService::NewStub(channel);
    register_ = breach::v1::RegisterService::NewStub(channel);
    admin_ = breach::v1::AdminService::NewStub(channel);
    access_ = breach::v1::AccessService::NewStub(channel);
  }

  std::string Token(const std::string& subject, const std::string& tenant,
                    const std::string& role, const std::string& private_key = "") {
    auth::TokenClaims claims;
    claims.principal = {subject, tenant, {role}};
    claims.issuer = kIssuer;
    claims.audience = kAudience;
    claims.issued_at = absl::Now();
    claims.not_before = claims.issued_at;
    claims.expires = claims.issued_at + absl::Minutes(10);
    claims.kid = "idp-1";
    auto token = auth::MintToken(claims, private_key.empty() ? idp_key_.private_key_pem : private_key);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  grpc::Status WhoAmI(const std::string& token, breach::v1::WhoAmIResponse* me) {
    return admin_->WhoAmI(As(token).get(), {}, me);
  }

  breach::v1::Report File(const std::string& token, const std::string& request_id) {
    breach::v1::ReportBreachRequest request;
    request.set_request_id(request_id);
    *request.mutable_report() = LostLaptopReport(kVespucci);
    breach::v1::Report report;
    const grpc::Status status = intake_->ReportBreach(As(token).get(), request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  breach::v1::StoreVerification VerifyIntake(const std::string& token) {
    breach::v1::VerifyChainsResponse verified;
    const grpc::Status status = admin_->VerifyChains(As(token).get(), {}, &verified);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& store : verified.stores()) {
      if (store.service() == "intake") return store;
    }
    ADD_FAILURE() << "no intake store in the answer";
    return {};
  }

  std::unique_ptr<ScratchDir> scratch_;
  std::string dir_;
  std::shared_ptr<eventstore::SigningKey> checkpoint_key_;
  std::set<std::string> services_ = {"intake", "register"};
  auth::SigningKeyPair idp_key_;
  grpcutil::DevelopmentTlsFiles tls_;
  std::string client_ca_;  // set: mutual TLS, clients need a certificate from this CA
  std::unique_ptr<suite::Suite> suite_;
  std::unique_ptr<breach::v1::IntakeService::Stub> intake_;
  std::unique_ptr<breach::v1::RegisterService::Stub> register_;
  std::unique_ptr<breach::v1::AdminService::Stub> admin_;
  std::unique_ptr<breach::v1::AccessService::Stub> access_;
};

TEST_F(SecurityTest, SignedTokenOverTlsIsThePrincipalAndReportsReachTheRegister) {
  const std::string dpo = Token("user:dpo@vespucci", kVespucci, "school-dpo");
  breach::v1::WhoAmIResponse me;
  ASSERT_TRUE(WhoAmI(dpo, &me).ok());
  EXPECT_EQ(me.subject(), "user:dpo@vespucci");
  EXPECT_EQ(me.tenant(), kVespucci);
  EXPECT_THAT(me.roles(), ElementsAre("school-dpo"));

  File(dpo, "tls-1");
  // The register reads the intake's store over TLS with its signed service token.
  EXPECT_TRUE(WaitUntil([&] {
    breach::v1::ListBreachesResponse list;
    return register_->ListBreaches(As(dpo).get(), {}, &list).ok() && list.entries_size() == 1;
  }));
}

TEST_F(SecurityTest, IdentityFileTokensAndForgedTokensAreRefused) {
  breach::v1::WhoAmIResponse me;
  EXPECT_EQ(WhoAmI(kOperatorToken, &me).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_OK_AND_ASSIGN(auth::SigningKeyPair attacker, auth::NewSigningKeyPair(auth::kEs256));
  const grpc::Status forged =
      WhoAmI(Token("user:ops", auth::kProviderTenant, "provider-operator", attacker.private_key_pem), &me);
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(forged.error_message(), HasSubstr("signature"));
  const grpc::Status unknown_school = WhoAmI(Token("user:x", "ZZIS00000Z", "school-dpo"), &me);
  EXPECT_THAT(unknown_school.error_message(), HasSubstr("not a known school"));

  // Each refusal is recorded for the SIEM on audit-provider, the caller's address as its actor,
  // with a fixed reason (the token's header is the client's text: it stays in the log).
  ASSERT_OK_AND_ASSIGN(auto audit, suite_->store("intake")->ReadStream("audit-provider"));
  ASSERT_EQ(audit.size(), 3u);
  for (const auto& event : audit) {
    EXPECT_EQ(event.type(), "breach.v1.AccessDenied");
    EXPECT_THAT(event.actor().subject(), HasSubstr("peer:"));
    ASSERT_OK_AND_ASSIGN(std::string document, siem::ToEcsJson(event));
    EXPECT_THAT(document, HasSubstr("\"outcome\":\"failure\""));
    EXPECT_THAT(document, HasSubstr("authentication: bearer token missing, unknown, expired"));
    EXPECT_THAT(document, Not(HasSubstr("ZZIS00000Z")));
  }
}

TEST_F(SecurityTest, RepeatedRefusalsFromOnePeerAreRateLimited) {
  breach::v1::WhoAmIResponse me;
  grpc::Status last;
  int refused = 0;
  for (; refused < 100; ++refused) {
    last = WhoAmI("guessed-token", &me);
    if (last.error_code() != grpc::StatusCode::UNAUTHENTICATED) break;
  }
  EXPECT_EQ(last.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(last.error_message(), HasSubstr("retry in"));
  EXPECT_LT(refused, 100);
}

// breachctl as an operator runs it: a token from `breachctl token mint` signed with the identity
// provider's key, the server's CA from --cacert or $BREACHCTL_CACERT, and under mutual TLS a
// client certificate from --cert/--key or $BREACHCTL_CERT/$BREACHCTL_KEY.
TEST_F(SecurityTest, BreachctlMintsATokenAndSpeaksTlsAndMutualTlsFromFlagsOrEnvironment) {
  const std::string bin = std::string(BREACHD_BIN_DIR) + "/breachctl";
  const std::string key_file = dir_ + "/idp-key.pem";
  ASSERT_THAT(WriteWholeFile(key_file, idp_key_.private_key_pem, 0600, false), IsOk());
  const CommandResult minted =
      RunCommand({bin, "token", "mint", "--signing-key", key_file, "--sub", "user:dpo@vespucci",
                  "--tenant", kVespucci, "--roles", "school-dpo", "--ttl", "10m", "--issuer",
                  kIssuer, "--audience", kAudience, "--kid", "idp-1"});
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  const std::string token(absl::StripTrailingAsciiWhitespace(minted.out));
  // A lifetime outside 1 s .. 30 days is refused before anything is signed.
  for (const char* ttl : {"0s", "-1h", "721h", "inf"}) {
    const CommandResult refused =
        RunCommand({bin, "token", "mint", "--signing-key", key_file, "--sub", "user:x",
                    "--tenant", kVespucci, "--roles", "school-dpo", "--ttl", ttl});
    EXPECT_EQ(refused.exit_code, 2) << ttl;
    EXPECT_THAT(refused.err, HasSubstr("--ttl")) << ttl;
    EXPECT_TRUE(refused.out.empty()) << ttl;
  }
  auto whoami = [&](std::vector<std::string> flags, std::vector<std::string> env) {
    std::vector<std::string> argv = {bin, "--endpoint", suite_->endpoint()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"whoami", "-o", "json"});
    env.push_back("BREACHCTL_TOKEN=" + token);
    return RunCommand(argv, "", env);
  };

  const CommandResult by_flag = whoami({"--cacert", tls_.ca_file}, {});
  ASSERT_EQ(by_flag.exit_code, 0) << by_flag.err;
  EXPECT_THAT(by_flag.out, HasSubstr("user:dpo@vespucci"));
  const CommandResult by_env = whoami({}, {"BREACHCTL_CACERT=" + tls_.ca_file});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  // Without the CA the server is not trusted (the system's roots do not know it).
  const CommandResult untrusted = whoami({"--timeout", "2"}, {});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("--cacert"));

  // Mutual TLS (the development certificate is also a client certificate of that CA).
  suite_.reset();
  client_ca_ = tls_.ca_file;
  StartSuite();
  // No client certificate: the handshake fails (until the call's deadline).
  EXPECT_NE(whoami({"--cacert", tls_.ca_file, "--timeout", "2"}, {}).exit_code, 0);
  const CommandResult mutual_flags =
      whoami({"--cacert", tls_.ca_file, "--cert", tls_.cert_file, "--key", tls_.key_file}, {});
  EXPECT_EQ(mutual_flags.exit_code, 0) << mutual_flags.err;
  const CommandResult mutual_env =
      whoami({}, {"BREACHCTL_CACERT=" + tls_.ca_file, "BREACHCTL_CERT=" + tls_.cert_file,
                  "BREACHCTL_KEY=" + tls_.key_file});
  EXPECT_EQ(mutual_env.exit_code, 0) << mutual_env.err;
  EXPECT_THAT(mutual_env.out, HasSubstr("user:dpo@vespucci"));
}

TEST_F(SecurityTest, PlaintextClientIsRefusedByTheTlsPort) {
  auto channel = grpc::CreateChannel(suite_->endpoint(), grpc::InsecureChannelCredentials());
  breach::v1::WhoAmIResponse me;
  EXPECT_EQ(breach::v1::AdminService::NewStub(channel)
                ->WhoAmI(As(Token("user:dpo", kVespucci, "school-dpo")).get(), {}, &me)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// The role matrix over real gRPC, for every unary RPC of every service (the feed and the
// register's export stream and are left to role_matrix_test): each call carries the filed breach's id and the
// school's code where the request has those fields, and nothing else. A row marked Y is never
// refused for lack of a role; a row marked - never succeeds. (Requests this thin are often
// INVALID_ARGUMENT once authorized, which says nothing either way.)
TEST_F(SecurityTest, EveryRpcHonoursTheRoleMatrix) {
  suite_.reset();
  services_ = {"intake", "assessment", "notification", "register"};
  StartSuite();
  const breach::v1::Report filed = File(Token("user:dpo@vespucci", kVespucci, "school-dpo"), "m-1");
  ASSERT_FALSE(filed.breach_id().empty());
  ASSERT_OK_AND_ASSIGN(auto credentials, grpcutil::TlsChannelCredentials({tls_.ca_file, "", ""}));
  auto channel = grpc::CreateChannel(suite_->endpoint(), credentials);
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  int checked = 0, served = 0, refused_by_role = 0, expected_calls = 0;
  for (const auth::matrix::Row& row : auth::matrix::kMatrix) {
    const std::string rpc = row.rpc;
    const std::string service = rpc.substr(0, rpc.find('/'));
    const bool every_school = rpc.find(" (") != std::string::npos;
    const std::string method_name = rpc.substr(rpc.find('/') + 1, rpc.find(' ') - rpc.find('/') - 1);
    const google::protobuf::MethodDescriptor* method =
        pool->FindMethodByName("breach.v1." + service + "." + method_name);
    ASSERT_NE(method, nullptr) << rpc;
    if (method->server_streaming() || method->client_streaming()) continue;
    // Every role, except that listing every school is only asked by the provider's roles.
    int provider_roles = 0;
    for (const auto& role : auth::matrix::kRoles) {
      provider_roles += role.tenant == std::string(auth::kProviderTenant);
    }
    expected_calls += rpc.find("(all schools)") != std::string::npos
                          ? provider_roles
                          : static_cast<int>(std::size(auth::matrix::kRoles));
    for (size_t i = 0; i < std::size(auth::matrix::kRoles); ++i) {
      const auth::matrix::Role& role = auth::matrix::kRoles[i];
      // A school's caller who names no school lists its own: that is the one-school row.
      if (rpc.find("(all schools)") != std::string::npos &&
          role.tenant != std::string(auth::kProviderTenant)) {
        continue;
      }
      auto* factory = google::protobuf::MessageFactory::generated_factory();
      std::unique_ptr<google::protobuf::Message> request(
          factory->GetPrototype(method->input_type())->New());
      std::unique_ptr<google::protobuf::Message> response(
          factory->GetPrototype(method->output_type())->New());
      const google::protobuf::Reflection* reflection = request->GetReflection();
      if (!every_school) {
        if (auto* field = method->input_type()->FindFieldByName("breach_id")) {
          reflection->SetString(request.get(), field, filed.breach_id());
        }
        if (auto* field = method->input_type()->FindFieldByName("tenant")) {
          reflection->SetString(request.get(), field, kVespucci);
        }
      }
      auto context = As(Token(absl::StrCat("user:matrix-", role.name), role.tenant, role.name));
      const std::string path = absl::StrCat("/breach.v1.", service, "/", method_name);
      const grpc::internal::RpcMethod rpc_method(path.c_str(),
                                                 grpc::internal::RpcMethod::NORMAL_RPC);
      const grpc::Status status =
          grpc::internal::BlockingUnaryCall<google::protobuf::Message, google::protobuf::Message>(
              channel.get(), rpc_method, context.get(), *request, response.get());
      if (row.expected[i] == 'Y') {
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << rpc << " as " << role.name << ": " << status.error_message();
      } else {
        EXPECT_FALSE(status.ok()) << rpc << " as " << role.name << " succeeded";
        if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) ++refused_by_role;
      }
      if (status.ok()) ++served;
      ++checked;
    }
  }
  EXPECT_EQ(checked, expected_calls);
  EXPECT_GT(served, 0);
  EXPECT_GT(refused_by_role, 0);
  std::printf("role matrix over gRPC: %d calls, %d served, %d refused for their role\n", checked,
              served, refused_by_role);
}

// The provider is the school's processor: its staff read a breach's metadata, and its personal
// data only with the school's grant or through a reasoned, time-limited break-glass, which the
// school sees in its timeline and the SIEM sees without personal data.
TEST_F(SecurityTest, TheProviderSeesPersonalDataOnlyWithTheSchoolsGrantOrThroughBreakGlass) {
  const std::string dpo = Token("user:dpo@vespucci", kVespucci, "school-dpo");
  const std::string ops = Token("user:ops", auth::kProviderTenant, "provider-operator");
  const std::string manager =
      Token("user:im-ferri", auth::kProviderTenant, "provider-incident-manager");
  const breach::v1::Report filed = File(dpo, "privilege-1");
  const std::string description = filed.current().description();
  ASSERT_FALSE(description.empty());
  breach::v1::GetReportRequest get;
  get.set_breach_id(filed.breach_id());
  breach::v1::GetBreachRequest get_entry;
  get_entry.set_breach_id(filed.breach_id());
  auto report_as = [&](const std::string& token) {
    breach::v1::Report report;
    const grpc::Status status = intake_->GetReport(As(token).get(), get, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  };
  // Whether the register answers `token` with the entry's description in clear.
  auto entry_open_to = [&](const std::string& token) {
    breach::v1::RegisterEntry entry;
    return register_->GetBreach(As(token).get(), get_entry, &entry).ok() &&
           entry.description() == description;
  };

  // Metadata, not personal data.
  breach::v1::Report seen = report_as(ops);
  EXPECT_EQ(seen.current().description(), service::kRedacted);
  EXPECT_EQ(seen.current().reporter().name(), service::kRedacted);
  EXPECT_EQ(seen.current().tenant(), kVespucci);
  EXPECT_EQ(seen.current().approx_data_subjects(), filed.current().approx_data_subjects());
  EXPECT_EQ(seen.status(), filed.status());
  EXPECT_EQ(report_as(dpo).current().description(), description);
  ASSERT_TRUE(WaitUntil([&] {
    breach::v1::RegisterEntry entry;
    return register_->GetBreach(As(ops).get(), get_entry, &entry).ok() &&
           entry.description() == service::kRedacted && entry.tenant() == kVespucci;
  }));

  // Break-glass: refused without a reason, beyond 24 hours, and to an operator.
  breach::v1::BreakGlassRequest glass;
  glass.set_breach_id(filed.breach_id());
  glass.set_duration_seconds(7200);
  breach::v1::ProviderAccessResponse access;
  grpc::Status status = access_->BreakGlass(As(manager).get(), glass, &access);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("reason is required"));
  glass.set_reason("Ransomware on the platform: which pupils' records were exposed");
  glass.set_duration_seconds(25 * 3600);
  status = access_->BreakGlass(As(manager).get(), glass, &access);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("duration_seconds is 90000"));
  glass.set_duration_seconds(7200);
  // Refused (recorded as AccessDenied) and answered like an unknown id, as every refusal on a
  // breach by a caller of another tenant (RpcGuard::AuthorizeBreach).
  EXPECT_EQ(access_->BreakGlass(As(ops).get(), glass, &access).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(access_->BreakGlass(As(dpo).get(), glass, &access).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(report_as(manager).current().description(), service::kRedacted);

  // ... and granted for two hours, to the incident manager alone.
  status = access_->BreakGlass(As(manager).get(), glass, &access);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(access.access().break_glass_size(), 1);
  EXPECT_EQ(access.access().break_glass(0).subject(), "user:im-ferri");
  EXPECT_EQ(report_as(manager).current().description(), description);
  EXPECT_EQ(report_as(ops).current().description(), service::kRedacted);
  EXPECT_TRUE(WaitUntil([&] { return entry_open_to(manager); }));
  EXPECT_FALSE(entry_open_to(ops));

  // The school sees it in its timeline.
  breach::v1::GetTimelineRequest timeline_request;
  timeline_request.set_breach_id(filed.breach_id());
  EXPECT_TRUE(WaitUntil([&] {
    breach::v1::Timeline timeline;
    if (!register_->GetTimeline(As(dpo).get(), timeline_request, &timeline).ok()) return false;
    for (const auto& line : timeline.entries()) {
      if (absl::StrContains(line.summary(), "Break-glass: user:im-ferri (provider) may read the "
                                            "personal data until")) {
        return true;
      }
    }
    return false;
  }));

  // The SIEM document of the break-glass says who and until when, not why nor what.
  ASSERT_OK_AND_ASSIGN(std::vector<breach::v1::EventEnvelope> events,
                       suite_->store("intake")->ReadStream(filed.breach_id(), 1));
  const breach::v1::EventEnvelope* opened = nullptr;
  for (const auto& event : events) {
    if (event.type() == "breach.v1.BreakGlassOpened") opened = &event;
  }
  ASSERT_NE(opened, nullptr);
  ASSERT_OK_AND_ASSIGN(std::string document, siem::ToEcsJson(*opened));
  EXPECT_THAT(document, HasSubstr("\"action\":\"break-glass-opened\""));
  EXPECT_THAT(document, HasSubstr("\"break_glass\":true"));
  EXPECT_THAT(document, HasSubstr("\"user:im-ferri\""));
  EXPECT_THAT(document, ::testing::Not(HasSubstr("Ransomware")));
  EXPECT_THAT(document, ::testing::Not(HasSubstr(description)));

  // The school's grant opens the breach to the provider's staff, until revoked.
  breach::v1::GrantProviderAccessRequest grant;
  grant.set_breach_id(filed.breach_id());
  EXPECT_EQ(access_->GrantProviderAccess(As(ops).get(), grant, &access).error_code(),
            grpc::StatusCode::NOT_FOUND);
  status = access_->GrantProviderAccess(As(dpo).get(), grant, &access);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(access.access().granted());
  EXPECT_EQ(report_as(ops).current().description(), description);
  EXPECT_TRUE(WaitUntil([&] { return entry_open_to(ops); }));
  breach::v1::RevokeProviderAccessRequest revoke;
  revoke.set_breach_id(filed.breach_id());
  ASSERT_TRUE(access_->RevokeProviderAccess(As(dpo).get(), revoke, &access).ok());
  EXPECT_EQ(report_as(ops).current().description(), service::kRedacted);
  EXPECT_TRUE(WaitUntil([&] {
    breach::v1::RegisterEntry entry;
    return register_->GetBreach(As(ops).get(), get_entry, &entry).ok() &&
           entry.description() == service::kRedacted;
  }));
}

TEST_F(SecurityTest, AStoreRewrittenWholesaleFailsVerificationOnItsSignedCheckpoint) {
  const std::string operator_token =
      Token("user:ops", auth::kProviderTenant, "provider-operator");
  File(Token("user:dpo@vespucci", kVespucci, "school-dpo"), "ck-1");
  // The first checkpoint follows the first event within a second.
  ASSERT_TRUE(WaitUntil([&] { return VerifyIntake(operator_token).checkpoint_checked(); }));
  breach::v1::StoreVerification before = VerifyIntake(operator_token);
  EXPECT_TRUE(before.ok()) << before.problem();
  EXPECT_EQ(before.checkpoint_position(), 1u);

  // The public key and the latest checkpoints, for a third party to keep.
  breach::v1::GetCheckpointsResponse checkpoints;
  ASSERT_TRUE(admin_->GetCheckpoints(As(operator_token).get(), {}, &checkpoints).ok());
  EXPECT_EQ(checkpoints.public_key(), eventstore::ToHex(checkpoint_key_->public_key()));
  ASSERT_EQ(checkpoints.checkpoints_size(), 1);
  EXPECT_EQ(checkpoints.checkpoints(0).service(), "intake");
  EXPECT_EQ(checkpoints.checkpoints(0).signature().size(), 128u);
  EXPECT_EQ(admin_->GetCheckpoints(As(Token("user:dpo", kVespucci, "school-dpo")).get(), {},
                                   &checkpoints)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Someone with the disk but not the key rewrites the intake store, every hash recomputed.
  suite_.reset();
  ASSERT_THAT(eventstore::testing::RewriteStoreWholesale(dir_ + "/intake"), IsOk());
  StartSuite();
  const breach::v1::StoreVerification after = VerifyIntake(operator_token);
  EXPECT_FALSE(after.ok());
  EXPECT_TRUE(after.checkpoint_checked());
  EXPECT_THAT(after.problem(), HasSubstr("the store was rewritten"));
}

}  // namespace
}  // namespace breachd
