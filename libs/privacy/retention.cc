#include "libs/privacy/retention.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace breachd::privacy {
namespace {

absl::CivilSecond Utc(absl::Time t) { return absl::ToCivilSecond(t, absl::UTCTimeZone()); }

}  // namespace

absl::Time EraseDueAt(const RetentionPolicy& policy, absl::Time contract_end) {
  const absl::CivilSecond end = Utc(contract_end);
  // The same day and time so many months later (the 31st of a shorter month rolls over).
  const absl::CivilSecond due(end.year(), end.month() + policy.erase_after_contract_months,
                              end.day(), end.hour(), end.minute(), end.second());
  return absl::FromCivil(due, absl::UTCTimeZone());
}

RetentionPlan PlanRetention(const RetentionPolicy& policy, absl::Time now,
                            const std::map<std::string, absl::Time>& contract_ends,
                            const std::set<std::string>& erased,
                            const std::vector<std::string>& live_read_keys) {
  RetentionPlan plan;
  for (const auto& [tenant, end] : contract_ends) {
    if (!erased.count(tenant) && now >= EraseDueAt(policy, end)) {
      plan.erase_tenants.push_back(tenant);
    }
  }
  const absl::CivilMonth this_month(Utc(now));
  for (const std::string& key : live_read_keys) {
    // reads.<CODE>.<YYYY-MM>
    const std::vector<std::string> parts = absl::StrSplit(key, '.');
    if (parts.size() != 3 || parts[0] != "reads") continue;
    const std::vector<std::string> ym = absl::StrSplit(parts[2], '-');
    int year = 0, month = 0;
    if (ym.size() != 2 || !absl::SimpleAtoi(ym[0], &year) || !absl::SimpleAtoi(ym[1], &month) ||
        month < 1 || month > 12) {
      continue;
    }
    // Kept for read_record_months whole months after the month they were made in.
    if (absl::CivilMonth(year, month) + policy.read_record_months < this_month) {
      plan.prune_read_keys.push_back(key);
    }
  }
  return plan;
}

}  // namespace breachd::privacy
