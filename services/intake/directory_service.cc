#include "services/intake/directory_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/intake/directory_store.h"
#include "services/intake/intake_service.h"

namespace breachd::intake {
namespace {

constexpr char kImportMethod[] = "/breach.v1.DirectoryService/ImportSchools";
constexpr char kListMethod[] = "/breach.v1.DirectoryService/ListSchools";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

}  // namespace

DirectoryService::DirectoryService(eventstore::EventStore& store,
                                   const auth::IdentityStore& identities, const Clock& clock,
                                   std::function<void()> on_append,
                                   privacy::FieldCipher& cipher, service::Fellows fellows)
    : store_(store),
      cipher_(cipher),
      clock_(clock),
      on_append_(std::move(on_append)),
      guard_(kServiceName, identities, store, clock, on_append_),
      fellows_(kServiceName, fellows.ownership, std::move(fellows.addresses),
               std::move(fellows.credentials)) {}

grpc::Status DirectoryService::ImportSchools(grpc::ServerContext* context,
                                             const breach::v1::ImportSchoolsRequest* request,
                                             breach::v1::ImportSchoolsResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(
        guard_.Authorize(principal, auth::Action::kManageSchools, "", kImportMethod));
    if (request->csv().empty()) return absl::InvalidArgumentError("csv is required");
    {
      absl::MutexLock lock(&import_mutex_);
      ASSIGN_OR_RETURN(*response, ImportDirectory(store_, request->csv(), principal,
                                                  clock_.Now(), &cipher_));
    }
    if (on_append_ && (response->added() > 0 || response->updated() > 0)) on_append_();
    // Re-importing the same file is safe (it updates, never duplicates), so the answer says so.
    return service::FellowRouter::AllAnswered(
        fellows_.Broadcast(*context, &breach::v1::DirectoryService::StubInterface::ImportSchools,
                           *request),
        "the directory was imported",
        "run the same import again once they are back (it updates, never duplicates)");
  });
}

grpc::Status DirectoryService::ListSchools(grpc::ServerContext* context,
                                           const breach::v1::ListSchoolsRequest* request,
                                           breach::v1::ListSchoolsResponse* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    RETURN_IF_ERROR(guard_.Authorize(principal, auth::Action::kManageSchools, "", kListMethod));
    if (request->page_size() < 0) return absl::InvalidArgumentError("page_size is negative");
    const int page_size = request->page_size() == 0
                              ? kDefaultPageSize
                              : std::min(request->page_size(), kMaxPageSize);
    std::string start_after;
    if (!request->page_token().empty()) start_after = DirectoryKey(request->page_token());
    absl::Status row_status;
    std::string last_key;
    RETURN_IF_ERROR(store_.ScanProjection(
        kDirectoryPrefix, start_after, [&](const std::string& key, const std::string& value) {
          breach::v1::DirectorySchool school;
          if (!school.ParseFromString(value)) {
            row_status = absl::DataLossError(absl::StrCat("stored row ", key, " is unreadable"));
            return false;
          }
          const auto& services = school.services();
          if (!request->service().empty() &&
              std::find(services.begin(), services.end(), request->service()) == services.end()) {
            return true;
          }
          if (response->schools_size() == page_size) {
            response->set_next_page_token(response->schools(page_size - 1).code());
            return false;
          }
          cipher_.OpenPersonalData(school);  // the provider's own directory: it imported them
          *response->add_schools() = std::move(school);
          return true;
        }));
    return row_status;
  });
}

}  // namespace breachd::intake
