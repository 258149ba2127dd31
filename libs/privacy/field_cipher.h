// Personal data sealed in place: a personal string field of an event or a projection row holds
// "sealed:v1:<key_id>:<base64url(nonce || XChaCha20-Poly1305 ciphertext)>" instead of its text,
// sealed with the school's data key (associated data "breachd.field.v1|<key_id>"). Sealed values
// travel unchanged through the bus and every projection that copies them (the register folds
// them into its entries as they came), and are opened only at the edge, in a response after
// authorization. The hash chain covers the sealed bytes, so chains verify after a key is gone.
//
// Which fields are personal is one table (personal_fields.cc), walked by reflection, so the
// services call SealPersonalData / OpenPersonalData on whole messages and their domain logic
// never sees the difference.
#pragma once

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "breach/v1/envelope.pb.h"
#include "google/protobuf/message.h"
#include "libs/privacy/keyring.h"

namespace breachd::privacy {

// What a personal field reads as once its key is destroyed, and when it cannot be opened.
inline constexpr char kErased[] = "[erased]";
inline constexpr char kUnreadable[] = "[unreadable]";

// "school.<tenant>": the key of a school's personal data.
std::string SchoolKeyId(const std::string& tenant);
// "reads.<tenant>.<YYYY-MM>": the key of the school's read records of the month (UTC) of `at`.
std::string ReadsKeyId(const std::string& tenant, absl::Time at);

class FieldCipher {
 public:
  explicit FieldCipher(Keyring& keyring) : keyring_(keyring) {}

  // `plaintext` sealed under `key_id` ("" stays ""; a value already sealed stays as it is).
  // FAILED_PRECONDITION when the key was destroyed.
  absl::StatusOr<std::string> Seal(const std::string& key_id, const std::string& plaintext);
  // The text of a sealed value; kErased when its key was destroyed, kUnreadable when it does
  // not open (tampered, or a keyring that never had its key); any other string as it is.
  std::string Open(const std::string& value);

  // Seals every personal field of `message` (and of its sub-messages) with the school's key.
  // For a school whose key was destroyed the fields become kErased instead (nothing personal is
  // ever written in clear, and replaying old events after an erase still works).
  absl::Status SealPersonalData(google::protobuf::Message& message, const std::string& tenant);
  // Opens every personal field of `message` in place.
  void OpenPersonalData(google::protobuf::Message& message);

  // A read record's reader (BreachViewed, BreachesListed, RegisterExported: the envelope's
  // actor subject) sealed with the school's month key ReadsKeyId(tenant, at), so pruning that
  // month (or erasing the school) leaves who read unreadable; kErased once that key is gone.
  absl::Status SealReader(breach::v1::Actor& actor, const std::string& tenant, absl::Time at);
  // The reader opened in place (any other subject stays as it is).
  void OpenReader(breach::v1::Actor& actor) { actor.set_subject(Open(actor.subject())); }

  // Whether the school's personal data was erased.
  bool IsErased(const std::string& tenant) const;
  Keyring& keyring() { return keyring_; }

  // The many values of one answer or one batch of writes: each key is looked up and checked
  // for destruction once, not once per value or message (each check reads the keyring folder).
  // Opening: a breach's readers, a timeline. Sealing: an import's or a fan-out's batch of
  // schools, whose missing keys PrepareToSeal makes together.
  //
  // What a Batch may serve stale, and why that is safe: it lives no longer than the answer or
  // the batch of writes it was made for, so a rotation or an erasure (by this process or
  // another sharing the keyring folder) is seen by the next one. A value sealed in a batch that
  // began before a rotation is under the previous key, which stays until the school is erased,
  // exactly like a value sealed just before the rotation. A value sealed in a batch that began
  // before an erasure is under a destroyed key: it reads kErased, and nothing is in clear.
  class Batch {
   public:
    explicit Batch(FieldCipher& cipher) : cipher_(cipher) {}
    std::string Open(const std::string& value);
    void OpenReader(breach::v1::Actor& actor) { actor.set_subject(Open(actor.subject())); }
    void OpenPersonalData(google::protobuf::Message& message);

    // FieldCipher::SealPersonalData, with each school's current key looked up once per batch.
    absl::Status SealPersonalData(google::protobuf::Message& message, const std::string& tenant);
    // Makes the current keys of `tenants` that do not exist yet, together
    // (Keyring::KeysForWriting: one sync of the keyring for them all), and returns once they are
    // durable. Call it before sealing a batch of schools: their sealed rows are written after,
    // so a row never refers to a key a crash could lose.
    absl::Status PrepareToSeal(absl::Span<const std::string> tenants);

   private:
    // How a school's values are sealed in this batch: under `key_id`, or kErased.
    struct Sealer {
      std::string key_id;
      bool erased = false;
      std::shared_ptr<const DataKey> key;  // nullptr until a value needs it
    };
    absl::StatusOr<Sealer*> SealerOf(const std::string& tenant);

    FieldCipher& cipher_;
    absl::flat_hash_map<std::string, std::shared_ptr<const DataKey>> keys_;  // nullptr: none
    absl::node_hash_map<std::string, Sealer> sealers_;  // by tenant; stays put (PrepareToSeal)
  };

 private:
  // A value's key, or nullptr when there is none (destroyed, or never in this keyring).
  std::shared_ptr<const DataKey> KeyOf(const std::string& key_id);
  std::string SealWith(const std::string& key_id, const DataKey& key,
                       const std::string& plaintext);
  std::string OpenWith(const std::string& value,
                       absl::FunctionRef<std::shared_ptr<const DataKey>(const std::string&)> key);

  Keyring& keyring_;
};

// Whether `value` is a sealed value.
bool IsSealed(const std::string& value);

// Replaces every non-empty personal field of `message` by "[personal]": what can be compared
// without a key (an entry folded from sealed events against the same entry opened); true if any
// of them was sealed.
bool MaskPersonalData(google::protobuf::Message& message);

}  // namespace breachd::privacy
