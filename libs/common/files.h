// Reading and writing small whole files (keys, certificates, identity files).
#pragma once

#include <string>
#include <sys/types.h>

#include "absl/status/statusor.h"

namespace breachd {

// The file's bytes; NOT_FOUND names the path when it cannot be opened.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes `contents` into `path` (created or truncated) with `mode` set before any byte is
// written; fsynced when `sync`. Not atomic: a reader or a crash may see part of it.
absl::Status WriteWholeFile(const std::string& path, const std::string& contents, mode_t mode,
                            bool sync);

// Writes `contents` whole or not at all (a temporary file renamed over `path`), with `mode`
// set before any byte is written, so a private key is never readable by others.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents,
                                 mode_t mode);

}  // namespace breachd
