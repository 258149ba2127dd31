// A message from the bus as a consumer reads it: an EventEnvelope, its payload unpacked by its
// type URL (any message of breach.v1), its CloudEvents headers, and its hash recomputed.
#include "breach/v1/envelope.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "fuzz/fuzz_input.h"
#include "libs/bus/cloudevents.h"
#include "libs/eventstore/event_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  breach::v1::EventEnvelope event;
  if (!event.ParseFromArray(data, static_cast<int>(size)) || event.event_id().empty()) return 0;
  (void)breachd::bus::CloudEventHeaders(event);
  (void)breachd::eventstore::ComputeEventHash(event);
  const std::string& type_url = event.payload().type_url();
  const std::string name = type_url.substr(type_url.rfind('/') + 1);
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
  if (descriptor == nullptr) return 0;
  static google::protobuf::DynamicMessageFactory* const factory =
      new google::protobuf::DynamicMessageFactory();
  std::unique_ptr<google::protobuf::Message> payload(factory->GetPrototype(descriptor)->New());
  (void)payload->ParseFromString(event.payload().value());
  return 0;
}
