#include "tools/breachctl/tenant_commands.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "breach/v1/tenant.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/files.h"
#include "libs/common/proto_time.h"
#include "tools/breachctl/output.h"
#include "tools/breachctl/register_export.h"

namespace breachd::breachctl {
namespace {

using breach::v1::TenantService;

std::unique_ptr<TenantService::Stub> TenantStub(CommandIo& io, grpc::Status& status) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = io.connection.ChannelFor("intake");
  if (!channel.ok()) {
    status = grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(channel.status().message()));
    return nullptr;
  }
  return TenantService::NewStub(*channel);
}

// One TenantService call: its answer printed as JSON with -o json, else laid out by `print`.
template <typename Request, typename Response, typename Print>
int CallTenant(CommandIo& io,
               grpc::Status (TenantService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
               const Request& request, Print print) {
  grpc::Status status;
  auto stub = TenantStub(io, status);
  if (!stub) return FailCall(io, status);
  Response response;
  status = ((*stub).*method)(io.connection.NewContext().get(), request, &response);
  if (!status.ok()) return FailCall(io, status);
  if (io.format == OutputFormat::kJson) {
    io.out << ToJson(response);
  } else {
    print(response);
  }
  return 0;
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string Rfc3339(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return absl::FormatTime(absl::RFC3339_full, TimeFromProto(ts), absl::UTCTimeZone());
}

// Every timeline line of every breach: one CSV (RFC 4180, UTF-8, CRLF).
std::string TimelinesCsv(const breach::v1::RegisterExport& exported) {
  std::string csv = "breach_id,event_id,recorded_at,occurred_at,type,source,actor,role,summary\r\n";
  for (const auto& breach : exported.breaches()) {
    for (const auto& line : breach.timeline()) {
      std::vector<std::string> row = {breach.entry().breach_id(), line.event_id(),
                                      Rfc3339(line.recorded_at()), Rfc3339(line.occurred_at()),
                                      line.type(), line.source(), line.actor().subject(),
                                      line.actor().role(), line.summary()};
      for (auto& cell : row) cell = CsvField(cell);
      absl::StrAppend(&csv, absl::StrJoin(row, ","), "\r\n");
    }
  }
  return csv;
}

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace

int TenantExport(const CommandLine& line, CommandIo& io) {
  const std::string tenant = line.words[2];
  const std::string dir = line.FlagOr("output", absl::StrCat("tenant-", tenant));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    io.err << "breachctl: cannot create " << dir << ": " << error.message() << "\n";
    return 1;
  }
  // The register with every entry's timeline and events, as for an inspection.
  breach::v1::ExportRegisterRequest request;
  request.set_tenant(tenant);
  request.set_format("json");
  breach::v1::RegisterExport exported;
  if (int failed = FetchRegisterExport(io, request, exported); failed != 0) return failed;

  // The reports as filed and amended, from the intake.
  std::string reports = "[\n";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = io.connection.ChannelFor("intake");
  if (!channel.ok()) {
    io.err << "breachctl: " << channel.status().message() << "\n";
    return 1;
  }
  auto intake = breach::v1::IntakeService::NewStub(*channel);
  int done = 0;
  for (const auto& breach : exported.breaches()) {
    breach::v1::GetReportRequest get;
    get.set_breach_id(breach.entry().breach_id());
    breach::v1::Report report;
    const grpc::Status status = intake->GetReport(io.connection.NewContext().get(), get, &report);
    if (!status.ok()) return FailCall(io, status);
    absl::StrAppend(&reports, done == 0 ? "" : ",\n", Json(report));
    ++done;
    if (io.err_is_terminal) {
      io.err << "\rreports " << done << "/" << exported.breaches_size() << std::flush;
    } else if (done % 100 == 0) {
      io.err << "reports " << done << "/" << exported.breaches_size() << "\n";
    }
  }
  if (io.err_is_terminal && done > 0) io.err << "\n";
  absl::StrAppend(&reports, "\n]\n");

  const std::vector<std::pair<std::string, std::string>> files = {
      {"register.json", Json(exported)},
      {"register.csv", ExportCsv(exported)},
      {"timelines.csv", TimelinesCsv(exported)},
      {"reports.json", reports},
  };
  for (const auto& [name, contents] : files) {
    const std::string path = absl::StrCat(dir, "/", name);
    if (absl::Status written = WriteFileAtomically(path, contents, 0600); !written.ok()) {
      io.err << "breachctl: " << written.message() << "\n";
      return 1;
    }
  }
  io.out << "wrote " << dir << "/{register.json,register.csv,timelines.csv,reports.json}: "
         << exported.breaches_size() << " breach(es) of " << tenant << ", exported "
         << FormatTimestamp(exported.header().exported_at()) << " (recorded as "
         << exported.header().export_event_id() << ")\n";
  return 0;
}

int TenantErase(const CommandLine& line, CommandIo& io) {
  breach::v1::EraseTenantRequest request;
  request.set_tenant(line.words[2]);
  const std::optional<std::string> confirm = line.Flag("confirm");
  if (!confirm || *confirm != request.tenant()) {
    return UsageError(io, absl::StrCat("erasing cannot be undone: confirm with --confirm ",
                                       request.tenant()));
  }
  request.set_confirm(*confirm);
  request.set_reason(line.FlagOr("reason", ""));
  if (request.reason().empty()) return UsageError(io, "missing --reason TEXT");
  auto print = [&](const breach::v1::EraseTenantResponse& response) {
    PrintFields(io.out, {{"tenant", response.tenant()},
                         {"erased at", FormatTimestamp(response.erased_at())},
                         {"destroyed keys", absl::StrJoin(response.destroyed_keys(), ", ")},
                         {"recorded in", absl::StrJoin(response.recorded_in(), ", ")}});
  };
  return CallTenant(io, &TenantService::Stub::EraseTenant, request, print);
}

int TenantContractEnd(const CommandLine& line, CommandIo& io) {
  breach::v1::SetContractEndRequest request;
  request.set_tenant(line.words[2]);
  const std::string& day = line.words[3];
  if (day != "none") {
    absl::Time end;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", day, absl::UTCTimeZone(), &end, &error)) {
      return UsageError(io, absl::StrCat("DATE must be YYYY-MM-DD or none, not \"", day, "\""));
    }
    *request.mutable_contract_end() = ProtoFromTime(end);
  }
  auto print = [&](const breach::v1::TenantRetention& response) {
    PrintFields(io.out, {{"tenant", response.tenant()},
                         {"contract end", FormatTimestamp(response.contract_end())},
                         {"erase due", FormatTimestamp(response.erase_due_at())}});
  };
  return CallTenant(io, &TenantService::Stub::SetContractEnd, request, print);
}

