#include "libs/service/personal_data.h"

#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "breach/v1/access.pb.h"
#include "google/protobuf/any.pb.h"
#include "libs/service/projection_rows.h"
#include "libs/service/provider_access.h"

namespace breachd::service {
namespace {

// Fields about people: names, contacts, descriptions and free text. Codes, statuses,
// classifications, times, counts, categories and the actors' subjects (accountability) are
// metadata and stay. tests/personal_data_test.cc makes every string field of the messages a
// breach's reads return be listed here or as metadata there, so a new field is decided.
const absl::flat_hash_set<std::string>& PersonalFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      // Allegato A (intake, register, notification's copy of the report)
      "breach.v1.Reporter.name", "breach.v1.Reporter.email", "breach.v1.Reporter.phone",
      "breach.v1.BreachReport.place", "breach.v1.BreachReport.databases",
      "breach.v1.BreachReport.description", "breach.v1.BreachReport.actions_taken",
      "breach.v1.BreachReport.department_head",
      "breach.v1.Report.verdict_reason", "breach.v1.Awareness.evidence",
      "breach.v1.FieldChange.old_value", "breach.v1.FieldChange.new_value",
      "breach.v1.Amendment.reason",
      "breach.v1.ContainmentAction.what", "breach.v1.ContainmentAction.responsible",
      // the register
      "breach.v1.RegisterEntry.place", "breach.v1.RegisterEntry.description",
      "breach.v1.RegisterEntry.verdict_reason", "breach.v1.RegisterEntry.databases",
      "breach.v1.RegisterEntry.actions_taken", "breach.v1.RegisterEntry.department_head",
      "breach.v1.RegisterEntry.awareness_evidence", "breach.v1.NotificationRecord.delay_reason",
      // Allegato B and the notification's content
      "breach.v1.TechnicalMeasures.other", "breach.v1.AllegatoB.systems_and_location",
      "breach.v1.AllegatoB.data_nature_other", "breach.v1.AllegatoB.measures_against_high_risk",
      "breach.v1.DutyOverride.reason", "breach.v1.DutySubmission.delay_reason",
      "breach.v1.ContactPoint.name", "breach.v1.ContactPoint.email",
      "breach.v1.ContactPoint.phone",
      "breach.v1.NotificationContent.nature_of_breach",
      "breach.v1.NotificationContent.subject_categories",
      "breach.v1.NotificationContent.record_categories",
      "breach.v1.NotificationContent.likely_consequences",
      "breach.v1.NotificationContent.measures_taken",
      "breach.v1.NotificationContent.measures_proposed",
      "breach.v1.NotificationContent.advice_to_subjects",
      // drafts, deliveries and the public notice
      "breach.v1.DraftField.value", "breach.v1.NotificationDraft.document",
      "breach.v1.Draft.delay_reason", "breach.v1.Deadline.delay_reason",
      "breach.v1.Recipient.name", "breach.v1.Recipient.address",
      "breach.v1.Delivery.last_answer", "breach.v1.PublicNotice.html",
      "breach.v1.Receipt.note",
  };
  return *fields;
}

}  // namespace

bool IsPersonalField(const google::protobuf::FieldDescriptor& field) {
  return field.type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
         PersonalFields().contains(field.full_name());
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
