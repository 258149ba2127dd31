// The processor's notice to each school of a provider-wide incident, drafted off the clock's path.
//
// When a case of an incident opens (or an update of the incident amends it), the reaction arms
// the case's clock at once and leaves a "draft due" row in the same append (CaseReactor,
// NoticeDueRow). This worker composes the notice from the row (the case as its cause left it,
// the school's profile and the controller-notice templates), sealed with the school's key, and
// appends DraftPrepared with the row's erasure in one write. A reaction that changes a case
// whose notices are still due first pins them to the case as it was (PinDueNotices), so each
// version says what was known at its cause, however late it is drafted; the common case (no
// change in between) stores no copy of the case. Drafting is the dearest part of a case (a template rendering and two
// sealed documents per school), and nothing is due on it within seconds: the 48-hour notice is
// sent once the provider has reviewed and approved it. So the worker's thread runs at a lower
// CPU priority than the consumers: in a 10,000-school fan-out every clock and register entry
// comes first and the notices follow (docs/incidents.md, "The processor's notice, drafted").
//
// At most once per cause: the row goes in the same write as the draft, and a case that already
// has its first notice gets no second one from an opening (an amendment drafts a new version).
// A stop leaves the rows of what is not drafted yet; the next start drafts them. The appends are
// not fsynced one by one: each pass syncs once, and what a machine crash loses of the last pass
// (its rows went with it) is drafted again. A row that fails for good (unreadable, a template
// that does not render) is parked under draft-parked/, its error logged, and the rest go on; a
// restart tries the parked rows again. A store that is down stops the pass, which starts again
// from that row.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "libs/common/clock.h"
#include "libs/common/striped_mutex.h"
#include "libs/common/wake_signal.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/notification_drafts.h"
#include "services/notification/notification_schema.h"

namespace breachd::notification {

class IncidentDrafter {
 public:
  // `on_append` wakes the relay after every append; `cipher` opens the case and the school for
  // the draft and seals the draft (nullptr: as stored).
  IncidentDrafter(eventstore::EventStore& store, StripedMutex<>& breach_locks, const Clock& clock,
                  std::shared_ptr<const regulation::RegulationEngine> engine,
                  std::shared_ptr<const regulation::NotificationTemplates> templates,
                  std::function<void()> on_append, privacy::FieldCipher* cipher = nullptr);
  ~IncidentDrafter();  // Stop()

  // Drafts on a thread until Stop(): what is due at start, then whenever poked.
  void Start();
  void Stop();
  // A notice became due: draft it now rather than at the next poll.
  void Poke();

  // Drafts up to `limit` due notices, in key order, then syncs them; how many rows it handled.
  absl::StatusOr<size_t> RunDue(size_t limit);
  // Puts the rows set aside back in line (Start does it: a restart after fixing the cause, a
  // template say, drafts them; one that still fails is set aside again).
  absl::Status RetryParked();

 private:
  // Drafts one notice (or nothing, when the case has no use for it) and erases its row.
  absl::Status Draft(const DueDraft& due);
  // Sets aside a row that fails for good (kDraftParkedPrefix) and logs its error.
  absl::Status Park(const DueDraft& due, const absl::Status& error);
  void Loop();

  eventstore::EventStore& store_;
  StripedMutex<>& breach_locks_;
  const Clock& clock_;
  std::shared_ptr<const regulation::RegulationEngine> engine_;
  std::shared_ptr<const regulation::NotificationTemplates> templates_;
  std::function<void()> on_append_;
  privacy::FieldCipher* cipher_;

  WakeSignal wake_{/*poked=*/true};  // a start drafts what a stop left
  std::thread thread_;
};

// The row an event leaves for the drafter if it opens an incident's case or amends one from the
// incident; `after` is the case as the event leaves it.
std::optional<eventstore::ProjectionWrite> NoticeDueRow(const breach::v1::EventEnvelope& event,
                                                        const breach::v1::NotificationCase& after);

// Before a reaction changes the case of `breach_id`: its notices still due without a case of
// their own, rewritten with `before` (the case as their cause left it). No rows in the usual
// case, where nothing of the breach waits for the drafter; no read at all for a case that is
// not an incident's.
absl::StatusOr<std::vector<eventstore::ProjectionWrite>> PinDueNotices(
    eventstore::EventStore& store, const std::string& breach_id,
    const std::optional<breach::v1::NotificationCase>& before);

// The nice value of the drafter's thread: above the consumers' 0, so that when the cores are
// busy the clocks and entries of a fan-out go first.
inline constexpr int kDrafterNice = 10;

}  // namespace breachd::notification
