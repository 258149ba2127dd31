#include "services/notification/incident_drafter.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/bus/consumer_loop.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/service/event_factory.h"
#include "services/notification/notification_decisions.h"
#include "services/notification/stream_change.h"

namespace breachd::notification {
namespace {

// Notices drafted per pass before the pass's one sync: a pass over 10,000 due rows is 40 syncs.
constexpr size_t kDraftsPerPass = 256;
// A row left by a reaction whose poke was missed is drafted within this.
constexpr absl::Duration kPollInterval = absl::Seconds(1);

}  // namespace

std::optional<eventstore::ProjectionWrite> NoticeDueRow(const breach::v1::EventEnvelope& event,
                                                        const breach::v1::NotificationCase& after) {
  const bool opens = OpensIncidentCase(event);
  if (!opens && !AmendsIncidentCase(event)) return std::nullopt;
  breach::v1::NoticeDue notice;
  notice.set_breach_id(after.breach_id());
  notice.set_cause_event_id(event.event_id());
  notice.set_opening(opens);
  // The opening is the case's first row; each amendment adds one to the case's amendments.
  const int seq = opens ? 0 : after.report().amendments_size();
  return eventstore::ProjectionWrite{DraftDueKey(after.breach_id(), seq),
                                     notice.SerializeAsString()};
}

absl::StatusOr<std::vector<eventstore::ProjectionWrite>> PinDueNotices(
    eventstore::EventStore& store, const std::string& breach_id,
    const std::optional<breach::v1::NotificationCase>& before) {
  std::vector<eventstore::ProjectionWrite> pinned;
  // Only an incident's case has a notice from the processor: a school's own breach (nearly every
  // reaction outside a fan-out) costs no read here.
  if (!before.has_value() || before->incident_id().empty()) return pinned;
  absl::Status parse_error;
  RETURN_IF_ERROR(store.ScanProjection(
      absl::StrCat(kDraftDuePrefix, breach_id, "/"), "",
      [&](const std::string& key, const std::string& value) {
        breach::v1::NoticeDue notice;
        if (!notice.ParseFromString(value)) {
          parse_error = absl::DataLossError(absl::StrCat("stored row ", key, " is unreadable"));
          return false;
        }
        if (notice.has_case_at_cause()) return true;
        *notice.mutable_case_at_cause() = *before;
        pinned.push_back({key, notice.SerializeAsString()});
        return true;
      }));
  RETURN_IF_ERROR(parse_error);
  return pinned;
}

IncidentDrafter::IncidentDrafter(eventstore::EventStore& store, StripedMutex<>& breach_locks,
                                 const Clock& clock,
                                 std::shared_ptr<const regulation::RegulationEngine> engine,
                                 std::shared_ptr<const regulation::NotificationTemplates> templates,
                                 std::function<void()> on_append, privacy::FieldCipher* cipher)
    : store_(store),
      breach_locks_(breach_locks),
      clock_(clock),
      engine_(std::move(engine)),
      templates_(std::move(templates)),
      on_append_(std::move(on_append)),
      cipher_(cipher) {}

IncidentDrafter::~IncidentDrafter() { Stop(); }

void IncidentDrafter::Start() {
  wake_.Restart(/*poked=*/true);
  thread_ = std::thread([this] { Loop(); });
}

void IncidentDrafter::Stop() {
  wake_.Stop();
  if (thread_.joinable()) thread_.join();
}

void IncidentDrafter::Poke() { wake_.Poke(); }

void IncidentDrafter::Loop() {
  pthread_setname_np(pthread_self(), "drafter");  // as top -H and perf show it
  // Linux gives each thread its own nice value; this one yields to the consumers.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kDrafterNice) != 0) {
    log::Warn("notification: the drafter runs at the consumers' priority",
              {{"error", std::strerror(errno)}});
  }
  if (absl::Status retried = RetryParked(); !retried.ok()) {
    log::Error("notification: cannot put the notices set aside back in line",
               {{"error", retried.ToString()}});
  }
  while (wake_.WaitForWork(kPollInterval)) {
    // Pass after pass while a whole pass was due: a fan-out leaves thousands of rows.
    absl::StatusOr<size_t> drafted;
    do {
      drafted = RunDue(kDraftsPerPass);
      if (!drafted.ok()) {
        log::Error("notification: drafting pass failed; retrying",
                   {{"error", drafted.status().ToString()}});
      }
    } while (drafted.ok() && *drafted == kDraftsPerPass && !wake_.stopped());
  }
}

