#include "libs/timers/durable_timers.h"

#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/status_macros.h"

namespace breachd::timers {
namespace {

using eventstore::EventStore;
using eventstore::ProjectionWrite;

constexpr char kDuePrefix[] = "timer/due/";
constexpr char kIdPrefix[] = "timer/id/";
constexpr size_t kMicrosDigits = 20;
// 9999-12-31T23:59:59.999999Z.
constexpr int64_t kMaxDueMicros = int64_t{253402300799} * 1000000 + 999999;

// Whole microseconds, rounded up so that a timer never fires before its time.
absl::StatusOr<int64_t> DueMicros(absl::Time due) {
  if (due < absl::UnixEpoch() || due > absl::FromUnixMicros(kMaxDueMicros)) {
    return absl::InvalidArgumentError(
        absl::StrCat("timer due time out of range [1970-01-01, 9999-12-31]: ",
                     absl::FormatTime(due, absl::UTCTimeZone())));
  }
  int64_t micros = absl::ToUnixMicros(due);
  if (absl::FromUnixMicros(micros) < due) ++micros;
  return micros;
}

std::string DueKey(int64_t micros, const std::string& id) {
  return absl::StrFormat("%s%020d/%s", kDuePrefix, micros, id);
}

std::string IdKey(const std::string& id) { return absl::StrCat(kIdPrefix, id); }

ProjectionWrite Erase(std::string key) { return ProjectionWrite{std::move(key), "", true}; }

// Splits a due key back into time and id.
absl::StatusOr<DueTimer> ParseDueKey(const std::string& key) {
  const size_t start = sizeof(kDuePrefix) - 1;
  int64_t micros = 0;
  if (!absl::StartsWith(key, kDuePrefix) || key.size() < start + kMicrosDigits + 2 ||
      key[start + kMicrosDigits] != '/' ||
      !absl::SimpleAtoi(key.substr(start, kMicrosDigits), &micros)) {
    return absl::DataLossError(absl::StrCat("unreadable timer row: ", key));
  }
  return DueTimer{key.substr(start + kMicrosDigits + 1), absl::FromUnixMicros(micros), ""};
}

absl::Status ValidateId(const std::string& id) {
  return id.empty() ? absl::InvalidArgumentError("timer id: empty") : absl::OkStatus();
}

// Visits due rows in time order until `visit` returns false; a row that does not parse stops
// the scan with DATA_LOSS.
absl::Status ScanDue(EventStore& store, const std::function<bool(DueTimer)>& visit) {
  absl::Status parse_error;
  RETURN_IF_ERROR(store.ScanProjection(
      kDuePrefix, "", [&](const std::string& key, const std::string& value) {
        absl::StatusOr<DueTimer> timer = ParseDueKey(key);
        if (!timer.ok()) {
          parse_error = timer.status();
          return false;
        }
        timer->payload = value;
        return visit(*std::move(timer));
      }));
  return parse_error;
}

}  // namespace

absl::StatusOr<std::vector<ProjectionWrite>> ArmTimer(EventStore& store, const std::string& id,
                                                      absl::Time due,
                                                      const std::string& payload) {
  RETURN_IF_ERROR(ValidateId(id));
  ASSIGN_OR_RETURN(const int64_t micros, DueMicros(due));
  ASSIGN_OR_RETURN(std::optional<std::string> armed, store.GetProjection(IdKey(id)));
  std::string due_key = DueKey(micros, id);
  std::vector<ProjectionWrite> rows;
  if (armed.has_value() && *armed != due_key) rows.push_back(Erase(*armed));
  rows.push_back({due_key, payload});
  rows.push_back({IdKey(id), std::move(due_key)});
  return rows;
}

absl::StatusOr<std::vector<ProjectionWrite>> DisarmTimer(EventStore& store,
                                                         const std::string& id) {
  RETURN_IF_ERROR(ValidateId(id));
  ASSIGN_OR_RETURN(std::optional<std::string> armed, store.GetProjection(IdKey(id)));
  if (!armed.has_value()) return std::vector<ProjectionWrite>{};
  return std::vector<ProjectionWrite>{Erase(*armed), Erase(IdKey(id))};
}

absl::StatusOr<std::vector<DueTimer>> TimersWithPrefix(EventStore& store,
                                                       const std::string& id_prefix) {
  std::vector<std::string> due_keys;
  RETURN_IF_ERROR(store.ScanProjection(IdKey(id_prefix), "",
                                       [&](const std::string&, const std::string& due_key) {
                                         due_keys.push_back(due_key);
                                         return true;
                                       }));
  std::vector<DueTimer> timers;
  timers.reserve(due_keys.size());
  for (const std::string& due_key : due_keys) {
    ASSIGN_OR_RETURN(DueTimer timer, ParseDueKey(due_key));
    ASSIGN_OR_RETURN(std::optional<std::string> payload, store.GetProjection(due_key));
    if (!payload.has_value()) {
      return absl::DataLossError(absl::StrCat("timer ", timer.id, " has no due row ", due_key));
    }
    timer.payload = *std::move(payload);
    timers.push_back(std::move(timer));
  }
  return timers;
}

absl::StatusOr<std::vector<DueTimer>> DueTimers(EventStore& store, absl::Time now, size_t limit) {
  std::vector<DueTimer> due;
  if (limit == 0) return due;
  RETURN_IF_ERROR(ScanDue(store, [&](DueTimer timer) {
    if (timer.due > now) return false;
    due.push_back(std::move(timer));
    return due.size() < limit;
  }));
  return due;
}

std::vector<ProjectionWrite> FireTimer(const DueTimer& timer) {
  // `due` came from a due key, so it is whole microseconds within range.
  return {Erase(DueKey(absl::ToUnixMicros(timer.due), timer.id)), Erase(IdKey(timer.id))};
}

absl::StatusOr<std::optional<absl::Time>> NextDue(EventStore& store) {
  std::optional<absl::Time> next;
  RETURN_IF_ERROR(ScanDue(store, [&](DueTimer timer) {
    next = timer.due;
    return false;
  }));
  return next;
}

}  // namespace breachd::timers
