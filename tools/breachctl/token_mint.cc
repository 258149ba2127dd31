#include "tools/breachctl/token_mint.h"

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/jwt_minter.h"
#include "libs/common/files.h"

namespace breachd::breachctl {
namespace {

constexpr absl::Duration kMaxTokenTtl = absl::Hours(24 * 30);

}  // namespace

int TokenMint(const CommandLine& line, CommandIo& io) {
  const std::string key_file = line.FlagOr("signing-key", "");
  const std::string subject = line.FlagOr("sub", "");
  const std::string tenant = line.FlagOr("tenant", "");
  const std::string roles = line.FlagOr("roles", "");
  if (key_file.empty() || subject.empty() || tenant.empty() || roles.empty()) {
    return UsageError(io, "token mint needs --signing-key, --sub, --tenant and --roles");
  }
  // A development token: short-lived, at most a month (an infinite or huge lifetime would not
  // fit the exp claim).
  absl::Duration ttl;
  if (!absl::ParseDuration(line.FlagOr("ttl", "1h"), &ttl) || ttl < absl::Seconds(1) ||
      ttl > kMaxTokenTtl) {
    return UsageError(io, "--ttl must be a duration from 1s to 720h (30 days), such as 15m, 1h "
                          "or 8h");
  }
  absl::StatusOr<std::string> key = ReadWholeFile(key_file);
  if (!key.ok()) {
    io.err << "breachctl: " << key.status().message() << "\n";
    return 1;
  }
  auth::TokenClaims claims;
  claims.principal.subject = subject;
  claims.principal.tenant = tenant;
  claims.principal.roles = absl::StrSplit(roles, ',', absl::SkipWhitespace());
  claims.issuer = line.FlagOr("issuer", "breachd-dev");
  claims.audience = line.FlagOr("audience", "breachd");
  claims.kid = line.FlagOr("kid", "dev");
  claims.issued_at = absl::Now();
  claims.not_before = claims.issued_at;
  claims.expires = claims.issued_at + ttl;
  absl::StatusOr<std::string> token = auth::MintToken(claims, *key);
  if (!token.ok()) {
    io.err << "breachctl: " << key_file << ": " << token.status().message() << "\n";
    return 1;
  }
  io.out << *token << "\n";
  return 0;
}

}  // namespace breachd::breachctl
