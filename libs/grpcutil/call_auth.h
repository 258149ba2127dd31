// Authenticates the caller of an RPC from its "authorization: Bearer <token>" metadata.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "libs/auth/identity_store.h"
#include "libs/auth/principal.h"

namespace breachd::grpcutil {

// The bearer token of the call, "" if there is none, or UNAUTHENTICATED when the call carries
// more than one authorization header (which one would count is ambiguous: refuse both).
absl::StatusOr<std::string> BearerToken(const grpc::ServerContext& context);

// UNAUTHENTICATED when the token is missing, ambiguous or unknown.
absl::StatusOr<auth::Principal> AuthenticateCall(const auth::IdentityStore& identities,
                                                 const grpc::ServerContext& context);

}  // namespace breachd::grpcutil
