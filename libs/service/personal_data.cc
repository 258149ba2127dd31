#include "libs/service/personal_data.h"

#include <memory>
#include <optional>
#include <vector>

#include "breach/v1/access.pb.h"
#include "google/protobuf/any.pb.h"
#include "libs/privacy/personal_fields.h"
#include "libs/service/projection_rows.h"
#include "libs/service/provider_access.h"

namespace breachd::service {

// What is personal is the one table of libs/privacy/personal_fields.cc: what is sealed at rest
// is what the provider's roles read redacted. Codes, statuses, classifications, times, counts,
// categories and the actors' subjects (accountability) are metadata and stay.
bool IsPersonalField(const google::protobuf::FieldDescriptor& field) {
  return field.type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
         privacy::IsPersonalFieldOf(field.containing_type()->full_name(), field.name());
}

namespace {

// An Any of a type compiled into breachd is unpacked, redacted and packed again.
void RedactAny(google::protobuf::Any& any) {
  const google::protobuf::Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(any.type_url().substr(any.type_url().rfind('/') + 1)));
  if (type == nullptr) return;
  std::unique_ptr<google::protobuf::Message> inner(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!any.UnpackTo(inner.get())) return;
  RedactPersonalData(*inner);
  if (!any.PackFrom(*inner)) any.Clear();  // never the unredacted payload
}

}  // namespace

void RedactPersonalData(google::protobuf::Message& message) {
  if (auto* any = dynamic_cast<google::protobuf::Any*>(&message)) {
    RedactAny(*any);
    return;
  }
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // only the fields that are set
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          RedactPersonalData(*reflection->MutableRepeatedMessage(&message, field, i));
        }
      } else {
        RedactPersonalData(*reflection->MutableMessage(&message, field));
      }
      continue;
    }
    if (!IsPersonalField(*field)) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (!reflection->GetRepeatedString(message, field, i).empty()) {
          reflection->SetRepeatedString(&message, field, i, kRedacted);
        }
      }
    } else {
      reflection->SetString(&message, field, kRedacted);  // set: proto3 lists non-empty only
    }
  }
}

absl::StatusOr<bool> PersonalDataGate::Permits(const auth::Principal& principal,
                                                const std::string& tenant,
                                                const std::string& breach_id) const {
  std::optional<breach::v1::ProviderAccess> access;
  if (principal.IsProvider()) {
    absl::StatusOr<std::optional<breach::v1::ProviderAccess>> stored =
        ReadRow<breach::v1::ProviderAccess>(store_, ProviderAccessKey(breach_id));
    if (!stored.ok()) return stored.status();
    access = *std::move(stored);
  }
  return MaySeePersonalData(principal, tenant, access, clock_.Now());
}

absl::Status PersonalDataGate::Apply(const auth::Principal& principal, const std::string& tenant,
                                     const std::string& breach_id,
                                     google::protobuf::Message& response) const {
  absl::StatusOr<bool> open = Permits(principal, tenant, breach_id);
  if (!open.ok()) return open.status();
  if (!*open) RedactPersonalData(response);
  return absl::OkStatus();
}

}  // namespace breachd::service
