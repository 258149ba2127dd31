#include "services/register/register_service.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/register/register_entry.h"
#include "services/register/register_projection.h"
#include "services/register/register_schema.h"
#include "services/register/register_knowledge.h"

namespace breachd::register_ {
namespace {

using breach::v1::RegisterEntry;

constexpr char kListMethod[] = "/breach.v1.RegisterService/ListBreaches";
constexpr char kGetMethod[] = "/breach.v1.RegisterService/GetBreach";
constexpr char kTimelineMethod[] = "/breach.v1.RegisterService/GetTimeline";
constexpr char kKnowledgeMethod[] = "/breach.v1.RegisterService/GetKnowledge";
constexpr char kExportMethod[] = "/breach.v1.RegisterService/ExportRegister";

}  // namespace

RegisterService::RegisterService(eventstore::EventStore& store,
                                 const auth::IdentityStore& identities, const Clock& clock,
                                 std::function<void()> on_append,
                                 privacy::FieldCipher& cipher,
                                 const bus::PartitionOwnership* ownership,
                                 std::vector<std::string> fellows,
                                 std::shared_ptr<grpc::ChannelCredentials> fellow_credentials)
    : cipher_(cipher),
      store_(store),
      clock_(clock),
      on_append_(on_append),
      reads_(store),
      guard_(kServiceName, identities, store, clock, on_append),
      gate_(store, clock),
      ownership_(ownership),
      forwarder_(kServiceName, ownership, std::move(fellows), std::move(fellow_credentials)) {}

bool RegisterService::Shows(const RegisterEntry& entry) const {
  return ownership_ == nullptr || ownership_->Serves(entry.breach_id());
}

grpc::Status RegisterService::ListBreaches(grpc::ServerContext* context,
                                           const breach::v1::ListBreachesRequest* request,
                                           breach::v1::ListBreachesResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, List(principal, *request));
    cipher_.OpenPersonalData(*response);
    for (RegisterEntry& entry : *response->mutable_entries()) {
      RETURN_IF_ERROR(gate_.Apply(principal, entry.tenant(), entry.breach_id(), entry));
    }
    return absl::OkStatus();
  });
}

grpc::Status RegisterService::GetBreach(grpc::ServerContext* context,
                                        const breach::v1::GetBreachRequest* request,
                                        RegisterEntry* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::GetBreach, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(OpenedEntry opened,
                     OpenEntry(principal, request->breach_id(), "register-entry", kGetMethod));
    *response = std::move(opened.entry);
    response->set_overdue(IsOverdue(*response, clock_.Now()));
    cipher_.OpenPersonalData(*response);
    return gate_.Apply(principal, response->tenant(), response->breach_id(), *response);
  });
}

grpc::Status RegisterService::GetTimeline(grpc::ServerContext* context,
                                          const breach::v1::GetTimelineRequest* request,
                                          breach::v1::Timeline* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::GetTimeline, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(OpenedEntry opened,
                     OpenEntry(principal, request->breach_id(), "timeline", kTimelineMethod));
    ASSIGN_OR_RETURN(*response, ReadTimeline(opened.entry));
    // This very read reaches the projection through the bus a moment later; show it now.
    bool listed = false;
    for (const auto& line : response->entries()) listed |= line.event_id() == opened.view.event_id();
    if (!listed) *response->add_entries() = ToTimelineEntry(opened.view);
    OpenReaders(*response);
    return absl::OkStatus();
  });
}

