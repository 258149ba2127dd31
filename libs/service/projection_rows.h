// Typed reads of a service's projection rows: one row by key, or every row under a prefix in
// key order. An unparsable row is DATA_LOSS naming its key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/eventstore/event_store.h"

namespace breachd::service {

template <typename T>
absl::StatusOr<std::optional<T>> ReadRow(eventstore::EventStore& store, const std::string& key) {
  absl::StatusOr<std::optional<std::string>> bytes = store.GetProjection(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  T row;
  if (!row.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat("stored row ", key, " is unreadable"));
  }
  return row;
}

template <typename T>
absl::StatusOr<std::vector<T>> ReadRows(eventstore::EventStore& store, const std::string& prefix) {
  std::vector<T> rows;
  absl::Status row_status;
  const absl::Status scanned = store.ScanProjection(
      prefix, "", [&](const std::string& key, const std::string& value) {
        T row;
        if (!row.ParseFromString(value)) {
          row_status = absl::DataLossError(absl::StrCat("stored row ", key, " is unreadable"));
          return false;
        }
        rows.push_back(std::move(row));
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!row_status.ok()) return row_status;
  return rows;
}

}  // namespace breachd::service
