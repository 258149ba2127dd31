#include "services/register/register_service.h"

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"

namespace breachd::register_ {
namespace {

using breach::v1::RegisterEntry;

constexpr char kListMethod[] = "/breach.v1.RegisterService/ListBreaches";
constexpr char kGetMethod[] = "/breach.v1.RegisterService/GetBreach";
constexpr char kTimelineMethod[] = "/breach.v1.RegisterService/GetTimeline";


}  // namespace

RegisterService::RegisterService(eventstore::EventStore& store,
                                 const auth::IdentityStore& identities, const Clock& clock,
                                 std::function<void()> on_append)
    : store_(store),
      clock_(clock),
      on_append_(on_append),
      guard_(kServiceName, identities, store, clock, on_append) {}

grpc::Status RegisterService::ListBreaches(grpc::ServerContext* context,
                                           const breach::v1::ListBreachesRequest* request,
                                           breach::v1::ListBreachesResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, List(principal, *request));
    return absl::OkStatus();
  });
}

grpc::Status RegisterService::GetBreach(grpc::ServerContext* context,
                                        const breach::v1::GetBreachRequest* request,
                                        RegisterEntry* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(OpenedEntry opened,
                     OpenEntry(principal, request->breach_id(), "register-entry", kGetMethod));
    *response = std::move(opened.entry);
    return absl::OkStatus();
  });
}

grpc::Status RegisterService::GetTimeline(grpc::ServerContext* context,
                                          const breach::v1::GetTimelineRequest* request,
                                          breach::v1::Timeline* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(OpenedEntry opened,
                     OpenEntry(principal, request->breach_id(), "timeline", kTimelineMethod));
    ASSIGN_OR_RETURN(*response, ReadTimeline(opened.entry));
    // This very read reaches the projection through the bus a moment later; show it now.
    bool listed = false;
    for (const auto& line : response->entries()) listed |= line.event_id() == opened.view.event_id();
    if (!listed) *response->add_entries() = ToTimelineEntry(opened.view);
    return absl::OkStatus();
  });
}

absl::StatusOr<breach::v1::ListBreachesResponse> RegisterService::List(
    const auth::Principal& principal, const breach::v1::ListBreachesRequest& request) {
  std::string tenant = request.tenant();
  if (tenant.empty() && !principal.IsProvider()) tenant = principal.tenant;
  if (tenant.empty()) {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kListAllTenants, "", kListMethod));
  } else {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kReadRegister, tenant, kListMethod));
  }
  if (request.page_size() < 0) return absl::InvalidArgumentError("page_size must not be negative");
  if (request.year() != 0 &&
      (request.year() < kFirstRegisterYear || request.year() > kLastRegisterYear)) {
    return absl::InvalidArgumentError(absl::StrCat("year must be 0 (any) or between ",
                                                   kFirstRegisterYear, " and ", kLastRegisterYear));
  }
  if (!breach::v1::BreachStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError("status is not a breach status");
  }
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  const std::string prefix = EntryPrefix(tenant);
  std::string start_after;
  if (!request.page_token().empty()) {
    std::optional<std::string> resume = DecodePageToken(request.page_token(), prefix);
    if (!resume) return absl::InvalidArgumentError("page_token is not a token from this listing");
    start_after = *std::move(resume);
  }

  breach::v1::ListBreachesResponse response;
  std::string last_key;
  bool more = false;
  absl::Status row_status;
  RETURN_IF_ERROR(store_.ScanProjection(
      prefix, start_after, [&](const std::string& key, const std::string& value) {
        if (response.entries_size() == page_size) {
          more = true;
          return false;
        }
        auto entry = ParseRow<RegisterEntry>(value, key);
        if (!entry.ok()) {
          row_status = entry.status();
          return false;
        }
        last_key = key;
        if (request.status() != breach::v1::BREACH_STATUS_UNSPECIFIED &&
            entry->status() != request.status()) {
          return true;
        }
        if (request.year() != 0 && entry->year() != request.year()) return true;
        *response.add_entries() = *std::move(entry);
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  if (more) response.set_next_page_token(EncodePageToken(last_key));
  RETURN_IF_ERROR(RecordListing(principal, request, response));
  return response;
}

absl::Status RegisterService::RecordListing(const auth::Principal& principal,
                                            const breach::v1::ListBreachesRequest& request,
                                            const breach::v1::ListBreachesResponse& page) {
  // Durably, before the entries are handed out, like every other read of a breach's facts.
  breach::v1::BreachesListed listed;
  for (const RegisterEntry& entry : page.entries()) listed.add_breach_ids(entry.breach_id());
  listed.set_tenant(request.tenant());
  listed.set_year(request.year());
  if (request.status() != breach::v1::BREACH_STATUS_UNSPECIFIED) {
    listed.set_status(breach::v1::BreachStatus_Name(request.status()));
  }
  eventstore::AppendRequest append;
  append.stream_id = service::AuditStreamId(principal.tenant);
  append.events.push_back(service::MakeEvent({kServiceName, principal, kListMethod, ""},
                                             principal.tenant, clock_.Now(), listed));
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  return absl::OkStatus();
}

absl::StatusOr<RegisterService::OpenedEntry> RegisterService::OpenEntry(const auth::Principal& principal,
                                                         const std::string& breach_id,
                                                         const std::string& view,
                                                         const std::string& method) {
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach =
      absl::NotFoundError(absl::StrCat("no breach ", breach_id, " in the register"));
  ASSIGN_OR_RETURN(std::optional<RegisterEntry> entry, FindEntryById(store_, breach_id));
  if (!entry.has_value()) return no_breach;
  RETURN_IF_ERROR(guard_.AuthorizeBreach(principal, auth::Action::kReadRegister, entry->tenant(),
                                         method, breach_id, no_breach));

  // The read is recorded, durably, before the data is handed out.
  breach::v1::BreachViewed viewed;
  viewed.set_breach_id(breach_id);
  viewed.set_view(view);
  eventstore::AppendRequest append;
  append.stream_id = breach_id;
  append.events.push_back(service::MakeEvent({kServiceName, principal, method, breach_id},
                                             entry->tenant(), clock_.Now(), viewed));
  ASSIGN_OR_RETURN(eventstore::AppendResult appended, store_.Append(std::move(append)));
  if (on_append_) on_append_();
  return OpenedEntry{*std::move(entry), appended.events.front()};
}

absl::StatusOr<breach::v1::Timeline> RegisterService::ReadTimeline(const RegisterEntry& entry) {
  breach::v1::Timeline timeline;
  timeline.set_breach_id(entry.breach_id());
  timeline.set_tenant(entry.tenant());
  absl::Status row_status;
  RETURN_IF_ERROR(store_.ScanProjection(
      TimelinePrefix(entry.breach_id()), "", [&](const std::string& key, const std::string& value) {
        auto line = ParseRow<breach::v1::TimelineEntry>(value, key);
        if (!line.ok()) {
          row_status = line.status();
          return false;
        }
        *timeline.add_entries() = *std::move(line);
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  return timeline;
}

}  // namespace breachd::register_
