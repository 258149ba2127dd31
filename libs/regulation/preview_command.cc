#include "libs/regulation/preview_command.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_zone.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/file_reading.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/result_table.h"
#include "libs/regulation/template_loader.h"
#include "libs/regulation/time_format.h"

#ifndef BREACHD_REGULATION_INSTALLED_DATA_DIR
#define BREACHD_REGULATION_INSTALLED_DATA_DIR "/usr/local/share/breachd"
#endif
#ifndef BREACHD_REGULATION_SOURCE_DATA_DIR
#define BREACHD_REGULATION_SOURCE_DATA_DIR "."
#endif

namespace breachd::regulation {
namespace {

constexpr char kUsage[] =
    "usage: breachctl assess preview -f assessment.json [--awareness TIME] [--now TIME]\n"
    "                                [-o table|json] [--lang it|en] [--regimes DIR] "
    "[--templates DIR]\n"
    "  TIME is RFC 3339, e.g. 2026-03-27T10:00:00+01:00\n";

struct PreviewFlags {
  std::string file;
  std::optional<std::string> awareness;
  std::optional<std::string> now;
  std::string output = "table";
  std::string language = "it";
  std::string regimes_dir;
  std::string templates_dir;
  bool help = false;
};

absl::StatusOr<PreviewFlags> ParseFlags(const std::vector<std::string>& args) {
  PreviewFlags flags;
  const std::map<std::string, std::function<void(std::string)>> with_value = {
      {"-f", [&](std::string v) { flags.file = std::move(v); }},
      {"--file", [&](std::string v) { flags.file = std::move(v); }},
      {"--awareness", [&](std::string v) { flags.awareness = std::move(v); }},
      {"--now", [&](std::string v) { flags.now = std::move(v); }},
      {"-o", [&](std::string v) { flags.output = std::move(v); }},
      {"--output", [&](std::string v) { flags.output = std::move(v); }},
      {"--lang", [&](std::string v) { flags.language = std::move(v); }},
      {"--regimes", [&](std::string v) { flags.regimes_dir = std::move(v); }},
      {"--templates", [&](std::string v) { flags.templates_dir = std::move(v); }},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); absl::StartsWith(name, "--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "-h" || name == "--help") {
      flags.help = true;
      continue;
    }
    const auto setter = with_value.find(name);
    if (setter == with_value.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown argument \"", name, "\""));
    }
    if (!value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
      value = args[++i];
    }
    setter->second(*value);
  }
  if (flags.help) return flags;
  if (flags.file.empty()) return absl::InvalidArgumentError("-f assessment.json is required");
  if (flags.output != "table" && flags.output != "json") {
    return absl::InvalidArgumentError("-o must be table or json");
  }
  if (flags.language != "it" && flags.language != "en") {
    return absl::InvalidArgumentError("--lang must be it or en");
  }
  return flags;
}

// The data directory `name` ("regimes" or "templates"): the flag, else the first that exists.
std::string FindDataDir(const std::string& flag, const std::string& name) {
  if (!flag.empty()) return flag;
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("BREACHD_DATA_DIR"); env != nullptr && *env != '\0') {
    candidates.push_back(absl::StrCat(env, "/", name));
  }
  candidates.push_back(name);
  candidates.push_back(absl::StrCat(BREACHD_REGULATION_INSTALLED_DATA_DIR, "/", name));
  candidates.push_back(absl::StrCat(BREACHD_REGULATION_SOURCE_DATA_DIR, "/", name));
  std::error_code ec;
  for (const auto& dir : candidates) {
    if (std::filesystem::is_directory(dir, ec)) return dir;
  }
  return name;  // the loader reports it as not found
}

absl::StatusOr<breach::v1::RiskAssessment> ReadAssessment(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string json, ReadWholeFile(path));
  breach::v1::RiskAssessment assessment;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &assessment);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a valid assessment: ", std::string(parsed.message())));
  }
  return assessment;
}

absl::StatusOr<RegulationEngine> LoadEngine(const PreviewFlags& flags) {
  ASSIGN_OR_RETURN(auto regimes, LoadRegimeDirectory(FindDataDir(flags.regimes_dir, "regimes")));
  ASSIGN_OR_RETURN(auto templates,
                   LoadTemplateDirectory(FindDataDir(flags.templates_dir, "templates")));
  ASSIGN_OR_RETURN(absl::TimeZone zone, LoadNamedTimeZone(regimes.front().time_zone()));
  return RegulationEngine::Create(std::move(regimes), std::move(templates), zone);
}

absl::Status Run(const PreviewFlags& flags, std::ostream& out, const Clock& clock) {
  ASSIGN_OR_RETURN(auto assessment, ReadAssessment(flags.file));
  if (flags.awareness) {
    ASSIGN_OR_RETURN(const absl::Time awareness, ParseRfc3339(*flags.awareness, "--awareness"));
    *assessment.mutable_awareness_time() = ToProto(awareness);
  }
  absl::Time now = clock.Now();
  if (flags.now) {
    ASSIGN_OR_RETURN(now, ParseRfc3339(*flags.now, "--now"));
  }
  ASSIGN_OR_RETURN(const RegulationEngine engine, LoadEngine(flags));
  ASSIGN_OR_RETURN(const auto result, engine.Evaluate(assessment, now));
  if (flags.output == "json") {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    std::string json;
    const auto printed = google::protobuf::util::MessageToJsonString(result, &json, options);
    if (!printed.ok()) return absl::InternalError(std::string(printed.message()));
    out << json;
  } else {
    PrintResultTable(result, flags.language, out);
  }
  return absl::OkStatus();
}

}  // namespace

int RunPreviewCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const Clock& clock) {
  const auto flags = ParseFlags(args);
  if (!flags.ok()) {
    err << "breachctl assess preview: " << flags.status().message() << "\n" << kUsage;
    return 2;
  }
  if (flags->help) {
    out << kUsage;
    return 0;
  }
  if (const absl::Status status = Run(*flags, out, clock); !status.ok()) {
    err << "breachctl assess preview: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace breachd::regulation
