#include "libs/dispatch/smtp_settings.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/files.h"
#include "libs/common/status_macros.h"
#include "libs/dispatch/curl_util.h"
#include "libs/dispatch/recipients.h"
#include "nlohmann/json.hpp"

namespace breachd::dispatch {
namespace {

constexpr int kMinTimeoutSeconds = 1;
constexpr int kMaxTimeoutSeconds = 600;

// Relative paths in a settings file are relative to that file, not to the working directory.
std::string Resolve(const std::string& settings_path, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(settings_path).parent_path() / path).string();
}

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("password_file ", path, " cannot be read"));
  }
  // Like ssh with a private key: a secret others can read (or replace) is not a secret.
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "password_file %s has mode %04o: group and others may read or write it, so the "
        "password is not secret (chmod 600 %s)",
        path, info.st_mode & 07777, path));
  }
  ASSIGN_OR_RETURN(std::string password, ReadWholeFile(path));
  // Files written by `echo` end with a newline that is not part of the password.
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  if (password.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("password_file ", path, " is empty"));
  }
  return password;
}

}  // namespace

absl::Status ValidateSmtpSettings(const SmtpSettings& settings) {
  ASSIGN_OR_RETURN(internal::UrlParts url, internal::ParseUrl("url", settings.url));
  if (url.scheme != "smtp" && url.scheme != "smtps") {
    return absl::InvalidArgumentError(
        absl::StrCat("url \"", settings.url, "\" must start with smtp:// or smtps://"));
  }
  // Mail about a data breach must not cross a network in clear text.
  if (!settings.require_tls && !internal::IsLoopbackHost(url.host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "require_tls may be false only for a server on 127.0.0.1, ::1 or localhost, not ",
        url.host));
  }
  RETURN_IF_ERROR(ValidateEmailAddress("from", settings.from_address));
  if (settings.from_name.find_first_of("\r\n") != std::string::npos) {
    return absl::InvalidArgumentError("from_name holds a line break");
  }
  if (settings.timeout < absl::Seconds(kMinTimeoutSeconds) ||
      settings.timeout > absl::Seconds(kMaxTimeoutSeconds)) {
    return absl::InvalidArgumentError(absl::StrCat("timeout must be ", kMinTimeoutSeconds, "..",
                                                   kMaxTimeoutSeconds, " seconds, not ",
                                                   absl::FormatDuration(settings.timeout)));
  }
  if (!settings.username.empty() && settings.password.empty()) {
    return absl::InvalidArgumentError("a username needs a password (password_file)");
  }
  return absl::OkStatus();
}

absl::StatusOr<SmtpSettings> LoadSmtpSettings(const std::string& path) {
  auto error = [&](absl::string_view message) {
    return absl::InvalidArgumentError(absl::StrCat("smtp settings ", path, ": ", message));
  };
  auto text = ReadWholeFile(path);
  if (!text.ok()) return error(text.status().message());
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return error("not a JSON object");

  static const std::set<std::string> kFields = {"url", "username", "password_file", "ca_file",
                                                "require_tls", "from", "from_name",
                                                "timeout_seconds"};
  for (const auto& [key, value] : json.items()) {
    if (!kFields.count(key)) return error(absl::StrCat("unknown field \"", key, "\""));
  }
  SmtpSettings settings;
  auto string_field = [&](const char* name, std::string& out, bool required) -> absl::Status {
    if (!json.contains(name)) {
      return required ? error(absl::StrCat(name, " is missing")) : absl::OkStatus();
    }
    if (!json[name].is_string()) return error(absl::StrCat(name, " must be a string"));
    out = json[name].get<std::string>();
    if (required && out.empty()) return error(absl::StrCat(name, " is empty"));
    return absl::OkStatus();
  };
  std::string password_file;
  RETURN_IF_ERROR(string_field("url", settings.url, true));
  RETURN_IF_ERROR(string_field("username", settings.username, false));
  RETURN_IF_ERROR(string_field("password_file", password_file, !settings.username.empty()));
  RETURN_IF_ERROR(string_field("ca_file", settings.ca_file, false));
  RETURN_IF_ERROR(string_field("from", settings.from_address, true));
  RETURN_IF_ERROR(string_field("from_name", settings.from_name, false));
  if (json.contains("require_tls")) {
    if (!json["require_tls"].is_boolean()) return error("require_tls must be true or false");
    settings.require_tls = json["require_tls"].get<bool>();
  }
  if (json.contains("timeout_seconds")) {
    const nlohmann::json& timeout = json["timeout_seconds"];
    if (!timeout.is_number_integer() || timeout.get<int64_t>() < kMinTimeoutSeconds ||
        timeout.get<int64_t>() > kMaxTimeoutSeconds) {
      return error(absl::StrCat("timeout_seconds must be a whole number of seconds in ",
                                kMinTimeoutSeconds, "..", kMaxTimeoutSeconds, ", not ",
                                timeout.dump()));
    }
    settings.timeout = absl::Seconds(timeout.get<int64_t>());
  }
  if (!password_file.empty() && settings.username.empty()) {
    return error("password_file without a username");
  }
  if (!password_file.empty()) {
    auto password = ReadPasswordFile(Resolve(path, password_file));
    if (!password.ok()) return error(password.status().message());
    settings.password = *std::move(password);
  }
  settings.ca_file = Resolve(path, settings.ca_file);
  if (!settings.ca_file.empty() && !std::filesystem::is_regular_file(settings.ca_file)) {
    return error(absl::StrCat("ca_file ", settings.ca_file, " is not a file"));
  }
  if (absl::Status valid = ValidateSmtpSettings(settings); !valid.ok()) {
    return error(valid.message());
  }
  return settings;
}

}  // namespace breachd::dispatch
