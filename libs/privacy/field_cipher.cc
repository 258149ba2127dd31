#include "libs/privacy/field_cipher.h"

#include <sodium.h>

#include <functional>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "libs/privacy/aead_box.h"
#include "libs/privacy/personal_fields.h"

namespace breachd::privacy {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kPrefix[] = "sealed:v1:";

std::string FieldAd(const std::string& key_id) { return absl::StrCat("breachd.field.v1|", key_id); }

// Applies `fn` to every string of every personal field of `message` and its sub-messages.
// `fn` returns the new value of a string, or an error that stops the walk.
using StringFn = std::function<absl::StatusOr<std::string>(const std::string&)>;

absl::Status Walk(Message& message, const StringFn& fn);

absl::StatusOr<std::string> MapJson(const std::string& json, const std::string& type,
                                    const StringFn& fn) {
  if (json.empty()) return json;
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  if (descriptor == nullptr) return absl::InternalError(absl::StrCat("unknown type ", type));
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<Message> value(factory.GetPrototype(descriptor)->New());
  if (!google::protobuf::util::JsonStringToMessage(json, value.get()).ok()) return json;
  if (absl::Status walked = Walk(*value, fn); !walked.ok()) return walked;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(*value, &out).ok()) return json;
  return out;
}

absl::Status MapString(Message& message, const FieldDescriptor* field, const StringFn& fn,
                       bool json, const std::string& json_type) {
  const Reflection* reflection = message.GetReflection();
  auto map = [&](const std::string& value) -> absl::StatusOr<std::string> {
    return json ? MapJson(value, json_type, fn) : fn(value);
  };
  if (field->is_repeated()) {
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      absl::StatusOr<std::string> value = map(reflection->GetRepeatedString(message, field, i));
      if (!value.ok()) return value.status();
      reflection->SetRepeatedString(&message, field, i, *std::move(value));
    }
    return absl::OkStatus();
  }
  if (!reflection->HasField(message, field)) return absl::OkStatus();
  absl::StatusOr<std::string> value = map(reflection->GetString(message, field));
  if (!value.ok()) return value.status();
  reflection->SetString(&message, field, *std::move(value));
  return absl::OkStatus();
}

