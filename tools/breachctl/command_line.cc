#include "tools/breachctl/command_line.h"

#include "absl/strings/str_cat.h"

namespace breachd::breachctl {

std::optional<std::string> CommandLine::Flag(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

std::string CommandLine::FlagOr(const std::string& name, const std::string& fallback) const {
  return Flag(name).value_or(fallback);
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                             const FlagSpec& spec) {
  CommandLine line;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      line.words.insert(line.words.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      line.words.push_back(arg);
      continue;
    }
    std::string name;
    std::optional<std::string> value;
    if (arg[1] == '-') {
      name = arg.substr(2);
      if (const size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
    } else {
      // -o json, -o=json, -ojson; a one-letter switch stands alone (-h).
      auto alias = spec.short_names.find(arg[1]);
      if (alias == spec.short_names.end()) {
        return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
      }
      name = alias->second;
      if (arg.size() > 2) {
        if (!spec.with_value.count(name)) {
          return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
        }
        value = arg.substr(arg[2] == '=' ? 3 : 2);
      }
    }
    if (spec.switches.count(name)) {
      line.flags[name] = value.value_or("true");
      continue;
    }
    if (!spec.with_value.count(name)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    }
    if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag ", arg, " needs a value"));
      }
      value = args[++i];
    }
    line.flags[name] = *value;
  }
  return line;
}

}  // namespace breachd::breachctl
