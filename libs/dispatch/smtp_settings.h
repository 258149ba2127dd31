// Where and how notification mail leaves: the SMTP submission server, its credentials and the
// sender, read from a JSON file so that the password never appears on a command line.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace breachd::dispatch {

struct SmtpSettings {
  std::string url;            // smtp://host:port (STARTTLS, required by default) or smtps://host:port (implicit TLS)
  std::string username;       // empty: no AUTH
  std::string password;       // read from password_file, never from a flag or the JSON itself
  std::string ca_file;        // PEM to trust (empty: system store)
  bool require_tls = true;    // false only for a loopback test server without TLS
  std::string from_address;   // envelope and From: address
  std::string from_name;
  absl::Duration timeout = absl::Seconds(30);
};

// Reads {"url", "username", "password_file", "ca_file", "require_tls", "from", "from_name",
// "timeout_seconds"}; relative paths are taken from the settings file's folder. Unknown fields
// are refused (a typo must not silently drop a setting). INVALID_ARGUMENT names the file and
// the field; a password_file that group or others may read or write is refused (chmod 600).
absl::StatusOr<SmtpSettings> LoadSmtpSettings(const std::string& path);

// The checks LoadSmtpSettings makes on the values themselves, for settings built in code:
// smtp:// or smtps:// with a host; TLS off only towards 127.0.0.1, ::1 or localhost; a valid
// from address; a timeout of 1..600 s; a password with a username.
absl::Status ValidateSmtpSettings(const SmtpSettings& settings);

}  // namespace breachd::dispatch
