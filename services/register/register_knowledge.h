// Who knew what, and when: the register's knowledge projection. Pure: no store, no gRPC.
//
// A breach's facts are its report, each amendment, each assessment version, each draft and
// each message sent. A principal saw a fact when they made it (its author), when they acted on
// it (triaged or amended the report, decided or overrode the duties of a version, approved a
// draft), or at the first read recorded after it that shows it:
//
//   view (BreachViewed.view, or a page of ListBreaches)  shows
//   report (GetReport)                                   the report, the amendments
//   register-entry (GetBreach), list (ListBreaches)      the report, the amendments, the latest
//                                                        assessment version, what was sent
//   timeline (GetTimeline)                               every assessment version, what was sent
//   export (ExportRegister)                              every fact (events included)
//   knowledge (GetKnowledge)                             nothing (who saw what, not the facts)
//   draft (notification's GetDraft)                      the draft version it showed
//
// The projection keeps, per breach, the facts and reads in one row (KnowledgeSources), the
// readers sealed as in their events (each with its month's key); GetKnowledge opens them and
// folds the answer (nothing folded is stored: folded from sealed readers it would group them
// by ciphertext). The fold sorts by recorded_at: the answer does not depend on the order the
// events arrived in.
#pragma once

#include <string>
#include <vector>

#include "breach/v1/envelope.pb.h"
#include "breach/v1/register.pb.h"

namespace breachd::register_ {

// BreachViewed.view of a draft read (notification's GetDraft); the read names its draft.
inline constexpr char kDraftView[] = "draft";

// Adds what `event` (of the breach, any source) says about who knew what to `sources`: a fact,
// a read, an act, an awareness moment. False if it says nothing, or was added before.
bool AddToKnowledge(const breach::v1::EventEnvelope& event, breach::v1::KnowledgeSources& sources);

// The breaches a page of ListBreaches or an export (BreachesListed, RegisterExported on an
// audit stream) showed, and the read ("list", "export") it is for each of them.
std::vector<std::string> ListedBreaches(const breach::v1::EventEnvelope& event);
breach::v1::KnowledgeSources::Read ListingRead(const breach::v1::EventEnvelope& event);

// The answer of GetKnowledge for the breach.
breach::v1::Knowledge FoldKnowledge(const std::string& breach_id,
                                    const breach::v1::KnowledgeSources& sources);

}  // namespace breachd::register_
