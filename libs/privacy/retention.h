// The retention policy of seed 000 as data, and what it asks for at a given time. Pure: no I/O,
// the time is an argument (the job that executes it is tenant_keeper.h).
//
//   erasure   12 months after the end of the school's contract (its keys destroyed); backups
//             of the stores hold ciphertext only, so they become unreadable at the same moment;
//             the 2 further months are how long a backup of the keyring itself may be kept.
//   reads     read records (who read which breach, when) kept 24 months: each month's records
//             are sealed with that month's key, destroyed once the month is 24 months past.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace breachd::privacy {

struct RetentionPolicy {
  int erase_after_contract_months = 12;
  int keyring_backup_months = 2;  // documented for operators; nothing in the stores to delete
  int read_record_months = 24;
};

// When a school whose contract ends at `contract_end` is due for erasure (calendar months, UTC).
absl::Time EraseDueAt(const RetentionPolicy& policy, absl::Time contract_end);

struct RetentionPlan {
  std::vector<std::string> erase_tenants;    // due and not yet erased
  std::vector<std::string> prune_read_keys;  // "reads.<CODE>.<YYYY-MM>" keys past their time
};

// What is due at `now`: schools whose erasure is due (`contract_ends`: school -> contract end;
// `erased`: schools already erased) and read-record keys (`live_read_keys`) whose month ended
// more than read_record_months ago. Keys that do not parse are left alone.
RetentionPlan PlanRetention(const RetentionPolicy& policy, absl::Time now,
                            const std::map<std::string, absl::Time>& contract_ends,
                            const std::set<std::string>& erased,
                            const std::vector<std::string>& live_read_keys);

}  // namespace breachd::privacy
