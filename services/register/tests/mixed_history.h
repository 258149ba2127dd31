// A realistic mixed history of the register's sources for rebuild tests: every kind of event the
// register folds, over 12 breaches, in the interleaved order a consumer meets them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "services/register/tests/breach_events.h"

namespace breachd::register_::testing {

using breach::v1::EventEnvelope;

// A realistic mix over 12 breaches: reports only, reports with triage, amendments and actions,
// whole assessments with their duties, notification clocks, drafts, sends and receipts, reads
// by several people of every view, and pages of the register listing several breaches at once.
// Returns the events in the order a consumer met them (sources interleaved, assessment first
// for some, listings before the breaches they name).
inline std::vector<EventEnvelope> MixedHistory() {
  std::vector<std::vector<EventEnvelope>> streams;
  for (int i = 0; i < 12; ++i) {
    const std::string id = absl::StrCat("01JQMIX00000000000000000", i < 10 ? "0" : "", i);
    SourceEvents intake("intake", id), assessment("assessment", id),
        notification("notification", id), reads("register", id);
    if (i % 4 == 0) {
      intake.Add(0, Reported());
    } else {
      AddReportToDecision(intake, assessment);
      breach::v1::ReportAmended amended;
      amended.mutable_amendment()->add_changes()->set_field("approx_data_subjects");
      intake.Add(6 + i, amended);
    }
    if (i % 3 == 1) {
      AddAuthorityNotification(notification, 7);
      breach::v1::ReceiptRecorded receipt;
      receipt.mutable_receipt()->set_duty(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
      receipt.mutable_receipt()->set_protocol_number("0012345/2026");
      notification.Add(11, receipt);
    }
    const char* views[] = {"register-entry", "timeline", "report", "knowledge", "export"};
    for (int r = 0; r < 2 + i % 5; ++r) {
      breach::v1::BreachViewed viewed;
      viewed.set_view(views[(i + r) % 5]);
      reads.Add(3 + r * 4, viewed);
    }
    std::vector<EventEnvelope> read_events = reads.events();
    for (size_t r = 0; r < read_events.size(); ++r) {
      read_events[r].mutable_actor()->set_subject(absl::StrCat("user:reader-", r % 3));
    }
    // Sources interleaved as the bus and catch-ups bring them: assessment ahead for odd ones.
    std::vector<const std::vector<EventEnvelope>*> order = {
        &intake.events(), &assessment.events(), &notification.events(), &read_events};
    if (i % 2 == 1) std::swap(order[0], order[1]);
    std::vector<EventEnvelope> arrival;
    for (size_t at = 0;; ++at) {
      bool any = false;
      for (const auto* source : order) {
        if (at < source->size()) {
          arrival.push_back((*source)[at]);
          any = true;
        }
      }
      if (!any) break;
    }
    streams.push_back(std::move(arrival));
  }
  std::vector<EventEnvelope> events;
  SourceEvents audit("register", "audit-MIIS01200V");
  for (int page = 0; page < 4; ++page) {
    breach::v1::BreachesListed listed;
    for (int i = page; i < 12; i += 3) {
      listed.add_breach_ids(absl::StrCat("01JQMIX00000000000000000", i < 10 ? "0" : "", i));
    }
    audit.Add(20 + page, listed);
  }
  events.push_back(audit.events()[0]);  // a listing before any of its breaches
  for (size_t at = 0; at < 30; ++at) {
    for (const auto& stream : streams) {
      if (at < stream.size()) events.push_back(stream[at]);
    }
    if (at == 5) events.push_back(audit.events()[1]);
  }
  events.push_back(audit.events()[2]);
  events.push_back(audit.events()[3]);
  return events;
}

}  // namespace breachd::register_::testing
