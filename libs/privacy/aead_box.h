// One sealed box: XChaCha20-Poly1305 (libsodium) with a random nonce in front of the ciphertext,
// bound to associated data. The field cipher seals personal values with a school's data key in
// it and the master key wrapper seals data keys in it; only what each binds (`ad`) differs.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace breachd::privacy {

// nonce ‖ ciphertext ‖ tag of `plaintext` under the 32-byte `key`.
std::string SealBox(const unsigned char* key, absl::string_view ad, absl::string_view plaintext);

// The plaintext of a box made by SealBox with the same key and `ad`; nullopt when the box is
// truncated, altered, or sealed with another key or other associated data.
std::optional<std::string> OpenBox(const unsigned char* key, absl::string_view ad,
                                   absl::string_view box);

}  // namespace breachd::privacy
