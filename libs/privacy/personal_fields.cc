#include "libs/privacy/personal_fields.h"

#include <algorithm>
#include <map>

namespace breachd::privacy {

// Every string field about people: names, contacts, descriptions and free text. One table for
// both edges: services seal these fields before anything is stored (field_cipher.h) and open
// them in a response, and libs/service/personal_data.cc blanks them for the provider's roles.
// libs/service/tests/personal_data_test.cc makes every string field of the messages a breach's
// reads return be listed here or as metadata there, so a new field is decided.
const std::map<std::string, PersonalFields>& PersonalFieldTable() {
  static const auto* table = new std::map<std::string, PersonalFields>{
      // Allegato A: who reported it, where, what happened, what was done, who is responsible.
      {"breach.v1.Reporter", {{"name", "email", "phone"}, {}, ""}},
      {"breach.v1.BreachReport",
       {{"place", "databases", "description", "actions_taken", "department_head"}, {}, ""}},
      // An amendment's values: JSON of a BreachReport holding the one changed field.
      {"breach.v1.FieldChange", {{}, {"old_value", "new_value"}, "breach.v1.BreachReport"}},
      {"breach.v1.Amendment", {{"reason"}, {}, ""}},
      // Triage, closing and reopening: the controller's reasons and evidence.
      {"breach.v1.Report", {{"verdict_reason"}, {}, ""}},
      {"breach.v1.Awareness", {{"evidence"}, {}, ""}},
      {"breach.v1.BreachTriaged", {{"reason"}, {}, ""}},
      {"breach.v1.BreachClosed", {{"reason"}, {}, ""}},
      {"breach.v1.BreachReopened", {{"reason"}, {}, ""}},
      // Containment and recovery actions: what was done and who answers for it.
      {"breach.v1.ContainmentAction", {{"what", "responsible"}, {}, ""}},
      // The register's copy of the report as it reads now.
      {"breach.v1.RegisterEntry",
       {{"place", "description", "verdict_reason", "databases", "actions_taken",
         "department_head", "awareness_evidence"},
        {},
        ""}},
      {"breach.v1.NotificationRecord", {{"delay_reason"}, {}, ""}},
      // Allegato B and the assessment's free text.
      {"breach.v1.TechnicalMeasures", {{"other"}, {}, ""}},
      {"breach.v1.AllegatoB",
       {{"systems_and_location", "data_nature_other", "measures_against_high_risk"}, {}, ""}},
      {"breach.v1.DutyOverride", {{"reason"}, {}, ""}},
      {"breach.v1.DutySubmission", {{"delay_reason"}, {}, ""}},
      {"breach.v1.DutiesDecided", {{"reason"}, {}, ""}},
      {"breach.v1.ContactPoint", {{"name", "email", "phone"}, {}, ""}},
      {"breach.v1.NotificationContent",
       {{"nature_of_breach", "subject_categories", "record_categories", "likely_consequences",
         "measures_taken", "measures_proposed", "advice_to_subjects"},
        {},
        ""}},
      // Drafts (texts addressed to people), deliveries and the public notice.
      {"breach.v1.DraftField", {{"value"}, {}, ""}},
      {"breach.v1.NotificationDraft", {{"document"}, {}, ""}},
      {"breach.v1.Draft", {{"delay_reason"}, {}, ""}},
      {"breach.v1.Deadline", {{"delay_reason"}, {}, ""}},
      {"breach.v1.Recipient", {{"name", "address"}, {}, ""}},
      {"breach.v1.Delivery", {{"last_answer"}, {}, ""}},
      {"breach.v1.PublicNotice", {{"html"}, {}, ""}},
      {"breach.v1.Receipt", {{"note"}, {}, ""}},
      {"breach.v1.DraftApproved", {{"delay_reason"}, {}, ""}},
      {"breach.v1.DispatchQueued", {{"delay_reason"}, {}, ""}},
      {"breach.v1.DutySubmitted", {{"delay_reason"}, {}, ""}},
      // A server's answer and the latest failure may quote the recipient's address.
      {"breach.v1.DeliverySent", {{"answer"}, {}, ""}},
      {"breach.v1.DeliveryFailed", {{"answer"}, {}, ""}},
      {"breach.v1.DutyClock", {{"last_failure"}, {}, ""}},
      // The school's people: its head and DPO (the directory's and the notification's copy).
      {"breach.v1.SchoolProfile", {{"head_name"}, {}, ""}},
      {"breach.v1.DirectorySchool", {{"dpo_name", "dpo_email"}, {}, ""}},
      // A provider-wide incident's texts (its report is a BreachReport, above).
      {"breach.v1.Incident", {{"title"}, {}, ""}},
      {"breach.v1.IncidentUpdate", {{"reason", "containment"}, {}, ""}},
  };
  return *table;
}

const PersonalFields* PersonalFieldsOf(const std::string& full_name) {
  auto it = PersonalFieldTable().find(full_name);
  return it == PersonalFieldTable().end() ? nullptr : &it->second;
}

bool IsPersonalFieldOf(const std::string& message, const std::string& field) {
  const PersonalFields* fields = PersonalFieldsOf(message);
  if (fields == nullptr) return false;
  return std::find(fields->text.begin(), fields->text.end(), field) != fields->text.end() ||
         std::find(fields->json.begin(), fields->json.end(), field) != fields->json.end();
}

}  // namespace breachd::privacy
