#include "tools/breachctl/app.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/breachctl/commands.h"
#include "tools/breachctl/output.h"
#include "tools/breachctl/version.h"

namespace breachd::breachctl {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

ConnectionSettings Settings(const CommandLine& line, double timeout_seconds) {
  ConnectionSettings settings;
  settings.endpoint = line.FlagOr("endpoint", EnvOr("BREACHCTL_ENDPOINT", "127.0.0.1:50051"));
  settings.per_service["intake"] =
      line.FlagOr("intake-endpoint", EnvOr("BREACHCTL_INTAKE_ENDPOINT", ""));
  settings.per_service["assessment"] =
      line.FlagOr("assessment-endpoint", EnvOr("BREACHCTL_ASSESSMENT_ENDPOINT", ""));
  settings.per_service["register"] =
      line.FlagOr("register-endpoint", EnvOr("BREACHCTL_REGISTER_ENDPOINT", ""));
  settings.per_service["notification"] =
      line.FlagOr("notification-endpoint", EnvOr("BREACHCTL_NOTIFICATION_ENDPOINT", ""));
  settings.token = line.FlagOr("token", EnvOr("BREACHCTL_TOKEN", ""));
  settings.timeout = absl::Seconds(timeout_seconds);
  settings.tls.ca_file = line.FlagOr("cacert", EnvOr("BREACHCTL_CACERT", ""));
  settings.tls.cert_file = line.FlagOr("cert", EnvOr("BREACHCTL_CERT", ""));
  settings.tls.key_file = line.FlagOr("key", EnvOr("BREACHCTL_KEY", ""));
  settings.insecure = line.Flag("insecure").has_value() || !EnvOr("BREACHCTL_INSECURE", "").empty();
  settings.server_name = line.FlagOr("server-name", EnvOr("BREACHCTL_SERVER_NAME", ""));
  return settings;
}

}  // namespace

int RunCli(const CliSpec& cli, const std::vector<std::string>& args, ProcessIo io) {
  auto line = ParseCommandLine(args, ParserFlags(cli));
  if (!line.ok()) return PrintUsageError(io.err, std::string(line.status().message()), "");
  const Resolution resolution = Resolve(cli, line->words);
  if (line->Flag("version")) {
    // `notify approve ID --version 2` must not print breachctl's version and approve nothing.
    if (resolution.kind == Resolution::kCommand) {
      const auto& flags = resolution.command->flags;
      if (std::find(flags.begin(), flags.end(), "draft-version") != flags.end()) {
        return PrintUsageError(io.err,
                               "--version is breachctl's own; a draft's version is "
                               "--draft-version N",
                               PathOf(*resolution.command));
      }
    }
    io.out << VersionLine() << "\n";
    return 0;
  }
  switch (resolution.kind) {
    case Resolution::kNothing:
      io.out << GlobalHelp(cli);
      return 0;
    case Resolution::kGroup:
      io.out << GroupHelp(cli, *resolution.group);
      return 0;
    case Resolution::kUnknown:
      return PrintUsageError(io.err, absl::StrCat("unknown command '", resolution.unknown, "'"),
                             resolution.group != nullptr ? resolution.group->name : "");
    case Resolution::kCommand:
      break;
  }
  const CommandSpec& command = *resolution.command;
  const std::string path = PathOf(command);
  if (line->Flag("help")) {
    io.out << CommandHelp(cli, command);
    return 0;
  }
  if (const std::string problem = CheckCommandLine(cli, command, *line); !problem.empty()) {
    return PrintUsageError(io.err, problem, path);
  }
  const std::string output = line->FlagOr("output", "table");  // table or json: checked above
  double timeout_seconds = 10;
  if (auto timeout = line->Flag("timeout");
      timeout && (!absl::SimpleAtod(*timeout, &timeout_seconds) || timeout_seconds <= 0)) {
    return PrintUsageError(io.err, "--timeout must be a positive number of seconds", path);
  }
  Connection connection(Settings(*line, timeout_seconds));
  CommandIo command_io{connection, output == "json" ? OutputFormat::kJson : OutputFormat::kTable,
                       io.in,      io.out,
                       io.err,     io.in_is_terminal,
                       path};
  command_io.err_is_terminal = io.err_is_terminal;
  command_io.out_is_terminal = io.out_is_terminal;
  return command.run(*line, command_io);
}

}  // namespace breachd::breachctl
