// gRPC adapter of the register service: the Registro dei Data Breach per school and across the
// provider, and each breach's timeline (who knew what, when). The bus side is RegisterConsumer.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "breach/v1/register.grpc.pb.h"
#include "libs/auth/identity_store.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/read_recorder.h"
#include "libs/service/personal_data.h"
#include "libs/privacy/field_cipher.h"
#include "libs/service/fellow_forwarder.h"
#include "libs/service/rpc_guard.h"
#include "services/register/register_listing.h"

namespace breachd::register_ {

inline constexpr char kServiceName[] = "register";
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// A page also ends before its entries pass this many bytes, so a page of long reports stays well
// under gRPC's 4 MiB message limit (a client would refuse it); the next page token goes on.
inline constexpr size_t kMaxPageBytes = size_t{2} << 20;

// Where the register counts its years (the schools are Italian).
inline constexpr char kRegisterTimeZone[] = "Europe/Rome";

class RegisterService final : public breach::v1::RegisterService::Service {
 public:
  // `ownership`: set when this is one of several instances splitting the breaches by partition
  // (libs/service/fellow_forwarder.h); reads of other breaches go to `fellows`, listings and exports show
  // only the breaches this instance serves.
  RegisterService(eventstore::EventStore& store, const auth::IdentityStore& identities,
                  const Clock& clock, std::function<void()> on_append,
                  privacy::FieldCipher& cipher,
                  const bus::PartitionOwnership* ownership = nullptr,
                  std::vector<std::string> fellows = {},
                  std::shared_ptr<grpc::ChannelCredentials> fellow_credentials = nullptr);

  grpc::Status ListBreaches(grpc::ServerContext* context,
                            const breach::v1::ListBreachesRequest* request,
                            breach::v1::ListBreachesResponse* response) override;
  grpc::Status GetBreach(grpc::ServerContext* context, const breach::v1::GetBreachRequest* request,
                         breach::v1::RegisterEntry* response) override;
  grpc::Status GetTimeline(grpc::ServerContext* context,
                           const breach::v1::GetTimelineRequest* request,
                           breach::v1::Timeline* response) override;
  grpc::Status ExportRegister(grpc::ServerContext* context,
                              const breach::v1::ExportRegisterRequest* request,
                              grpc::ServerWriter<breach::v1::ExportChunk>* writer) override;
  grpc::Status GetKnowledge(grpc::ServerContext* context,
                            const breach::v1::GetKnowledgeRequest* request,
                            breach::v1::Knowledge* response) override;

 private:
  // The school a register read covers (the caller's own when `requested` is empty, every school
  // for the provider), once the caller is authorized for it (a refusal is recorded).
  absl::StatusOr<std::string> AuthorizeRegister(const auth::Principal& principal,
                                                const std::string& requested, const char* method);
  absl::StatusOr<breach::v1::ListBreachesResponse> List(const auth::Principal& principal,
                                                        const breach::v1::ListBreachesRequest& request);
  // A page in the store's key order (by breach id), scanning no further than the page.
  absl::Status ListInKeyOrder(const std::string& prefix, const std::string& page_token,
                              const breach::v1::ListBreachesRequest& request, int page_size,
                              breach::v1::ListBreachesResponse& response);
  // A page in the order the request asks for: every matching entry of `prefix`, sorted.
  absl::Status ListSorted(const std::string& prefix, const std::string& page_token,
                          const breach::v1::ListBreachesRequest& request, int page_size,
                          breach::v1::ListBreachesResponse& response);
  // Records who was shown which entries (a BreachesListed event on the caller's audit stream).
  absl::Status RecordListing(const auth::Principal& principal,
                             const breach::v1::ListBreachesRequest& request,
                             const breach::v1::ListBreachesResponse& page);
  struct OpenedEntry {
    breach::v1::RegisterEntry entry;
    breach::v1::EventEnvelope view;  // the BreachViewed event that recorded this read
  };
  // Finds the entry, checks the caller may read it, and records the read.
  absl::StatusOr<OpenedEntry> OpenEntry(const auth::Principal& principal,
                                                      const std::string& breach_id,
                                                      const std::string& view,
                                                      const std::string& method);
  absl::StatusOr<breach::v1::Timeline> ReadTimeline(const breach::v1::RegisterEntry& entry);
  // The readers of the timeline's read records opened (each sealed with its month's key).
  void OpenReaders(breach::v1::Timeline& timeline);
  // Whether listings and exports of this instance show `entry` (partitioned: it serves it).
  bool Shows(const breach::v1::RegisterEntry& entry) const;
  // Views are appended here and reach the timeline through the bus like every other event.

  // Entries keep the personal fields sealed as intake sealed them; responses open them.
  privacy::FieldCipher& cipher_;
  eventstore::EventStore& store_;
  const Clock& clock_;
  std::function<void()> on_append_;
  service::ReadRecorder reads_;  // BreachViewed, durable before the answer
  service::RpcGuard guard_;
  service::PersonalDataGate gate_;
  const bus::PartitionOwnership* ownership_;
  using Fellow = breach::v1::RegisterService::StubInterface;
  service::FellowForwarder<breach::v1::RegisterService> forwarder_;
};

}  // namespace breachd::register_
