// The register's export, offline: the CSV's columns and quoting, the PDF, and verify --export
// finding every kind of tampering (an entry's column, an event's payload, a dropped event).
#include "tools/breachctl/register_export.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/eventstore/event_store.h"
#include "services/register/register_entry.h"
#include "services/register/register_projection.h"
#include "services/register/tests/breach_events.h"
#include "tools/breachctl/register_pdf.h"

namespace breachd::breachctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kBreach[] = "01JQ0000000000000000000000";

using register_::testing::Rome;

// One breach as an export carries it: intake's and assessment's events appended to a real store
// (so they have real hashes), a read in between (a version the export leaves out), the entry
// folded from them and the heads.
class RegisterExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(auto store, eventstore::EventStore::Open(scratch_.path()));
    register_::testing::SourceEvents intake("intake", kBreach), assessment("assessment", kBreach);
    breach::v1::BreachReported reported = register_::testing::Reported();
    reported.mutable_report()->set_place("Aula 3, \"laboratorio\", piano 1");
    intake.Add(0, reported).Add(1, breach::v1::BreachViewed()).Add(2, register_::testing::TriagedBreach());
    register_::testing::AddReportToDecision(intake, assessment);  // more of each
    std::vector<breach::v1::EventEnvelope> stored;
    for (const auto* source : {&intake.events(), &assessment.events()}) {
      for (const auto& event : *source) {
        if (event.payload().Is<breach::v1::BreachReported>() && event.stream_version() > 1) continue;
        eventstore::AppendRequest append;
        append.stream_id = kBreach;
        append.events.push_back(event);
        append.events.back().set_source("intake");  // one store, one chain: one source
        append.publish = false;
        ASSERT_OK_AND_ASSIGN(auto appended, store->Append(std::move(append)));
        // The store keeps one chain per stream; the register's sources are one stream each.
        breach::v1::EventEnvelope copy = appended.events.front();
        if (copy.payload().Is<breach::v1::BreachViewed>()) continue;  // not folded, not exported
        stored.push_back(copy);
      }
    }
    auto entry = register_::FoldEntry(stored, Rome());
    ASSERT_TRUE(entry.has_value());
    breach::v1::ExportedBreach& breach = *export_.add_breaches();
    *breach.mutable_entry() = *entry;
    for (const auto& event : stored) {
      *breach.add_events() = event;
      breach.add_raw_events(event.SerializeAsString());
    }
    for (const auto& head : register_::StreamHeads(stored)) *breach.add_heads() = head;
    export_.mutable_header()->set_breaches(1);
  }

  ::breachd::testing::ScratchDir scratch_{"register-export"};
  breach::v1::RegisterExport export_;
};

TEST_F(RegisterExportTest, AnUntouchedExportHolds) {
  const auto& breach = export_.breaches(0);
  EXPECT_THAT(breach.heads(0).missing_versions(), ElementsAre(2u));  // the read
  EXPECT_THAT(CheckExportedBreach(breach, Rome()), IsEmpty());
}

TEST_F(RegisterExportTest, AnEditedColumnIsFound) {
  export_.mutable_breaches(0)->mutable_entry()->set_classification(1);
  EXPECT_THAT(CheckExportedBreach(export_.breaches(0), Rome()),
              ElementsAre("the entry is not what its events fold to"));
}

TEST_F(RegisterExportTest, AnEditedEventIsFound) {
  breach::v1::BreachReported reported;
  breach::v1::EventEnvelope event = export_.breaches(0).events(0);
  ASSERT_TRUE(event.payload().UnpackTo(&reported));
  reported.mutable_report()->set_approx_data_subjects(2);
  event.mutable_payload()->PackFrom(reported);
  // Edited where a reader looks (the JSON), and where the hash is (the stored bytes).
  breach::v1::RegisterExport edited = export_;
  *edited.mutable_breaches(0)->mutable_events(0) = event;
  EXPECT_THAT(CheckExportedBreach(edited.breaches(0), Rome()),
              ::testing::Contains(HasSubstr("reads otherwise than its stored bytes")));
  edited.mutable_breaches(0)->set_raw_events(0, event.SerializeAsString());
  EXPECT_THAT(CheckExportedBreach(edited.breaches(0), Rome()),
              ::testing::Contains(HasSubstr("hash mismatch")));
}

// Through JSON, as an inspector gets the file.
TEST_F(RegisterExportTest, AnExportHoldsThroughItsJson) {
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(export_, &json).ok());
  breach::v1::RegisterExport read;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &read).ok());
  EXPECT_THAT(CheckExportedBreach(read.breaches(0), Rome()), IsEmpty());
}

TEST_F(RegisterExportTest, ADroppedEventIsFound) {
  auto* events = export_.mutable_breaches(0)->mutable_events();
  events->erase(events->begin() + 2);
  auto* raw = export_.mutable_breaches(0)->mutable_raw_events();
  raw->erase(raw->begin() + 2);
  EXPECT_THAT(CheckExportedBreach(export_.breaches(0), Rome()),
              ::testing::Contains(HasSubstr("missing from the export")));
}

TEST_F(RegisterExportTest, CsvHasTheDocumentedColumnsAndQuotes) {
  const std::string csv = ExportCsv(export_);
  const std::vector<std::string> lines = absl::StrSplit(csv, "\r\n", absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], ::testing::StartsWith("breach_id,tenant,status,year,discovered_at,"));
  EXPECT_THAT(lines[0], HasSubstr(",notified_authority,notified_authority_at,authority_protocol,"));
  EXPECT_THAT(lines[0], ::testing::EndsWith(",overdue,events,updated_at"));
  EXPECT_THAT(lines[1], HasSubstr("\"Aula 3, \"\"laboratorio\"\", piano 1\""));
}

TEST_F(RegisterExportTest, PdfIsAPdf) {
  ASSERT_OK_AND_ASSIGN(std::string pdf, RegisterPdf(export_));
  EXPECT_TRUE(absl::StartsWith(pdf, "%PDF-"));
  EXPECT_GT(pdf.size(), 2000u);
  // The table, then one page for the breach.
  int pages = 0;
  for (size_t at = pdf.find("/Type /Page"); at != std::string::npos;
       at = pdf.find("/Type /Page", at + 1)) {
    pages += pdf.compare(at, 12, "/Type /Pages") != 0;
  }
  EXPECT_EQ(pages, 2);
}

}  // namespace
}  // namespace breachd::breachctl
