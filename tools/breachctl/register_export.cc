#include "tools/breachctl/register_export.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "breach/v1/register.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/common/files.h"
#include "libs/eventstore/event_hash.h"
#include "libs/eventstore/event_store.h"
#include "libs/privacy/field_cipher.h"
#include "services/register/register_entry.h"
#include "tools/breachctl/output.h"
#include "tools/breachctl/register_pdf.h"

namespace breachd::breachctl {
namespace {

using breach::v1::ExportedBreach;
using breach::v1::RegisterEntry;

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

template <typename Enum>
std::string Word(const std::string& name, size_t prefix) {
  std::string word = name.size() > prefix ? name.substr(prefix) : "";
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

std::string Channels(const breach::v1::Communication& column) {
  std::vector<std::string> names;
  for (int channel : column.channels()) {
    names.push_back(Word<breach::v1::Channel>(
        breach::v1::Channel_Name(static_cast<breach::v1::Channel>(channel)), sizeof("CHANNEL_") - 1));
  }
  return absl::StrJoin(names, ";");
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

std::string Time(const google::protobuf::Timestamp& ts) {
  return ts.seconds() == 0 && ts.nanos() == 0 ? "" : FormatTimestamp(ts);
}

// The documented columns (docs/register.md, "CSV"), in order, with their values.
std::vector<std::pair<const char*, std::string>> Columns(const RegisterEntry& e) {
  std::vector<std::string> categories, measures, reasons;
  for (int category : e.data_subject_categories()) {
    categories.push_back(Word<breach::v1::DataSubjectCategory>(
        breach::v1::DataSubjectCategory_Name(category), sizeof("DATA_SUBJECT_CATEGORY_") - 1));
  }
  for (const auto& measure : e.measures()) {
    measures.push_back(absl::StrCat(
        measure.what(), " [",
        Word<breach::v1::ActionStatus>(breach::v1::ActionStatus_Name(measure.status()),
                                       sizeof("ACTION_STATUS_") - 1),
        measure.done_at().seconds() != 0 ? " " + Time(measure.done_at()) : "", "]"));
  }
  for (const auto& reason : e.classification_reasons()) reasons.push_back(reason.it());
  return {
      {"breach_id", e.breach_id()},
      {"tenant", e.tenant()},
      {"status", Word<breach::v1::BreachStatus>(breach::v1::BreachStatus_Name(e.status()),
                                                sizeof("BREACH_STATUS_") - 1)},
      {"year", absl::StrCat(e.year())},
      {"discovered_at", Time(e.discovered_at())},
      {"incident_at", Time(e.incident_at())},
      {"reported_at", Time(e.reported_at())},
      {"reported_by", e.reported_by().subject()},
      {"reporter_role", Word<breach::v1::ReporterRole>(
                            breach::v1::ReporterRole_Name(e.reporter_role()), sizeof("REPORTER_ROLE_") - 1)},
      {"department_head", e.department_head()},
      {"place", e.place()},
      {"device_lost", YesNo(e.device_lost())},
      {"databases", absl::StrJoin(e.databases(), ";")},
      {"description", e.description()},
      {"data_subject_categories", absl::StrJoin(categories, ";")},
      {"approx_data_subjects", absl::StrCat(e.approx_data_subjects())},
      {"actions_taken", e.actions_taken()},
      {"verdict", Word<breach::v1::TriageVerdict>(breach::v1::TriageVerdict_Name(e.verdict()),
                                                  sizeof("TRIAGE_VERDICT_") - 1)},
      {"verdict_reason", e.verdict_reason()},
      {"aware_at", Time(e.aware_at())},
      {"awareness_evidence", e.awareness_evidence()},
      {"aware_decided_by", e.aware_decided_by().subject()},
      {"amendments", absl::StrCat(e.amendments())},
      {"measures", absl::StrJoin(measures, "; ")},
      {"assessment_version", absl::StrCat(e.assessment_version())},
      {"severity_score", e.assessment_version() == 0 ? "" : absl::StrCat(e.severity_score())},
      {"severity_band", Word<breach::v1::SeverityBand>(
                            breach::v1::SeverityBand_Name(e.severity_band()), sizeof("SEVERITY_BAND_") - 1)},
      {"classification", e.classification() == 0 ? "" : absl::StrCat(e.classification())},
      {"classification_reasons", absl::StrJoin(reasons, "; ")},
      {"classification_regime", e.classification_regime()},
      {"regimes", absl::StrJoin(e.regimes(), ";")},
      {"authority_required", YesNo(e.authority().required())},
      {"notified_authority", YesNo(e.authority().done())},
      {"notified_authority_at", Time(e.authority().at())},
      {"authority_protocol", e.authority().protocol_number()},
      {"authority_phase", Word<breach::v1::NotificationPhase>(
                              breach::v1::NotificationPhase_Name(e.authority().phase()),
                              sizeof("NOTIFICATION_PHASE_") - 1)},
      {"authority_channels", Channels(e.authority())},
      {"subjects_required", YesNo(e.data_subjects().required())},
      {"communicated_subjects", YesNo(e.data_subjects().done())},
      {"communicated_subjects_at", Time(e.data_subjects().at())},
      {"subjects_channels", Channels(e.data_subjects())},
      {"communicated_others", YesNo(e.others().done())},
      {"communicated_others_at", Time(e.others().at())},
      {"others_details", e.others().details()},
      {"next_due_at", Time(e.next_due_at())},
      {"overdue", YesNo(e.overdue())},
      {"events", absl::StrCat(e.events())},
      {"updated_at", Time(e.updated_at())},
  };
}

// `folded` from the events, `exported` as handed out. The events carry personal fields sealed
// (docs/security.md) and the export opened: without the key those compare as present or absent.
bool SameEntry(RegisterEntry folded, RegisterEntry exported) {
  folded.clear_overdue();  // computed at the export's moment, not folded
  exported.clear_overdue();
  if (google::protobuf::util::MessageDifferencer::Equals(folded, exported)) return true;
  if (!privacy::MaskPersonalData(folded)) return false;
  privacy::MaskPersonalData(exported);
  return google::protobuf::util::MessageDifferencer::Equals(folded, exported);
}

}  // namespace

std::string ExportCsv(const breach::v1::RegisterExport& exported) {
  std::string csv;
  std::vector<std::string> header;
  for (const auto& [name, value] : Columns(RegisterEntry())) header.push_back(name);
  absl::StrAppend(&csv, absl::StrJoin(header, ","), "\r\n");
  for (const auto& breach : exported.breaches()) {
    std::vector<std::string> row;
    for (const auto& [name, value] : Columns(breach.entry())) row.push_back(CsvField(value));
    absl::StrAppend(&csv, absl::StrJoin(row, ","), "\r\n");
  }
  return csv;
}

std::vector<std::string> CheckExportedBreach(const ExportedBreach& breach,
                                             const absl::TimeZone& zone) {
  std::vector<std::string> problems;
  std::map<std::string, std::map<uint64_t, const breach::v1::EventEnvelope*>> streams;
  // The events as stored: their bytes are what the hashes are over.
  std::vector<breach::v1::EventEnvelope> events(breach.raw_events_size());
  if (breach.raw_events_size() != breach.events_size()) {
    problems.push_back("events and raw_events differ in number");
  }
  for (int i = 0; i < breach.raw_events_size(); ++i) {
    if (!events[i].ParseFromString(breach.raw_events(i))) {
      problems.push_back(absl::StrCat("raw event ", i + 1, " is unreadable"));
    } else if (i < breach.events_size() &&
               !google::protobuf::util::MessageDifferencer::Equals(events[i], breach.events(i))) {
      problems.push_back(absl::StrCat("event ", events[i].event_id(),
                                      " reads otherwise than its stored bytes"));
    }
  }
  for (const auto& event : events) {
    if (eventstore::ComputeEventHash(event) != event.hash()) {
      problems.push_back(absl::StrCat("event ", event.event_id(), " (", event.source(), " v",
                                      event.stream_version(), "): hash mismatch"));
    }
    streams[event.source()][event.stream_version()] = &event;
  }
  for (const auto& head : breach.heads()) {
    auto& stream = streams[head.source()];
    const std::vector<uint64_t> missing(head.missing_versions().begin(),
                                        head.missing_versions().end());
    const breach::v1::EventEnvelope* previous = nullptr;
    for (uint64_t version = 1; version <= head.version(); ++version) {
      auto it = stream.find(version);
      const bool absent = it == stream.end();
      const bool declared = std::find(missing.begin(), missing.end(), version) != missing.end();
      if (absent != declared) {
        problems.push_back(absl::StrCat(head.source(), " v", version,
                                        absent ? ": missing from the export" : ": not expected"));
      }
      if (absent) {
        previous = nullptr;
        continue;
      }
      if (previous != nullptr && it->second->prev_hash() != previous->hash()) {
        problems.push_back(absl::StrCat(head.source(), " v", version,
                                        ": prev_hash is not the hash of v", version - 1));
      }
      if (version == 1 && it->second->prev_hash() != eventstore::GenesisHash()) {
        problems.push_back(absl::StrCat(head.source(), " v1: prev_hash is not the genesis"));
      }
      previous = it->second;
    }
    if (stream.size() + missing.size() != head.version() ||
        (stream.count(head.version()) > 0 && stream[head.version()]->hash() != head.hash())) {
      problems.push_back(absl::StrCat(head.source(), ": the head v", head.version(),
                                      " does not match the exported events"));
    }
  }
  if (static_cast<size_t>(breach.heads_size()) != streams.size()) {
    problems.push_back("a stream of the exported events has no head");
  }
  const std::optional<RegisterEntry> folded = register_::FoldEntry(events, zone);
  if (!folded.has_value() || !SameEntry(*folded, breach.entry())) {
    problems.push_back("the entry is not what its events fold to");
  }
  return problems;
}

int VerifyExport(const std::string& file, CommandIo& io) {
  std::ifstream in(file);
  if (!in) {
    io.err << "breachctl: cannot read " << file << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  breach::v1::RegisterExport exported;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &exported);
      !parsed.ok()) {
    io.err << "breachctl: " << file << " is not a register export (JSON): "
           << parsed.message().as_string() << "\n";
    return 1;
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Rome", &zone)) {
    io.err << "breachctl: time zone Europe/Rome not found (install the tzdata package)\n";
    return 1;
  }
  bool ok = exported.header().breaches() == static_cast<uint64_t>(exported.breaches_size());
  Table table({"BREACH", "EVENTS", "STREAMS", "OK", "PROBLEM"});
  for (const auto& breach : exported.breaches()) {
    const std::vector<std::string> problems = CheckExportedBreach(breach, zone);
    ok &= problems.empty();
    table.AddRow({breach.entry().breach_id(), absl::StrCat(breach.events_size()),
                  absl::StrCat(breach.heads_size()), problems.empty() ? "yes" : "NO",
                  absl::StrJoin(problems, "; ")});
  }
  table.Print(io.out);
  io.out << exported.breaches_size() << " breach(es) of " << exported.header().breaches()
         << " announced, exported " << FormatTimestamp(exported.header().exported_at()) << " by "
         << exported.header().exported_by().subject() << "\n";
  if (!ok) {
    io.err << "breachctl: verification failed: the export does not match its hashes\n";
    return 3;
  }
  return 0;
}

int FetchRegisterExport(CommandIo& io, const breach::v1::ExportRegisterRequest& request,
                        breach::v1::RegisterExport& exported) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = io.connection.ChannelFor("register");
  if (!channel.ok()) {
    io.err << "breachctl: " << channel.status().message() << "\n";
    return 1;
  }
  auto stub = breach::v1::RegisterService::NewStub(*channel);
  auto context = io.connection.NewContext();
  auto reader = stub->ExportRegister(context.get(), request);
  breach::v1::ExportChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.has_header()) {
      *exported.mutable_header() = chunk.header();
    } else {
      *exported.add_breaches() = std::move(*chunk.mutable_breach());
    }
    const uint64_t total = exported.header().breaches();
    if (io.err_is_terminal && total > 0) {
      const int done = exported.breaches_size();
      const int width = 30;
      const int filled = static_cast<int>(width * done / total);
      io.err << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
             << done << "/" << total << std::flush;
    }
  }
  if (io.err_is_terminal && exported.header().breaches() > 0) io.err << "\n";
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return FailCall(io, status);
  return 0;
}

