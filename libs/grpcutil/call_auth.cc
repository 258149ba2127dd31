#include "libs/grpcutil/call_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace breachd::grpcutil {

absl::StatusOr<std::string> BearerToken(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  if (metadata.count("authorization") > 1) {
    return absl::UnauthenticatedError("more than one authorization header");
  }
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  std::string value(it->second.data(), it->second.size());
  constexpr char kBearer[] = "bearer ";
  if (!absl::StartsWithIgnoreCase(value, kBearer)) return "";
  return std::string(absl::StripAsciiWhitespace(value.substr(sizeof(kBearer) - 1)));
}

absl::StatusOr<auth::Principal> AuthenticateCall(const auth::IdentityStore& identities,
                                                 const grpc::ServerContext& context) {
  absl::StatusOr<std::string> token = BearerToken(context);
  if (!token.ok()) return token.status();
  return identities.Authenticate(*token);
}

}  // namespace breachd::grpcutil
