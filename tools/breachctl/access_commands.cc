#include "tools/breachctl/access_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "breach/v1/access.grpc.pb.h"
#include "libs/grpcutil/status.h"

namespace breachd::breachctl {
namespace {

using breach::v1::AccessService;
using breach::v1::ProviderAccessResponse;

constexpr absl::Duration kMaxBreakGlass = absl::Hours(24);

template <typename Request>
int CallAccess(CommandIo& io,
               grpc::Status (AccessService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                           ProviderAccessResponse*),
               const Request& request) {
  // The access service is hosted by the intake (it owns the breach's stream).
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = io.connection.ChannelFor("intake");
  if (!channel.ok()) return FailCall(io, grpcutil::ToGrpcStatus(channel.status()));
  ProviderAccessResponse response;
  const grpc::Status status = ((*AccessService::NewStub(*channel)).*method)(
      io.connection.NewContext().get(), request, &response);
  if (!status.ok()) return FailCall(io, status);
  if (io.format == OutputFormat::kJson) {
    io.out << ToJson(response);
    return 0;
  }
  const breach::v1::ProviderAccess& access = response.access();
  std::vector<std::string> glasses;
  for (const auto& glass : access.break_glass()) {
    glasses.push_back(absl::StrCat(glass.subject(), " until ", FormatTimestamp(glass.expires_at())));
  }
  PrintFields(io.out, {{"breach", access.breach_id()},
                       {"school's grant", access.granted() ? "granted" : "not granted"},
                       {"grant changed by", access.granted_by().empty() ? "-" : access.granted_by()},
                       {"break-glass", glasses.empty() ? "-" : absl::StrJoin(glasses, "; ")}});
  return 0;
}

template <typename Request>
Request GrantOrRevoke(const CommandLine& line) {
  Request request;
  request.set_breach_id(line.words[2]);
  request.set_reason(line.FlagOr("reason", ""));
  return request;
}

}  // namespace

int BreachGrantAccess(const CommandLine& line, CommandIo& io) {
  return CallAccess(io, &AccessService::Stub::GrantProviderAccess,
                    GrantOrRevoke<breach::v1::GrantProviderAccessRequest>(line));
}

int BreachRevokeAccess(const CommandLine& line, CommandIo& io) {
  return CallAccess(io, &AccessService::Stub::RevokeProviderAccess,
                    GrantOrRevoke<breach::v1::RevokeProviderAccessRequest>(line));
}

int BreachBreakGlass(const CommandLine& line, CommandIo& io) {
  if (line.FlagOr("reason", "").empty()) {
    return UsageError(io, "missing --reason: say why the school's data must be read");
  }
  const std::string length = line.FlagOr("for", "");
  if (length.empty()) return UsageError(io, "missing --for DURATION (e.g. 2h; at most 24h)");
  absl::Duration duration;
  if (!absl::ParseDuration(length, &duration) || duration < absl::Seconds(1) ||
      duration > kMaxBreakGlass) {
    return UsageError(io, absl::StrCat("--for must be a duration from 1s to 24h (e.g. 30m, 2h), not \"",
                                       length, "\""));
  }
  breach::v1::BreakGlassRequest request;
  request.set_breach_id(line.words[2]);
  request.set_reason(line.FlagOr("reason", ""));
  request.set_duration_seconds(absl::ToInt64Seconds(duration));
  return CallAccess(io, &AccessService::Stub::BreakGlass, request);
}

}  // namespace breachd::breachctl
