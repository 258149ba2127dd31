#include "libs/bus/broker_front.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/bus/kafka_address_rewriter.h"
#include "libs/common/status_macros.h"

namespace breachd::bus {

absl::StatusOr<std::unique_ptr<BrokerFront>> BrokerFront::Start(const std::string& listen,
                                                                const std::string& brokers) {
  ASSIGN_OR_RETURN(const HostPort front, ParseHostPort(listen));
  std::vector<HostPort> targets;
  for (const std::string& broker : std::vector<std::string>(absl::StrSplit(brokers, ','))) {
    ASSIGN_OR_RETURN(HostPort target, ParseHostPort(broker));
    targets.push_back(std::move(target));
  }
  auto addresses = std::make_shared<AdvertisedAddresses>();
  // With fixed ports every address is known before the first client can connect, so no client
  // ever sees a broker's own port. With port 0 nobody knows an address until Start returns.
  if (front.port != 0) {
    for (size_t i = 0; i < targets.size(); ++i) {
      addresses->Set(targets[i], {front.host, front.port + static_cast<int>(i)});
    }
  }
  std::unique_ptr<BrokerFront> result(new BrokerFront());
  std::vector<std::string> bootstrap;
  for (size_t i = 0; i < targets.size(); ++i) {
    const int port = front.port == 0 ? 0 : front.port + static_cast<int>(i);
    ASSIGN_OR_RETURN(
        auto relay,
        TcpRelay::Start(absl::StrCat(front.host, ":", port),
                        absl::StrCat(targets[i].host, ":", targets[i].port),
                        [addresses] { return std::make_unique<KafkaAddressRewriter>(addresses); }));
    addresses->Set(targets[i], {front.host, relay->port()});
    bootstrap.push_back(relay->address());
    result->relays_.push_back(std::move(relay));
  }
  result->bootstrap_servers_ = absl::StrJoin(bootstrap, ",");
  return result;
}

BrokerFront::~BrokerFront() = default;

}  // namespace breachd::bus