int RegisterExport(const CommandLine& line, CommandIo& io) {
  breach::v1::ExportRegisterRequest request;
  request.set_tenant(line.FlagOr("tenant", ""));
  request.set_format(line.FlagOr("format", ""));
  if (request.format().empty()) return UsageError(io, "missing --format csv|json|pdf");
  const std::optional<std::string> file = line.Flag("output");
  if (!file || file->empty()) return UsageError(io, "missing -o FILE");
  if (auto year = line.Flag("year")) {
    int number = 0;
    if (!absl::SimpleAtoi(*year, &number)) return UsageError(io, "--year must be a number");
    request.set_year(number);
  }
  breach::v1::RegisterExport exported;
  if (int failed = FetchRegisterExport(io, request, exported); failed != 0) return failed;

  std::string contents;
  if (request.format() == "json") {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    if (!google::protobuf::util::MessageToJsonString(exported, &contents, options).ok()) {
      io.err << "breachctl: the export could not be written as JSON\n";
      return 1;
    }
  } else if (request.format() == "csv") {
    contents = ExportCsv(exported);
  } else {
    absl::StatusOr<std::string> pdf = RegisterPdf(exported);
    if (!pdf.ok()) {
      io.err << "breachctl: " << pdf.status().message() << "\n";
      return 1;
    }
    contents = *std::move(pdf);
  }
  if (absl::Status written = WriteFileAtomically(*file, contents, 0600); !written.ok()) {
    io.err << "breachctl: " << written.message() << "\n";
    return 1;
  }
  io.out << "wrote " << *file << ": " << exported.breaches_size() << " breach(es), "
         << request.format() << ", exported " << FormatTimestamp(exported.header().exported_at())
         << " (recorded as " << exported.header().export_event_id() << ")\n";
  return 0;
}

}  // namespace breachd::breachctl