grpc::Status RegisterService::GetKnowledge(grpc::ServerContext* context,
                                           const breach::v1::GetKnowledgeRequest* request,
                                           breach::v1::Knowledge* response) {
  if (auto routed = forwarder_.Route(*context, service::BreachKey(request->breach_id()),
                                     &Fellow::GetKnowledge, *request, response)) {
    return *routed;
  }
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(OpenedEntry opened,
                     OpenEntry(principal, request->breach_id(), "knowledge", kKnowledgeMethod));
    // Folded here from the sources row with the readers opened: each read record's reader is
    // sealed with its month's key (docs/security.md, "Read records"), so readers group by who
    // they are, and a pruned month's reads fold as one "[erased]" reader.
    ASSIGN_OR_RETURN(
        std::optional<breach::v1::KnowledgeSources> sources,
        FindRow<breach::v1::KnowledgeSources>(store_, KnowledgeSourcesKey(request->breach_id())));
    if (sources.has_value()) {
      privacy::FieldCipher::Batch readers(cipher_);  // a few month keys for hundreds of reads
      for (auto& read : *sources->mutable_reads()) readers.OpenReader(*read.mutable_principal());
      *response = FoldKnowledge(request->breach_id(), *sources);
    } else {
      response->set_breach_id(opened.entry.breach_id());
      response->set_tenant(opened.entry.tenant());
    }
    cipher_.OpenPersonalData(*response);  // the awareness evidence
    return gate_.Apply(principal, opened.entry.tenant(), opened.entry.breach_id(), *response);
  });
}

void RegisterService::OpenReaders(breach::v1::Timeline& timeline) {
  privacy::FieldCipher::Batch batch(cipher_);
  for (auto& line : *timeline.mutable_entries()) batch.OpenReader(*line.mutable_actor());
}

absl::StatusOr<std::string> RegisterService::AuthorizeRegister(const auth::Principal& principal,
                                                              const std::string& requested,
                                                              const char* method) {
  std::string tenant = requested;
  if (tenant.empty() && !principal.IsProvider()) tenant = principal.tenant;
  if (tenant.empty()) {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kListAllTenants, "", method));
  } else {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kReadRegister, tenant, method));
  }
  return tenant;
}

