// breachctl: the operations CLI of breachd. See `breachctl help` and README.md.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "tools/breachctl/assess_preview.h"
#include "tools/breachctl/command_line.h"
#include "tools/breachctl/commands.h"

namespace breachd::breachctl {
namespace {

constexpr char kHelp[] = R"(breachctl: operate breachd over gRPC.

Commands:
  report create -f report.json [--request-id ID]   file an Allegato A report (-f - reads stdin)
  report get BREACH_ID                              the report as filed (the read is recorded)
  breach list [--tenant CODE] [--status reported] [--year 2026] [--page-size N] [--page-token T]
  breach get BREACH_ID                              the register entry (the read is recorded)
  breach timeline BREACH_ID                         every event: who, role, occurred, recorded
  verify [BREACH_ID]                                re-check the hash chains of the stores
  whoami                                            the principal behind the token
  admin parked list [--service S]                   events the bus refused for good (operators)
  admin parked retry POSITION|--all [--service S]   put them back in the outbox once fixed
  assess preview -f assessment.json [--awareness TIME] [-o json|table]
                                                    run the risk engine offline (no server)

Flags:
  --endpoint HOST:PORT   default $BREACHCTL_ENDPOINT, else 127.0.0.1:50051
  --intake-endpoint, --register-endpoint   per-service overrides
                         ($BREACHCTL_INTAKE_ENDPOINT, $BREACHCTL_REGISTER_ENDPOINT)
  --token TOKEN          bearer token, default $BREACHCTL_TOKEN
  --timeout SECONDS      deadline of each call (default 10)
  -o, --output table|json
)";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

FlagSpec Flags() {
  FlagSpec spec;
  spec.with_value = {"endpoint", "intake-endpoint", "register-endpoint", "token", "timeout",
                     "output",   "file",            "request-id",        "tenant", "status",
                     "year",     "page-size",       "page-token",        "service"};
  spec.switches = {"help", "all"};
  spec.short_names = {{'o', "output"}, {'f', "file"}, {'h', "help"}};
  return spec;
}

using Command = int (*)(const CommandLine&, CommandIo&);

Command Find(const std::vector<std::string>& words) {
  struct Entry {
    const char* verb;
    const char* noun;
    Command command;
  };
  static const Entry kCommands[] = {
      {"report", "create", ReportCreate}, {"report", "get", ReportGet},
      {"breach", "list", BreachList},     {"breach", "get", BreachGet},
      {"breach", "timeline", BreachTimeline}, {"admin", "parked", AdminParked}};
  if (words.empty()) return nullptr;
  if (words[0] == "verify") return Verify;
  if (words[0] == "whoami") return WhoAmI;
  for (const Entry& entry : kCommands) {
    if (words.size() >= 2 && words[0] == entry.verb && words[1] == entry.noun) {
      return entry.command;
    }
  }
  return nullptr;
}

int Run(const std::vector<std::string>& args) {
  // The offline engine has flags of its own.
  if (args.size() >= 2 && args[0] == "assess" && args[1] == "preview") {
    return RunAssessPreview(std::vector<std::string>(args.begin() + 2, args.end()), std::cout,
                            std::cerr);
  }
  auto line = ParseCommandLine(args, Flags());
  if (!line.ok()) {
    std::cerr << "breachctl: " << line.status().message() << " (see breachctl help)\n";
    return 2;
  }
  if (line->Flag("help") || line->words.empty() || line->words[0] == "help") {
    std::cout << kHelp;
    return line->words.empty() && !line->Flag("help") ? 2 : 0;
  }
  Command command = Find(line->words);
  if (command == nullptr) {
    std::cerr << "breachctl: unknown command '" << line->words[0]
              << "' (see breachctl help)\n";
    return 2;
  }
  const std::string output = line->FlagOr("output", "table");
  if (output != "table" && output != "json") {
    std::cerr << "breachctl: -o must be table or json\n";
    return 2;
  }
  double timeout_seconds = 10;
  if (auto timeout = line->Flag("timeout");
      timeout && (!absl::SimpleAtod(*timeout, &timeout_seconds) || timeout_seconds <= 0)) {
    std::cerr << "breachctl: --timeout must be a positive number of seconds\n";
    return 2;
  }
  ConnectionSettings settings;
  settings.endpoint = line->FlagOr("endpoint", EnvOr("BREACHCTL_ENDPOINT", "127.0.0.1:50051"));
  settings.per_service["intake"] =
      line->FlagOr("intake-endpoint", EnvOr("BREACHCTL_INTAKE_ENDPOINT", ""));
  settings.per_service["register"] =
      line->FlagOr("register-endpoint", EnvOr("BREACHCTL_REGISTER_ENDPOINT", ""));
  settings.token = line->FlagOr("token", EnvOr("BREACHCTL_TOKEN", ""));
  settings.timeout = absl::Seconds(timeout_seconds);
  Connection connection(settings);
  CommandIo io{connection, output == "json" ? OutputFormat::kJson : OutputFormat::kTable,
               std::cin, std::cout, std::cerr};
  return command(*line, io);
}

}  // namespace
}  // namespace breachd::breachctl

int main(int argc, char** argv) {
  return breachd::breachctl::Run(std::vector<std::string>(argv + 1, argv + argc));
}
