#include "services/intake/directory_store.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <set>

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/status_macros.h"
#include "libs/directory/school_csv.h"
#include "libs/service/event_factory.h"
#include "libs/service/projection_rows.h"

namespace breachd::intake {

std::string DirectoryKey(const std::string& code) { return absl::StrCat(kDirectoryPrefix, code); }

std::string SchoolStreamId(const std::string& code) { return absl::StrCat("school-", code); }

breach::v1::DirectorySchool SchoolToProto(const directory::School& school) {
  breach::v1::DirectorySchool out;
  out.set_code(school.code);
  out.set_name(school.name);
  out.set_address(school.address);
  out.set_postcode(school.postcode);
  out.set_municipality(school.municipality);
  out.set_email(school.email);
  out.set_pec(school.pec);
  out.set_dpo_name(school.dpo_name);
  out.set_dpo_email(school.dpo_email);
  for (const std::string& service : school.services) out.add_services(service);
  return out;
}

directory::School SchoolFromProto(const breach::v1::DirectorySchool& school) {
  return {school.code(),         school.name(),  school.address(),
          school.postcode(),     school.municipality(), school.email(),
          school.pec(),          school.dpo_name(),     school.dpo_email(),
          {school.services().begin(), school.services().end()}};
}

absl::StatusOr<std::map<std::string, directory::School>> LoadDirectory(
    eventstore::EventStore& store, privacy::FieldCipher* cipher) {
  ASSIGN_OR_RETURN(std::vector<breach::v1::DirectorySchool> rows,
                   service::ReadRows<breach::v1::DirectorySchool>(store, kDirectoryPrefix));
  std::map<std::string, directory::School> schools;
  for (auto& row : rows) {
    // Opened, so a re-import compares the text (each sealing of it differs).
    if (cipher != nullptr) cipher->OpenPersonalData(row);
    schools.emplace(row.code(), SchoolFromProto(row));
  }
  return schools;
}

absl::StatusOr<std::optional<breach::v1::DirectorySchool>> FindDirectorySchool(
    eventstore::EventStore& store, const std::string& code) {
  return service::ReadRow<breach::v1::DirectorySchool>(store, DirectoryKey(code));
}

absl::StatusOr<std::vector<std::vector<eventstore::AppendRequest>>> DirectoryWrites(
    const directory::DirectoryChanges& changes, const auth::Principal& actor, absl::Time now,
    size_t batch_size, privacy::FieldCipher* cipher) {
  std::vector<std::pair<const directory::School*, bool>> schools;  // and whether added
  for (const directory::School& school : changes.added) schools.emplace_back(&school, true);
  for (const directory::School& school : changes.updated) schools.emplace_back(&school, false);
  const size_t per_batch = std::max<size_t>(batch_size, 1);
  std::vector<std::vector<eventstore::AppendRequest>> batches;
  for (size_t first = 0; first < schools.size(); first += per_batch) {
    const size_t end = std::min(schools.size(), first + per_batch);
    std::optional<privacy::FieldCipher::Batch> sealing;
    if (cipher != nullptr) {
      // The batch's new keys made together (one keyring sync), durable before any row sealed
      // with them is even planned: the rows are written after this returns.
      std::vector<std::string> codes;
      for (size_t i = first; i < end; ++i) codes.push_back(schools[i].first->code);
      sealing.emplace(*cipher);
      RETURN_IF_ERROR(sealing->PrepareToSeal(codes));
    }
    std::vector<eventstore::AppendRequest>& batch = batches.emplace_back();
    for (size_t i = first; i < end; ++i) {
      const auto& [school, added] = schools[i];
      breach::v1::SchoolImported imported;
      *imported.mutable_school() = SchoolToProto(*school);
      imported.set_added(added);
      if (sealing.has_value()) RETURN_IF_ERROR(sealing->SealPersonalData(imported, school->code));
      const std::string stream = SchoolStreamId(school->code);
      eventstore::AppendRequest append;
      append.stream_id = stream;
      append.events.push_back(service::MakeEvent(
          {"intake", actor, "/breach.v1.DirectoryService/ImportSchools", stream}, school->code,
          now, imported));
      append.projection.push_back(
          {DirectoryKey(school->code), imported.school().SerializeAsString()});
      batch.push_back(std::move(append));
    }
  }
  return batches;
}

absl::StatusOr<breach::v1::ImportSchoolsResponse> ImportDirectory(eventstore::EventStore& store,
                                                                 const std::string& csv,
                                                                 const auth::Principal& actor,
                                                                 absl::Time now,
                                                                 privacy::FieldCipher* cipher) {
  ASSIGN_OR_RETURN(directory::ParsedDirectory parsed, directory::ParseSchoolCsv(csv));
  ASSIGN_OR_RETURN(auto current, LoadDirectory(store, cipher));
  const directory::DirectoryChanges changes = directory::MergeDirectory(current, parsed.schools);
  ASSIGN_OR_RETURN(auto batches, DirectoryWrites(changes, actor, now, kDirectoryBatchSize, cipher));
  for (auto& batch : batches) {
    RETURN_IF_ERROR(store.AppendAcrossStreams(std::move(batch)).status());
  }
  breach::v1::ImportSchoolsResponse response;
  response.set_added(static_cast<int32_t>(changes.added.size()));
  response.set_updated(static_cast<int32_t>(changes.updated.size()));
  response.set_unchanged(changes.unchanged);
  response.set_total(static_cast<int32_t>(current.size() + changes.added.size()));
  std::set<int> skipped;
  for (const directory::RowError& error : parsed.errors) {
    skipped.insert(error.row);
    breach::v1::DirectoryRowError* out = response.add_errors();
    out->set_row(error.row);
    out->set_column(error.column);
    out->set_message(error.message);
  }
  response.set_skipped(static_cast<int32_t>(skipped.size()));
  return response;
}

}  // namespace breachd::intake
