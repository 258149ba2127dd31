#include "services/register/register_knowledge.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/notification.pb.h"
#include "services/register/register_entry.h"

namespace breachd::register_ {
namespace {

using breach::v1::EventEnvelope;
using breach::v1::KnowledgeFact;
using breach::v1::KnowledgeSources;
using google::protobuf::Timestamp;

std::pair<int64_t, int32_t> Key(const Timestamp& ts) { return {ts.seconds(), ts.nanos()}; }
bool Before(const Timestamp& a, const Timestamp& b) { return Key(a) < Key(b); }

void AddFact(const EventEnvelope& event, std::string fact, const char* kind,
             KnowledgeSources& sources) {
  KnowledgeFact& added = *sources.add_facts();
  added.set_fact(std::move(fact));
  added.set_kind(kind);
  added.set_event_id(event.event_id());
  *added.mutable_recorded_at() = event.recorded_at();
  *added.mutable_author() = event.actor();
}

void AddAct(const EventEnvelope& event, std::string view, std::string fact,
            KnowledgeSources& sources) {
  KnowledgeSources::Read& read = *sources.add_reads();
  *read.mutable_principal() = event.actor();
  *read.mutable_at() = event.recorded_at();
  read.set_view(std::move(view));
  read.set_event_id(event.event_id());
  read.set_fact(std::move(fact));
}

bool Known(const EventEnvelope& event, const KnowledgeSources& sources) {
  for (const auto& fact : sources.facts()) {
    if (fact.event_id() == event.event_id()) return true;
  }
  for (const auto& read : sources.reads()) {
    if (read.event_id() == event.event_id()) return true;
  }
  for (const auto& awareness : sources.awareness()) {
    if (awareness.event_id() == event.event_id()) return true;
  }
  return false;
}

// The reads of one principal that show a class of facts, by time.
struct Reads {
  std::vector<const KnowledgeSources::Read*> report_like;  // the report and its amendments
  std::vector<const KnowledgeSources::Read*> entry_like;   // the latest assessment, what was sent
  std::vector<const KnowledgeSources::Read*> timeline;     // every assessment, what was sent
  std::map<std::string, const KnowledgeSources::Read*> exact;  // acts on one fact: the first
  std::vector<const KnowledgeSources::Read*> everything;       // exports: every fact, drafts too
};

// The first read of `reads` (by time) at or after `from` and, if set, before `until`.
const KnowledgeSources::Read* FirstIn(const std::vector<const KnowledgeSources::Read*>& reads,
                                      const Timestamp& from, const Timestamp* until) {
  auto it = std::lower_bound(reads.begin(), reads.end(), from,
                             [](const auto* read, const Timestamp& at) { return Before(read->at(), at); });
  if (it == reads.end()) return nullptr;
  if (until != nullptr && !Before((*it)->at(), *until)) return nullptr;
  return *it;
}

const KnowledgeSources::Read* Earliest(const KnowledgeSources::Read* a,
                                       const KnowledgeSources::Read* b) {
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  return Before(b->at(), a->at()) ? b : a;
}

// An act makes its actor an author of what it acted on; a read is named by its view.
std::string HowOf(const KnowledgeSources::Read& read) {
  return absl::StartsWith(read.view(), "acted-") ? "author" : read.view();
}

std::string DraftFact(breach::v1::DutyKind duty, uint32_t version) {
  return absl::StrCat("draft ", DutyWord(duty), " v", version);
}

}  // namespace

bool AddToKnowledge(const EventEnvelope& event, KnowledgeSources& sources) {
  if (Known(event, sources)) return false;
  if (sources.tenant().empty()) sources.set_tenant(event.tenant());
  const google::protobuf::Any& payload = event.payload();
  if (payload.Is<breach::v1::BreachReported>()) {
    AddFact(event, "report", "report", sources);
    return true;
  }
  if (payload.Is<breach::v1::ReportAmended>()) {
    int amendments = 0;
    for (const auto& fact : sources.facts()) amendments += fact.kind() == "amendment";
    AddFact(event, absl::StrCat("amendment ", amendments + 1), "amendment", sources);
    AddAct(event, "acted-report", "", sources);
    return true;
  }
  breach::v1::AssessmentSubmitted submitted;
  if (payload.Is<breach::v1::AssessmentSubmitted>() && payload.UnpackTo(&submitted)) {
    AddFact(event, absl::StrCat("assessment v", submitted.version()), "assessment", sources);
    return true;
  }
  breach::v1::DraftPrepared prepared;
  if (payload.Is<breach::v1::DraftPrepared>() && payload.UnpackTo(&prepared)) {
    AddFact(event, DraftFact(prepared.draft().duty(), prepared.draft().draft_version()), "draft",
            sources);
    return true;
  }
  breach::v1::DraftApproved approved;
  if (payload.Is<breach::v1::DraftApproved>() && payload.UnpackTo(&approved)) {
    AddAct(event, "acted-draft", DraftFact(approved.duty(), approved.draft_version()), sources);
    return true;
  }
  breach::v1::DispatchQueued queued;
  if (payload.Is<breach::v1::DispatchQueued>() && payload.UnpackTo(&queued)) {
    AddFact(event, absl::StrCat("sent ", DutyWord(queued.duty()), " v", queued.draft_version()),
            "sent", sources);
    return true;
  }
  breach::v1::BreachTriaged triaged;
  if (payload.Is<breach::v1::BreachTriaged>() && payload.UnpackTo(&triaged)) {
    AddAct(event, "acted-report", "", sources);
    if (triaged.has_awareness()) {
      breach::v1::AwarenessRecord& record = *sources.add_awareness();
      *record.mutable_awareness() = triaged.awareness();
      *record.mutable_recorded_at() = event.recorded_at();
      record.set_event_id(event.event_id());
    }
    return true;
  }
  if (payload.Is<breach::v1::DutiesDecided>() || payload.Is<breach::v1::DutyOverridden>()) {
    AddAct(event, "acted-entry", "", sources);
    return true;
  }
  breach::v1::BreachViewed viewed;
  if (payload.Is<breach::v1::BreachViewed>() && payload.UnpackTo(&viewed)) {
    // A draft read (notification's GetDraft) shows that one draft version.
    AddAct(event, viewed.view(),
           viewed.view() == kDraftView ? DraftFact(viewed.duty(), viewed.draft_version()) : "",
           sources);
    return true;
  }
  return false;
}

std::vector<std::string> ListedBreaches(const EventEnvelope& event) {
  breach::v1::BreachesListed listed;
  if (event.payload().Is<breach::v1::BreachesListed>() && event.payload().UnpackTo(&listed)) {
    return {listed.breach_ids().begin(), listed.breach_ids().end()};
  }
  breach::v1::RegisterExported exported;
  if (event.payload().Is<breach::v1::RegisterExported>() && event.payload().UnpackTo(&exported)) {
    return {exported.breach_ids().begin(), exported.breach_ids().end()};
  }
  return {};
}

KnowledgeSources::Read ListingRead(const EventEnvelope& event) {
  KnowledgeSources::Read read;
  *read.mutable_principal() = event.actor();
  *read.mutable_at() = event.recorded_at();
  read.set_view(event.payload().Is<breach::v1::RegisterExported>() ? "export" : "list");
  read.set_event_id(event.event_id());
  return read;
}

breach::v1::Knowledge FoldKnowledge(const std::string& breach_id,
                                    const KnowledgeSources& sources) {
  breach::v1::Knowledge knowledge;
  knowledge.set_breach_id(breach_id);
  knowledge.set_tenant(sources.tenant());
  *knowledge.mutable_facts() = sources.facts();
  std::stable_sort(knowledge.mutable_facts()->begin(), knowledge.mutable_facts()->end(),
                   [](const auto& a, const auto& b) { return Before(a.recorded_at(), b.recorded_at()); });
  *knowledge.mutable_awareness() = sources.awareness();
  std::stable_sort(knowledge.mutable_awareness()->begin(), knowledge.mutable_awareness()->end(),
                   [](const auto& a, const auto& b) { return Before(a.recorded_at(), b.recorded_at()); });
  if (knowledge.awareness_size() > 0) {
    knowledge.mutable_awareness()->rbegin()->set_in_force(true);
  }

  // Every principal: those who read, acted or authored.
  std::map<std::string, breach::v1::Actor> principals;
  std::map<std::string, Reads> reads;
  for (const auto& fact : knowledge.facts()) principals.emplace(fact.author().subject(), fact.author());
  std::vector<const KnowledgeSources::Read*> by_time;
  for (const auto& read : sources.reads()) by_time.push_back(&read);
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const auto* a, const auto* b) { return Before(a->at(), b->at()); });
  for (const KnowledgeSources::Read* read : by_time) {
    const std::string& view = read->view();
    knowledge.set_reads(knowledge.reads() + (absl::StartsWith(view, "acted-") ? 0 : 1));
    if (view != "list" && view != "report" && view != "register-entry" && view != "timeline" &&
        view != "export" && view != kDraftView && !absl::StartsWith(view, "acted-")) {
      continue;  // "knowledge", or a view this register does not know: shows no fact
    }
    principals.emplace(read->principal().subject(), read->principal());
    Reads& mine = reads[read->principal().subject()];
    if (!read->fact().empty()) {
      mine.exact.emplace(read->fact(), read);
      continue;
    }
    if (view == "report" || view == "register-entry" || view == "list" || view == "acted-report") {
      mine.report_like.push_back(read);
    }
    if (view == "register-entry" || view == "list" || view == "acted-entry") {
      mine.entry_like.push_back(read);
    }
    if (view == "timeline") mine.timeline.push_back(read);
    if (view == "export") mine.everything.push_back(read);
  }

  // The next assessment version's time: an entry shows only the latest version.
  std::vector<const Timestamp*> next_assessment(knowledge.facts_size(), nullptr);
  const Timestamp* later = nullptr;
  for (int i = knowledge.facts_size() - 1; i >= 0; --i) {
    if (knowledge.facts(i).kind() != "assessment") continue;
    next_assessment[i] = later;
    later = &knowledge.facts(i).recorded_at();
  }

  for (const auto& [subject, actor] : principals) {
    breach::v1::PrincipalKnowledge& known = *knowledge.add_principals();
    *known.mutable_principal() = actor;
    const Reads& mine = reads[subject];
    for (int i = 0; i < knowledge.facts_size(); ++i) {
      const KnowledgeFact& fact = knowledge.facts(i);
      const Timestamp& t = fact.recorded_at();
      const KnowledgeSources::Read* read = nullptr;
      if (fact.kind() == "report" || fact.kind() == "amendment") {
        read = FirstIn(mine.report_like, t, nullptr);
      } else if (fact.kind() == "assessment") {
        read = Earliest(FirstIn(mine.entry_like, t, next_assessment[i]),
                        FirstIn(mine.timeline, t, nullptr));
      } else if (fact.kind() == "sent") {
        read = Earliest(FirstIn(mine.entry_like, t, nullptr), FirstIn(mine.timeline, t, nullptr));
      }
      read = Earliest(read, FirstIn(mine.everything, t, nullptr));
      if (auto exact = mine.exact.find(fact.fact());
          exact != mine.exact.end() && !Before(exact->second->at(), t)) {
        read = Earliest(read, exact->second);
      }
      const bool authored = fact.author().subject() == subject;
      if (!authored && read == nullptr) continue;
      breach::v1::FirstSeen& seen = *known.add_seen();
      seen.set_fact(fact.fact());
      if (authored && (read == nullptr || !Before(read->at(), t))) {
        *seen.mutable_at() = t;
        seen.set_how("author");
        seen.set_event_id(fact.event_id());
      } else {
        *seen.mutable_at() = read->at();
        seen.set_how(HowOf(*read));
        seen.set_event_id(read->event_id());
      }
    }
  }
  return knowledge;
}

}  // namespace breachd::register_