int TenantRetention(const CommandLine& line, CommandIo& io) {
  breach::v1::GetRetentionRequest request;
  if (line.words.size() > 2) request.set_tenant(line.words[2]);
  auto print = [&](const breach::v1::GetRetentionResponse& response) {
    Table table({"TENANT", "CONTRACT END", "ERASE DUE", "ERASED", "LIVE KEYS"});
    for (const auto& row : response.tenants()) {
      table.AddRow({row.tenant(), FormatTimestamp(row.contract_end()),
                    FormatTimestamp(row.erase_due_at()), row.erased() ? "yes" : "no",
                    absl::StrCat(row.live_keys_size())});
    }
    table.Print(io.out);
  };
  return CallTenant(io, &TenantService::Stub::GetRetention, request, print);
}

int TenantRotateKey(const CommandLine& line, CommandIo& io) {
  breach::v1::RotateTenantKeyRequest request;
  request.set_tenant(line.words[2]);
  request.set_reason(line.FlagOr("reason", ""));
  if (request.reason().empty()) return UsageError(io, "missing --reason TEXT");
  auto print = [&](const breach::v1::RotateTenantKeyResponse& response) {
    PrintFields(io.out, {{"tenant", response.tenant()},
                         {"rotated at", FormatTimestamp(response.rotated_at())},
                         {"previous key", response.previous_key()},
                         {"new key", response.new_key()},
                         {"recorded in", absl::StrJoin(response.recorded_in(), ", ")}});
  };
  return CallTenant(io, &TenantService::Stub::RotateTenantKey, request, print);
}

}  // namespace breachd::breachctl
