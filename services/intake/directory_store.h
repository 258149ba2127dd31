// The provider's school directory as rows of the intake's store, and the import's writes.
//
//   directory/<code> -> breach.v1.DirectorySchool
//
// Each added or changed school is a SchoolImported event on the stream "school-<code>" (tenant
// = the school), appended with its row; an import's schools go in batches of
// kDirectoryBatchSize streams per atomic, synced write (EventStore::AppendAcrossStreams).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "breach/v1/directory.pb.h"
#include "libs/auth/principal.h"
#include "libs/directory/directory_merge.h"
#include "libs/directory/school.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"

namespace breachd::intake {

inline constexpr size_t kDirectoryBatchSize = 500;

std::string DirectoryKey(const std::string& code);
inline constexpr char kDirectoryPrefix[] = "directory/";
std::string SchoolStreamId(const std::string& code);  // "school-<code>"

breach::v1::DirectorySchool SchoolToProto(const directory::School& school);
directory::School SchoolFromProto(const breach::v1::DirectorySchool& school);

// Every school of the directory, by code; its DPO's contact opened with `cipher` (nullptr: left
// sealed, enough for codes and services).
absl::StatusOr<std::map<std::string, directory::School>> LoadDirectory(
    eventstore::EventStore& store, privacy::FieldCipher* cipher = nullptr);

// One school, if the directory has it.
absl::StatusOr<std::optional<breach::v1::DirectorySchool>> FindDirectorySchool(
    eventstore::EventStore& store, const std::string& code);

// The writes that store `changes`: one append per added or changed school (its SchoolImported
// event and its row), grouped in batches of at most `batch_size` streams. With a `cipher`, each
// batch's missing school keys are made first, together and durable (FieldCipher::Batch::
// PrepareToSeal: one keyring sync per batch), then its DPO contacts sealed with them; nothing
// else is written, and the caller writes the rows after, so a stored row never refers to a key
// a crash could lose.
absl::StatusOr<std::vector<std::vector<eventstore::AppendRequest>>> DirectoryWrites(
    const directory::DirectoryChanges& changes, const auth::Principal& actor, absl::Time now,
    size_t batch_size = kDirectoryBatchSize, privacy::FieldCipher* cipher = nullptr);

// Parses `csv`, merges it into `store`'s directory and writes the changes. INVALID_ARGUMENT when
// the file cannot be read at all (nothing imported); bad rows are in the answer.
absl::StatusOr<breach::v1::ImportSchoolsResponse> ImportDirectory(
    eventstore::EventStore& store, const std::string& csv, const auth::Principal& actor,
    absl::Time now, privacy::FieldCipher* cipher = nullptr);

}  // namespace breachd::intake