grpc::Status RegisterService::ExportRegister(grpc::ServerContext* context,
                                             const breach::v1::ExportRegisterRequest* request,
                                             grpc::ServerWriter<breach::v1::ExportChunk>* writer) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(const std::string tenant,
                     AuthorizeRegister(principal, request->tenant(), kExportMethod));
    if (request->year() != 0 &&
        (request->year() < kFirstRegisterYear || request->year() > kLastRegisterYear)) {
      return absl::InvalidArgumentError(absl::StrCat("year must be 0 (any) or between ",
                                                     kFirstRegisterYear, " and ",
                                                     kLastRegisterYear, ", not ", request->year()));
    }
    if (request->format() != "csv" && request->format() != "json" && request->format() != "pdf") {
      return absl::InvalidArgumentError(
          absl::StrCat("format must be csv, json or pdf, not \"", request->format(), "\""));
    }
    const absl::Time now = clock_.Now();
    std::vector<breach::v1::ExportedBreach> breaches;
    absl::Status row_status;
    RETURN_IF_ERROR(store_.ScanProjection(
        EntryPrefix(tenant), "", [&](const std::string& key, const std::string& value) {
          auto entry = ParseRow<RegisterEntry>(value, key);
          if (!entry.ok()) {
            row_status = entry.status();
            return false;
          }
          if (request->year() != 0 && entry->year() != request->year()) return true;
          if (!Shows(*entry)) return true;
          entry->set_overdue(IsOverdue(*entry, now));
          *breaches.emplace_back().mutable_entry() = *std::move(entry);
          return true;
        }));
    RETURN_IF_ERROR(row_status);
    for (breach::v1::ExportedBreach& breach : breaches) {
      ASSIGN_OR_RETURN(breach::v1::Timeline timeline, ReadTimeline(breach.entry()));
      OpenReaders(timeline);
      *breach.mutable_timeline() = std::move(*timeline.mutable_entries());
      ASSIGN_OR_RETURN(std::vector<breach::v1::EventEnvelope> events,
                       ReadHistory(store_, breach.entry().breach_id()));
      for (const auto& head : StreamHeads(events)) *breach.add_heads() = head;
      for (auto& event : events) {
        breach.add_raw_events(event.SerializeAsString());
        *breach.add_events() = std::move(event);
      }
      cipher_.OpenPersonalData(*breach.mutable_entry());  // the events stay as stored (sealed)
      // Without the school's grant the provider gets the metadata and the heads, not the
      // personal data nor the raw events (which carry it).
      ASSIGN_OR_RETURN(const bool open, gate_.Permits(principal, breach.entry().tenant(),
                                                      breach.entry().breach_id()));
      if (!open) {
        service::RedactPersonalData(breach);
        breach.clear_raw_events();
      }
    }
    // Recorded, durably, before anything is handed out.
    breach::v1::RegisterExported exported;
    for (const auto& breach : breaches) exported.add_breach_ids(breach.entry().breach_id());
    exported.set_tenant(request->tenant());
    exported.set_year(request->year());
    exported.set_format(request->format());
    eventstore::AppendRequest append;
    append.stream_id = service::AuditStreamId(principal.tenant);
    ASSIGN_OR_RETURN(breach::v1::EventEnvelope export_record,
                     service::MakeReadRecord({kServiceName, principal, kExportMethod, ""},
                                             principal.tenant, now, exported, cipher_));
    append.events.push_back(std::move(export_record));
    ASSIGN_OR_RETURN(eventstore::AppendResult appended, store_.Append(std::move(append)));
    if (on_append_) on_append_();

    breach::v1::ExportChunk chunk;
    breach::v1::ExportHeader& header = *chunk.mutable_header();
    header.set_tenant(request->tenant());
    header.set_year(request->year());
    header.set_format(request->format());
    *header.mutable_exported_at() = appended.events.front().recorded_at();
    *header.mutable_exported_by() = appended.events.front().actor();
    cipher_.OpenReader(*header.mutable_exported_by());
    header.set_breaches(breaches.size());
    header.set_export_event_id(appended.events.front().event_id());
    if (!writer->Write(chunk)) return absl::CancelledError("the client went away");
    for (auto& breach : breaches) {
      *chunk.mutable_breach() = std::move(breach);
      if (!writer->Write(chunk)) return absl::CancelledError("the client went away");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<breach::v1::ListBreachesResponse> RegisterService::List(
    const auth::Principal& principal, const breach::v1::ListBreachesRequest& request) {
  ASSIGN_OR_RETURN(const std::string tenant,
                   AuthorizeRegister(principal, request.tenant(), kListMethod));
  RETURN_IF_ERROR(ValidateListRequest(request));
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  const std::string prefix = EntryPrefix(tenant);
  // A token names where the previous page ended, in the order it was listed in.
  const std::string token_prefix = request.order_by() == breach::v1::REGISTER_ORDER_UNSPECIFIED
                                       ? prefix
                                       : absl::StrCat("order", request.order_by(), "|", prefix, "|");
  std::string start_after;
  if (!request.page_token().empty()) {
    std::optional<std::string> resume = DecodePageToken(request.page_token(), token_prefix);
    if (!resume) return absl::InvalidArgumentError("page_token is not a token from this listing");
    start_after = *std::move(resume);
  }
  breach::v1::ListBreachesResponse response;
  if (request.order_by() == breach::v1::REGISTER_ORDER_UNSPECIFIED) {
    RETURN_IF_ERROR(ListInKeyOrder(prefix, start_after, request, page_size, response));
  } else {
    RETURN_IF_ERROR(ListSorted(prefix, start_after.substr(std::min(start_after.size(),
                                                                   token_prefix.size())),
                               request, page_size, response));
    if (!response.next_page_token().empty()) {
      response.set_next_page_token(
          EncodePageToken(absl::StrCat(token_prefix, response.next_page_token())));
    }
  }
  if (ownership_ != nullptr) {
    const bus::PartitionOwnership::View view = ownership_->view();
    response.set_partition_count(view.partition_count);
    for (int32_t partition : view.served) response.add_partitions(partition);
  }
  RETURN_IF_ERROR(RecordListing(principal, request, response));
  return response;
}

absl::Status RegisterService::ListInKeyOrder(const std::string& prefix,
                                             const std::string& start_after,
                                             const breach::v1::ListBreachesRequest& request,
                                             int page_size,
                                             breach::v1::ListBreachesResponse& response) {
  const absl::Time now = clock_.Now();
  std::string last_key;
  bool more = false;
  size_t page_bytes = 0;
  absl::Status row_status;
  RETURN_IF_ERROR(store_.ScanProjection(
      prefix, start_after, [&](const std::string& key, const std::string& value) {
        if (response.entries_size() == page_size ||
            (response.entries_size() > 0 && page_bytes + value.size() > kMaxPageBytes)) {
          more = true;
          return false;
        }
        auto entry = ParseRow<RegisterEntry>(value, key);
        if (!entry.ok()) {
          row_status = entry.status();
          return false;
        }
        last_key = key;
        if (!MatchesListing(*entry, request, now) || !Shows(*entry)) return true;
        entry->set_overdue(IsOverdue(*entry, now));
        page_bytes += value.size();
        *response.add_entries() = *std::move(entry);
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  if (more) response.set_next_page_token(EncodePageToken(last_key));
  return absl::OkStatus();
}

absl::Status RegisterService::ListSorted(const std::string& prefix, const std::string& start_after,
                                         const breach::v1::ListBreachesRequest& request,
                                         int page_size,
                                         breach::v1::ListBreachesResponse& response) {
  const absl::Time now = clock_.Now();
  std::vector<std::pair<std::string, RegisterEntry>> matching;
  absl::Status row_status;
  RETURN_IF_ERROR(
      store_.ScanProjection(prefix, "", [&](const std::string& key, const std::string& value) {
        auto entry = ParseRow<RegisterEntry>(value, key);
        if (!entry.ok()) {
          row_status = entry.status();
          return false;
        }
        if (!MatchesListing(*entry, request, now) || !Shows(*entry)) return true;
        std::string order_key = OrderKey(*entry, request.order_by());
        if (!start_after.empty() && order_key <= start_after) return true;
        entry->set_overdue(IsOverdue(*entry, now));
        matching.emplace_back(std::move(order_key), *std::move(entry));
        return true;
      }));
  RETURN_IF_ERROR(row_status);
  std::sort(matching.begin(), matching.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t shown = 0;
  size_t page_bytes = 0;
  for (; shown < matching.size() && shown < static_cast<size_t>(page_size); ++shown) {
    const size_t bytes = matching[shown].second.ByteSizeLong();
    if (shown > 0 && page_bytes + bytes > kMaxPageBytes) break;
    page_bytes += bytes;
    *response.add_entries() = std::move(matching[shown].second);
  }
  if (matching.size() > shown) response.set_next_page_token(matching[shown - 1].first);
  return absl::OkStatus();
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
  listed.set_classification(request.classification());
  if (request.notified() != breach::v1::NOTIFIED_FILTER_UNSPECIFIED) {
    listed.set_notified(breach::v1::NotifiedFilter_Name(request.notified()));
  }
  listed.set_overdue_only(request.overdue_only());
  if (request.order_by() != breach::v1::REGISTER_ORDER_UNSPECIFIED) {
    listed.set_order_by(breach::v1::RegisterOrder_Name(request.order_by()));
  }
  eventstore::AppendRequest append;
  append.stream_id = service::AuditStreamId(principal.tenant);
  ASSIGN_OR_RETURN(breach::v1::EventEnvelope list_record,
                   service::MakeReadRecord({kServiceName, principal, kListMethod, ""},
                                           principal.tenant, clock_.Now(), listed, cipher_));
  append.events.push_back(std::move(list_record));
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

  // The read is recorded, durably, before the data is handed out; concurrent reads share the
  // synced write (group commit, read_recorder.h).
  breach::v1::BreachViewed viewed;
  viewed.set_breach_id(breach_id);
  viewed.set_view(view);
  ASSIGN_OR_RETURN(breach::v1::EventEnvelope read,
                   service::MakeReadRecord({kServiceName, principal, method, breach_id},
                                           entry->tenant(), clock_.Now(), viewed, cipher_));
  ASSIGN_OR_RETURN(breach::v1::EventEnvelope recorded, reads_.Record(breach_id, std::move(read)));
  if (on_append_) on_append_();
  return OpenedEntry{*std::move(entry), std::move(recorded)};
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
