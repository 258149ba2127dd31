#include "libs/grpcutil/call_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace breachd::grpcutil {

std::string BearerToken(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  std::string value(it->second.data(), it->second.size());
  constexpr char kBearer[] = "bearer ";
  if (!absl::StartsWithIgnoreCase(value, kBearer)) return "";
  return std::string(absl::StripAsciiWhitespace(value.substr(sizeof(kBearer) - 1)));
}

absl::StatusOr<auth::Principal> AuthenticateCall(const auth::IdentityStore& identities,
                                                 const grpc::ServerContext& context) {
  return identities.Authenticate(BearerToken(context));
}

}  // namespace breachd::grpcutil
