// Rewrites the broker addresses that Kafka Metadata and FindCoordinator responses advertise,
// for a TcpRelay in front of brokers that cannot choose their address: librdkafka's mock
// cluster binds ephemeral ports. Clients then reach the brokers through the relay only, so a
// devbus restarted on the same addresses is, to them, the same brokers. (Advertising the mock's
// own ports is not enough: after a restart librdkafka 2.0.2 follows broker 1 to its new port
// for produce and fetch, but keeps the group coordinator on the old one for good.)
//
// Only the versions the mock answers are parsed: Metadata v0-v2 and FindCoordinator v0-v2,
// none of them flexible. Other responses pass unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/bus/tcp_relay.h"

namespace breachd::bus {

// What clients should see for each address a broker advertises. Thread-safe.
class AdvertisedAddresses {
 public:
  void Set(const HostPort& broker, const HostPort& advertised);
  std::optional<HostPort> Find(const HostPort& broker) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, HostPort> map_ ABSL_GUARDED_BY(mu_);
};

inline constexpr int16_t kMetadataApiKey = 3;
inline constexpr int16_t kFindCoordinatorApiKey = 10;

// `body` is a response of `api_key` at `api_version`, after its correlation id. Returns it with
// every broker address found in `addresses` replaced; a truncated body is INVALID_ARGUMENT.
absl::StatusOr<std::string> RewriteBrokerAddresses(int16_t api_key, int16_t api_version,
                                                   std::string_view body,
                                                   const AdvertisedAddresses& addresses);

// The filter of one relayed Kafka connection: cuts both directions into frames, remembers the
// Metadata and FindCoordinator requests by correlation id and rewrites their responses.
class KafkaAddressRewriter : public StreamFilter {
 public:
  explicit KafkaAddressRewriter(std::shared_ptr<const AdvertisedAddresses> addresses);

  absl::StatusOr<std::string> FromClient(std::string_view bytes) override;
  absl::StatusOr<std::string> FromTarget(std::string_view bytes) override;

 private:
  // Cuts a byte stream into Kafka frames (a 4-byte big-endian size, then the payload).
  class Frames {
   public:
    // Adds `bytes`; returns the frames now complete, each payload passed through `each`.
    absl::StatusOr<std::string> Filter(
        std::string_view bytes,
        const std::function<absl::StatusOr<std::string>(std::string)>& each);

   private:
    // The next complete frame's payload, nullopt if it has not all arrived.
    absl::StatusOr<std::optional<std::string>> Next();
    std::string buffer_;
  };

  absl::StatusOr<std::string> OnRequest(std::string request);    // remembers what to rewrite
  absl::StatusOr<std::string> OnResponse(std::string response);  // rewrites it

  struct Request {
    int16_t api_key;
    int16_t api_version;
  };

  const std::shared_ptr<const AdvertisedAddresses> addresses_;
  Frames from_client_;  // used by the client-to-broker thread only
  Frames from_target_;  // used by the broker-to-client thread only
  absl::Mutex mu_;
  std::map<int32_t, Request> pending_ ABSL_GUARDED_BY(mu_);  // by correlation id
};

}  // namespace breachd::bus
