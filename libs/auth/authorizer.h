// Every authorization decision of breachd, in one place: may this principal do this action on
// this tenant's data? Services call Authorize() before touching data and record a denial.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/auth/principal.h"

namespace breachd::auth {

enum class Action {
  kReportBreach,    // file an Allegato A report
  kReadReport,      // read a filed report
  kReadRegister,    // list the register, read an entry or a timeline
  kVerifyBreach,    // verify the chain of one breach
  kVerifyStore,     // verify every chain of a store (provider-wide)
  kListAllTenants,  // read across schools
  kReadEventFeed,   // read a whole store in order (catch-up): services and operators
  kReadDeliveryStatus,  // consumer checkpoints, lag and gaps: operators
  kManageParked,    // list and retry events the bus refused (provider-wide)
  kBackUpStores,    // back up every hosted store (provider-wide)
  kRebuildProjection,  // rebuild a consumer's projection from the events (provider-wide)
  kTriageBreach,    // judge a report (breach or not) and fix the awareness moment
  kAmendReport,     // correct or complete a filed report
  kRecordContainment,  // add or update a containment or recovery action
  kReadContainment,    // list the containment and recovery actions
  kAssessBreach,    // submit an Allegato B risk assessment
  kOverrideDuty,    // replace the engine's art. 33/34 decision, with a reason
  kReadAssessment,  // read an assessment and its versions
  kDecideBreach,    // confirm the art. 33/34 decisions; close or reopen a breach
  kManageSchools,   // set a school's details (name, DPO, PEC, webhook): operators
  kReadNotifications,  // read deadlines, drafts, deliveries and receipts
  kPrepareDraft,    // prepare a notification draft
  kApproveDraft,    // approve a draft for sending (the school's head or DPO)
  kSendNotification,  // send an approved draft
  kRecordReceipt,   // record a protocol number or an acknowledgement
  kManageIncidents,  // create and follow a provider-wide incident: operators
  kGrantProviderAccess,  // let the provider read a breach's personal data: the school only
  kBreakGlass,      // read a breach's personal data without the school's grant: incident managers
  kEraseTenant,      // destroy a school's keys (crypto-shredding): operators
  kManageRetention,  // a school's contract end and retention standing: operators
  kRotateTenantKey,  // replace a school's data key (old data still opens): operators
};

// Every action, for tables and tests.
inline constexpr Action kAllActions[] = {
    Action::kReportBreach,     Action::kReadReport,       Action::kReadRegister,
    Action::kVerifyBreach,     Action::kVerifyStore,      Action::kListAllTenants,
    Action::kReadEventFeed,    Action::kReadDeliveryStatus, Action::kManageParked,
    Action::kBackUpStores,     Action::kRebuildProjection,
    Action::kTriageBreach,     Action::kAmendReport,      Action::kRecordContainment,
    Action::kReadContainment,  Action::kAssessBreach,     Action::kOverrideDuty,
    Action::kReadAssessment,   Action::kDecideBreach,     Action::kManageSchools,
    Action::kReadNotifications, Action::kPrepareDraft,    Action::kApproveDraft,
    Action::kSendNotification, Action::kRecordReceipt, Action::kManageIncidents,
    Action::kGrantProviderAccess, Action::kBreakGlass, Action::kEraseTenant,
    Action::kManageRetention, Action::kRotateTenantKey};

const char* ActionName(Action action);

// OK, or PERMISSION_DENIED saying why. `tenant` is the school whose data is touched
// (empty for provider-wide actions).
absl::Status Authorize(const Principal& principal, Action action, const std::string& tenant);

}  // namespace breachd::auth
