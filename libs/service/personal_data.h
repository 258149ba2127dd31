// The provider's least privilege at the read boundary (docs/security.md, "Least privilege for
// the provider"): every RPC that returns a breach's details passes its response through
// PersonalDataGate::Apply, which blanks the personal data (names, contacts, descriptions, free
// text) for a provider principal unless the school granted access to that breach or the caller
// holds an open break-glass access. Metadata (codes, statuses, classifications, deadlines,
// counts) stays. One helper for every service, so what counts as personal is decided once.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

// What a redacted string reads.
inline constexpr char kRedacted[] = "[redacted: personal data]";

// Whether `field` holds personal data (a string or repeated string field of the list in
// libs/privacy/personal_fields.cc, the table of what is sealed).
bool IsPersonalField(const google::protobuf::FieldDescriptor& field);

// Replaces every non-empty personal string in `message`, at any depth (also inside a
// google.protobuf.Any of a known type, e.g. an event's payload), by kRedacted.
void RedactPersonalData(google::protobuf::Message& message);

class PersonalDataGate {
 public:
  // `store` holds the service's provider-access rows (provider_access.h); not owned.
  PersonalDataGate(eventstore::EventStore& store, const Clock& clock)
      : store_(store), clock_(clock) {}

  // Redacts `response` (about breach `breach_id` of school `tenant`) unless `principal` may see
  // that breach's personal data: a school's own principal, or a provider principal with the
  // school's grant or its own open break-glass access.
  absl::Status Apply(const auth::Principal& principal, const std::string& tenant,
                     const std::string& breach_id, google::protobuf::Message& response) const;

  // Whether `principal` may see the personal data of breach `breach_id` of school `tenant` now.
  absl::StatusOr<bool> Permits(const auth::Principal& principal, const std::string& tenant,
                               const std::string& breach_id) const;

 private:
  eventstore::EventStore& store_;
  const Clock& clock_;
};

}  // namespace breachd::service
