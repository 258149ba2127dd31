#include "libs/privacy/personal_fields.h"

#include <map>

namespace breachd::privacy {

const PersonalFields* PersonalFieldsOf(const std::string& full_name) {
  static const auto* table = new std::map<std::string, PersonalFields>{
      // Allegato A: who reported it, where, what happened, what was done, who is responsible.
      {"breach.v1.Reporter", {{"name", "email", "phone"}, {}, ""}},
      {"breach.v1.BreachReport",
       {{"place", "databases", "description", "actions_taken", "department_head"}, {}, ""}},
      // An amendment's values: JSON of a BreachReport holding the one changed field.
      {"breach.v1.FieldChange", {{}, {"old_value", "new_value"}, "breach.v1.BreachReport"}},
      // Containment and recovery actions: what was done and who answers for it.
      {"breach.v1.ContainmentAction", {{"what", "responsible"}, {}, ""}},
      // The register's copy of the report as it reads now.
      {"breach.v1.RegisterEntry",
       {{"place", "description", "databases", "actions_taken", "department_head"}, {}, ""}},
  };
  auto it = table->find(full_name);
  return it == table->end() ? nullptr : &it->second;
}

}  // namespace breachd::privacy