absl::StatusOr<size_t> IncidentDrafter::RunDue(size_t limit) {
  ASSIGN_OR_RETURN(std::vector<DueDraft> due, DueDrafts(store_, limit));
  if (due.empty()) return 0;
  for (const DueDraft& draft : due) {
    const absl::Status drafted =
        draft.readable ? Draft(draft)
                       : absl::DataLossError(absl::StrCat("stored row ", draft.key,
                                                          " is unreadable"));
    if (drafted.ok()) continue;
    // A store that is down passes: the next pass starts again from this row. Anything else
    // would fail every time: the row is set aside so that the others are drafted.
    if (bus::IsRetryable(drafted)) return drafted;
    RETURN_IF_ERROR(Park(draft, drafted));
  }
  RETURN_IF_ERROR(store_.WriteProjection({}, /*sync=*/true));
  return due.size();
}

absl::Status IncidentDrafter::Park(const DueDraft& due, const absl::Status& error) {
  log::Error("notification: a notice cannot be drafted; set aside, the others go on",
             {{"row", due.key}, {"breach_id", due.notice.breach_id()},
              {"error", error.ToString()}});
  return store_.WriteProjection(
      {{due.key, "", /*erase=*/true}, {DraftParkedKey(due.key), due.value}}, /*sync=*/false);
}

absl::Status IncidentDrafter::RetryParked() {
  std::vector<eventstore::ProjectionWrite> moves;
  RETURN_IF_ERROR(store_.ScanProjection(
      kDraftParkedPrefix, "", [&](const std::string& key, const std::string& value) {
        moves.push_back({key, "", /*erase=*/true});
        moves.push_back({DraftDueKeyOfParked(key), value});
        return true;
      }));
  if (moves.empty()) return absl::OkStatus();
  log::Info("notification: trying the notices set aside again",
            {{"notices", absl::StrCat(moves.size() / 2)}});
  return store_.WriteProjection(moves, /*sync=*/true);
}

absl::Status IncidentDrafter::Draft(const DueDraft& due) {
  absl::MutexLock lock(&breach_locks_.For(CaseKey(due.notice.breach_id())));
  // The row as it is now, under the breach's lock: a reaction may have pinned it to the case
  // as it was (PinDueNotices) between the scan and this lock.
  ASSIGN_OR_RETURN(std::optional<std::string> current, store_.GetProjection(due.key));
  if (!current.has_value()) return absl::OkStatus();
  breach::v1::NoticeDue notice;
  if (!notice.ParseFromString(*current)) {
    return absl::DataLossError(absl::StrCat("stored row ", due.key, " is unreadable"));
  }
  const eventstore::ProjectionWrite done{due.key, "", /*erase=*/true};
  std::optional<breach::v1::NotificationCase> at_cause;
  if (notice.has_case_at_cause()) {
    at_cause = notice.case_at_cause();
  } else {
    ASSIGN_OR_RETURN(at_cause, FindCase(store_, notice.breach_id()));  // as its cause left it
  }
  ASSIGN_OR_RETURN(std::optional<breach::v1::Draft> latest,
                   FindDraft(store_, notice.breach_id(),
                             breach::v1::DUTY_KIND_CONTROLLER_NOTICE, 0));
  // An opening drafts the first version once (an opening seen again finds it); an amendment a
  // new version of it; a case with no notice from its opening gets none.
  if (!at_cause.has_value() || notice.opening() == latest.has_value()) {
    return store_.WriteProjection({done}, /*sync=*/false);
  }
  ASSIGN_OR_RETURN(std::optional<breach::v1::SchoolProfile> school,
                   FindSchool(store_, at_cause->tenant(), cipher_));
  DraftOrder order;
  order.duty = breach::v1::DUTY_KIND_CONTROLLER_NOTICE;
  const auth::Principal system = SystemPrincipal();
  order.prepared_by = service::ActorOf(system);
  order.now = clock_.Now();
  ASSIGN_OR_RETURN(breach::v1::Draft draft,
                   ComposeDraft(Opened(*at_cause, cipher_), school, latest, order, *templates_,
                                engine_->zone()));
  StreamChange change{at_cause->breach_id(), at_cause->tenant(), {}, {done}};
  RETURN_IF_ERROR(AddDraft(std::move(draft), change, cipher_));
  eventstore::AppendRequest append = ToAppend(change, system, notice.cause_event_id(), order.now);
  append.sync = false;  // RunDue syncs the pass
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  return absl::OkStatus();
}

}  // namespace breachd::notification
