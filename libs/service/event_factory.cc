#include "libs/service/event_factory.h"

#include "libs/common/ids.h"
#include "libs/common/proto_time.h"

namespace breachd::service {

breach::v1::Actor ActorOf(const auth::Principal& principal) {
  breach::v1::Actor actor;
  actor.set_subject(principal.subject);
  actor.set_role(principal.PrimaryRole());
  actor.set_tenant(principal.tenant);
  return actor;
}

breach::v1::EventEnvelope MakeEvent(const EventOrigin& origin, const std::string& tenant,
                                    absl::Time occurred_at,
                                    const google::protobuf::Message& payload) {
  breach::v1::EventEnvelope event;
  event.set_event_id(NewUlid(occurred_at));
  event.set_type(payload.GetDescriptor()->full_name());
  event.set_source(origin.source);
  event.set_tenant(tenant);
  *event.mutable_occurred_at() = ProtoFromTime(occurred_at);
  *event.mutable_actor() = ActorOf(origin.actor);
  event.set_causation_id(origin.causation_id);
  event.set_correlation_id(origin.correlation_id);
  event.mutable_payload()->PackFrom(payload);
  return event;
}

std::string ShortType(const std::string& full_type) {
  const size_t dot = full_type.rfind('.');
  return dot == std::string::npos ? full_type : full_type.substr(dot + 1);
}

}  // namespace breachd::service