absl::Status Walk(Message& message, const StringFn& fn) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  if (const PersonalFields* personal = PersonalFieldsOf(descriptor->full_name())) {
    for (const auto& [names, json] : {std::pair{&personal->text, false},
                                      std::pair{&personal->json, true}}) {
      for (const std::string& name : *names) {
        const FieldDescriptor* field = descriptor->FindFieldByName(name);
        if (field == nullptr || field->type() != FieldDescriptor::TYPE_STRING) continue;
        if (absl::Status mapped = MapString(message, field, fn, json, personal->json_type);
            !mapped.ok()) {
          return mapped;
        }
      }
    }
  }
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_map()) continue;
    if (field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        if (absl::Status walked = Walk(*reflection->MutableRepeatedMessage(&message, field, j), fn);
            !walked.ok()) {
          return walked;
        }
      }
    } else if (reflection->HasField(message, field)) {
      if (absl::Status walked = Walk(*reflection->MutableMessage(&message, field), fn);
          !walked.ok()) {
        return walked;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string SchoolKeyId(const std::string& tenant) { return absl::StrCat("school.", tenant); }

std::string ReadsKeyId(const std::string& tenant, absl::Time at) {
  return absl::StrCat("reads.", tenant, ".", absl::FormatTime("%Y-%m", at, absl::UTCTimeZone()));
}

bool IsSealed(const std::string& value) { return absl::StartsWith(value, kPrefix); }

absl::StatusOr<std::string> FieldCipher::Seal(const std::string& key_id,
                                              const std::string& plaintext) {
  if (plaintext.empty() || IsSealed(plaintext)) return plaintext;
  absl::StatusOr<std::shared_ptr<const DataKey>> key = keyring_.KeyForWriting(key_id);
  if (!key.ok()) return key.status();
  return SealWith(key_id, **key, plaintext);
}

std::string FieldCipher::SealWith(const std::string& key_id, const DataKey& key,
                                  const std::string& plaintext) {
  const std::string box = SealBox(key.bytes.data(), FieldAd(key_id), plaintext);
  return absl::StrCat(kPrefix, key_id, ":", absl::WebSafeBase64Escape(box));
}

std::shared_ptr<const DataKey> FieldCipher::KeyOf(const std::string& key_id) {
  absl::StatusOr<std::shared_ptr<const DataKey>> key = keyring_.KeyForReading(key_id);
  return key.ok() ? *std::move(key) : nullptr;
}

std::string FieldCipher::OpenWith(
    const std::string& value,
    absl::FunctionRef<std::shared_ptr<const DataKey>(const std::string&)> key_of) {
  if (!IsSealed(value)) return value;
  const absl::string_view rest = absl::string_view(value).substr(sizeof(kPrefix) - 1);
  const size_t colon = rest.find(':');
  if (colon == absl::string_view::npos) return kUnreadable;
  const std::string key_id(rest.substr(0, colon));
  std::string box;
  if (!absl::WebSafeBase64Unescape(rest.substr(colon + 1), &box)) return kUnreadable;
  const std::shared_ptr<const DataKey> key = key_of(key_id);
  if (key == nullptr) return keyring_.IsDestroyed(key_id) ? kErased : kUnreadable;
  std::optional<std::string> plaintext = OpenBox(key->bytes.data(), FieldAd(key_id), box);
  return plaintext.has_value() ? *std::move(plaintext) : kUnreadable;
}

std::string FieldCipher::Open(const std::string& value) {
  return OpenWith(value, [this](const std::string& key_id) { return KeyOf(key_id); });
}

std::string FieldCipher::Batch::Open(const std::string& value) {
  return cipher_.OpenWith(value, [this](const std::string& key_id) {
    auto it = keys_.find(key_id);
    if (it == keys_.end()) it = keys_.emplace(key_id, cipher_.KeyOf(key_id)).first;
    return it->second;
  });
}

void FieldCipher::Batch::OpenPersonalData(google::protobuf::Message& message) {
  (void)Walk(message, [&](const std::string& value) -> absl::StatusOr<std::string> {
    return Open(value);
  });
}

bool FieldCipher::IsErased(const std::string& tenant) const {
  return keyring_.IsDestroyed(SchoolKeyId(tenant));
}

absl::Status FieldCipher::SealPersonalData(google::protobuf::Message& message,
                                           const std::string& tenant) {
  return Batch(*this).SealPersonalData(message, tenant);
}

absl::StatusOr<FieldCipher::Batch::Sealer*> FieldCipher::Batch::SealerOf(
    const std::string& tenant) {
  if (auto it = sealers_.find(tenant); it != sealers_.end()) return &it->second;
  // The school's current key (rotations move it); values sealed before stay as they are.
  absl::StatusOr<std::string> current = cipher_.keyring_.CurrentKeyId(SchoolKeyId(tenant));
  if (!current.ok()) return current.status();
  Sealer& sealer = sealers_[tenant];
  sealer.key_id = *std::move(current);
  sealer.erased = cipher_.IsErased(tenant);
  return &sealer;
}

absl::Status FieldCipher::Batch::PrepareToSeal(absl::Span<const std::string> tenants) {
  std::vector<Sealer*> needed;
  std::vector<std::string> key_ids;
  for (const std::string& tenant : tenants) {
    absl::StatusOr<Sealer*> sealer = SealerOf(tenant);
    if (!sealer.ok()) return sealer.status();
    if ((*sealer)->erased || (*sealer)->key != nullptr) continue;
    needed.push_back(*sealer);
    key_ids.push_back((*sealer)->key_id);
  }
  absl::StatusOr<std::vector<std::shared_ptr<const DataKey>>> keys =
      cipher_.keyring_.KeysForWriting(key_ids);
  if (!keys.ok()) return keys.status();
  for (size_t i = 0; i < needed.size(); ++i) {
    needed[i]->key = (*keys)[i];
    needed[i]->erased = needed[i]->key == nullptr;  // destroyed since it was looked up
  }
  return absl::OkStatus();
}

absl::Status FieldCipher::Batch::SealPersonalData(google::protobuf::Message& message,
                                                  const std::string& tenant) {
  absl::StatusOr<Sealer*> found = SealerOf(tenant);
  if (!found.ok()) return found.status();
  Sealer& sealer = **found;
  // For an erased school the fields become kErased: nothing personal is ever written in clear,
  // and replaying old events after an erase still works. The key is fetched only when a value
  // needs it, so a message with nothing personal makes no key.
  return Walk(message, [&](const std::string& value) -> absl::StatusOr<std::string> {
    if (value.empty() || IsSealed(value)) return value;
    if (sealer.erased) return std::string(kErased);
    if (sealer.key == nullptr) {
      absl::StatusOr<std::shared_ptr<const DataKey>> key =
          cipher_.keyring_.KeyForWriting(sealer.key_id);
      if (!key.ok()) return key.status();
      sealer.key = *std::move(key);
    }
    return cipher_.SealWith(sealer.key_id, *sealer.key, value);
  });
}

absl::Status FieldCipher::SealReader(breach::v1::Actor& actor, const std::string& tenant,
                                     absl::Time at) {
  const std::string key_id = ReadsKeyId(tenant, at);
  if (keyring_.IsDestroyed(key_id) || IsErased(tenant)) {
    actor.set_subject(kErased);  // nobody's name is written for an erased school
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> sealed = Seal(key_id, actor.subject());
  if (!sealed.ok()) return sealed.status();
  actor.set_subject(*std::move(sealed));
  return absl::OkStatus();
}

bool MaskPersonalData(google::protobuf::Message& message) {
  bool sealed = false;
  (void)Walk(message, [&](const std::string& value) -> absl::StatusOr<std::string> {
    sealed |= IsSealed(value);
    return value.empty() ? value : std::string("[personal]");
  });
  return sealed;
}

void FieldCipher::OpenPersonalData(google::protobuf::Message& message) {
  Batch(*this).OpenPersonalData(message);  // a message's fields share one or two keys
}

}  // namespace breachd::privacy
