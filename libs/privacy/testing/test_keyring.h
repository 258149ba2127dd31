// A keyring for tests: in `dir`, its keys wrapped by a fixed master key (32 times
// `master_byte`), so two keyrings opened on one folder with the same byte share their keys, like
// two processes of one installation.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/privacy/key_wrapper.h"
#include "libs/privacy/keyring.h"

namespace breachd::testing {

inline absl::StatusOr<std::unique_ptr<privacy::Keyring>> OpenTestKeyring(const std::string& dir,
                                                                         char master_byte = '\x2a') {
  absl::StatusOr<std::unique_ptr<privacy::KeyWrapper>> wrapper =
      privacy::MasterKeyWrapper::FromKey(std::string(32, master_byte));
  if (!wrapper.ok()) return wrapper.status();
  return privacy::Keyring::Open(dir, *std::move(wrapper));
}

}  // namespace breachd::testing
