#include "tools/breachctl/commands.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "breach/v1/admin.grpc.pb.h"
#include "breach/v1/assessment_service.grpc.pb.h"
#include "breach/v1/directory.grpc.pb.h"
#include "breach/v1/incident.grpc.pb.h"
#include "libs/grpcutil/status.h"
#include "breach/v1/intake.grpc.pb.h"
#include "breach/v1/notification.grpc.pb.h"
#include "breach/v1/register.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/common/files.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/eventstore/store_backup.h"
#include "libs/regulation/result_table.h"
#include "tools/breachctl/assess_preview.h"
#include "tools/breachctl/register_export.h"
#include "tools/breachctl/register_instances.h"

namespace breachd::breachctl {
namespace {

using google::protobuf::Message;

// What to check when the TLS handshake failed, "" otherwise.
std::string TlsHint(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return "";
  const std::string& message = status.error_message();
  if (absl::StrContains(message, "certificate verify failed")) {
    return " (is --cacert / $BREACHCTL_CACERT the CA of breachd's certificate? development: "
           "var/breachd/tls/ca.pem)";
  }
  if (absl::StrContains(message, "wrong version number")) {
    return " (breachd may be plaintext: --insecure / $BREACHCTL_INSECURE=1)";
  }
  return "";
}

// "breachctl: NOT_FOUND: no breach 01J..." and exit code 1.
int Fail(CommandIo& io, const grpc::Status& status) {
  static const char* const kCodes[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int code = status.error_code();
  io.err << "breachctl: " << (code >= 0 && code <= 16 ? kCodes[code] : "ERROR") << ": "
         << OneLine(status.error_message()) << TlsHint(status) << "\n";
  return 1;
}

// Calls `method` on the service's endpoint with the deadline and the token set.
template <typename Service, typename Request, typename Response>
grpc::Status Call(CommandIo& io, const char* service,
                  grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&,
                                                         Response*),
                  const Request& request, Response* response) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = io.connection.ChannelFor(service);
  if (!channel.ok()) return grpcutil::ToGrpcStatus(channel.status());
  auto stub = Service::NewStub(*channel);
  return ((*stub).*method)(io.connection.NewContext().get(), request, response);
}

// Prints `message` as JSON, or through `table` for -o table.
template <typename PrintTable>
int Print(CommandIo& io, const Message& message, PrintTable table) {
  if (io.format == OutputFormat::kJson) {
    io.out << ToJson(message);
  } else {
    table();
  }
  return 0;
}

std::string CategoryNames(const google::protobuf::RepeatedField<int>& categories) {
  std::vector<std::string> names;
  for (int category : categories) {
    std::string name = breach::v1::DataSubjectCategory_Name(category);
    names.push_back(absl::AsciiStrToLower(name.substr(sizeof("DATA_SUBJECT_CATEGORY_") - 1)));
  }
  return absl::StrJoin(names, ",");
}

// An enum value's name without its prefix, lower case, with dashes: "not-a-breach".
template <typename Enum>
std::string EnumWord(const std::string& name, absl::string_view prefix) {
  std::string word = absl::AsciiStrToLower(absl::string_view(name).substr(prefix.size()));
  std::replace(word.begin(), word.end(), '_', '-');
  return word;
}

std::string StatusName(breach::v1::BreachStatus status) {
  return EnumWord<breach::v1::BreachStatus>(breach::v1::BreachStatus_Name(status),
                                            "BREACH_STATUS_");
}

std::string VerdictName(breach::v1::TriageVerdict verdict) {
  if (verdict == breach::v1::TRIAGE_VERDICT_UNSPECIFIED) return "";
  return EnumWord<breach::v1::TriageVerdict>(breach::v1::TriageVerdict_Name(verdict),
                                             "TRIAGE_VERDICT_");
}

std::string DutyName(breach::v1::DutyKind duty) {
  return EnumWord<breach::v1::DutyKind>(breach::v1::DutyKind_Name(duty), "DUTY_KIND_");
}

std::string ActionStatusName(breach::v1::ActionStatus status) {
  return EnumWord<breach::v1::ActionStatus>(breach::v1::ActionStatus_Name(status),
                                            "ACTION_STATUS_");
}

// Parses a JSON file's text into `message`, or a usage error naming `what`.
absl::Status ParseJson(const std::string& text, Message* message, const std::string& what) {
  const auto parsed = google::protobuf::util::JsonStringToMessage(text, message);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the file is not a valid ", what, " JSON: ", parsed.message().as_string()));
  }
  return absl::OkStatus();
}

// An RFC 3339 flag as a Timestamp.
absl::StatusOr<google::protobuf::Timestamp> TimeFlag(const std::string& flag,
                                                     const std::string& value) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, value, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": not an RFC 3339 time like 2026-03-27T10:00:00+01:00: \"",
                     value, "\""));
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

// --expected-revision / --expected-version N, 0 when absent.
absl::StatusOr<uint64_t> ExpectedFlag(const CommandLine& line, const std::string& flag) {
  uint64_t expected = 0;
  if (auto value = line.Flag(flag); value && !absl::SimpleAtoi(*value, &expected)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be a number"));
  }
  return expected;
}

// -f FILE, or stdin for -f - and for no -f when stdin is not a terminal.
absl::StatusOr<std::string> ReadInput(const CommandLine& line, CommandIo& io) {
  if (!line.Flag("file") && io.in_is_terminal) {
    return absl::InvalidArgumentError("missing -f FILE (-f - reads stdin)");
  }
  const std::string file = line.FlagOr("file", "-");
  std::stringstream text;
  if (file == "-") {
    text << io.in.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file));
    text << in.rdbuf();
  }
  return text.str();
}

// "VERB NOUN BREACH_ID" commands: fetch one thing about a breach and print it.
template <typename Service, typename Request, typename Response, typename PrintTable>
int ShowBreach(const CommandLine& line, CommandIo& io, const char* service,
               grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&,
                                                      Response*),
               PrintTable print_table) {
  Request request;
  request.set_breach_id(line.words[2]);
  Response response;
  const grpc::Status status = Call<Service>(io, service, method, request, &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] { print_table(response); });
}

void PrintReport(CommandIo& io, const breach::v1::Report& report) {
  const auto& form = report.report();
  PrintFields(io.out, {{"breach", report.breach_id()},
                       {"name", report.name()},
                       {"tenant", form.tenant()},
                       {"recorded", FormatTimestamp(report.recorded_at())},
                       {"reported by", absl::StrCat(report.reported_by().subject(), " (",
                                                    report.reported_by().role(), ")")},
                       {"discovered", FormatTimestamp(form.discovered_at())},
                       {"incident", FormatTimestamp(form.incident_at())},
                       {"place", form.place()},
                       {"databases", absl::StrJoin(form.databases(), "; ")},
                       {"subjects", absl::StrCat("~", form.approx_data_subjects(), " (",
                                                 CategoryNames(form.data_subject_categories()),
                                                 ")")},
                       {"description", form.description()},
                       {"actions taken", form.actions_taken()},
                       {"request id", report.request_id()}});
  if (report.status() == breach::v1::BREACH_STATUS_UNSPECIFIED) return;
  PrintFields(io.out, {{"status", StatusName(report.status())},
                       {"revision", absl::StrCat(report.revision())},
                       {"verdict", VerdictName(report.verdict())},
                       {"verdict reason", report.verdict_reason()},
                       {"aware at", FormatTimestamp(report.awareness().aware_at())},
                       {"aware by", report.awareness().decided_by().subject()},
                       {"evidence", report.awareness().evidence()},
                       {"amendments", absl::StrCat(report.amendments_size())}});
  // The report as read is the original above plus these changes.
  for (const auto& amendment : report.amendments()) {
    for (const auto& change : amendment.changes()) {
      io.out << "  amended " << change.field() << ": " << change.old_value() << " -> "
             << change.new_value() << " (" << amendment.amended_by().subject() << ", "
             << FormatTimestamp(amendment.amended_at()) << ": " << OneLine(amendment.reason())
             << ")\n";
    }
  }
}

void PrintDuties(CommandIo& io, const google::protobuf::RepeatedPtrField<breach::v1::DutyDecision>& duties) {
  for (const auto& duty : duties) {
    io.out << "  duty " << DutyName(duty.duty()) << ": "
           << (duty.required() ? "required" : "not required");
    if (duty.has_human_override()) {
      io.out << " (override by " << duty.human_override().decided_by() << ": "
             << OneLine(duty.human_override().reason()) << "; the engine said "
             << (duty.computed_required() ? "required" : "not required") << ")";
    }
    io.out << " [" << duty.regime() << "]\n";
  }
}

// The Registro's "notified / communicated: yes or no, when, details", one line per duty.
void PrintNotifications(
    CommandIo& io, const google::protobuf::RepeatedPtrField<breach::v1::NotificationRecord>& records) {
  for (const auto& record : records) {
    io.out << "  sent " << DutyName(record.duty()) << ": ";
    if (record.sent()) {
      io.out << FormatTimestamp(record.sent_at()) << (record.late() ? " (late: " : " (in time")
             << (record.late() ? OneLine(record.delay_reason()) + ")" : ")");
    } else {
      io.out << "no";
    }
    if (record.delivered() + record.failed() > 0) {
      io.out << ", " << record.delivered() << " delivered";
      if (record.failed() > 0) io.out << ", " << record.failed() << " failed";
    }
    if (!record.protocol_number().empty()) io.out << ", protocol " << record.protocol_number();
    if (record.deadline_missed()) io.out << ", deadline missed";
    io.out << "\n";
  }
}

// The register's severity column: "3.5 high", "" before an assessment.
std::string SeverityText(const breach::v1::RegisterEntry& entry) {
  if (entry.assessment_version() == 0) return "";
  return absl::StrCat(entry.severity_score(), " ",
                      EnumWord<breach::v1::SeverityBand>(
                          breach::v1::SeverityBand_Name(entry.severity_band()), "SEVERITY_BAND_"));
}

// A communication column: "yes 2026-03-28T09:30:00Z (0012345/2026)", "no (required)", "no".
std::string CommunicationText(const breach::v1::Communication& column) {
  if (!column.done()) return column.required() ? "no (required)" : "no";
  std::string text = absl::StrCat("yes ", FormatTimestamp(column.at()));
  if (!column.protocol_number().empty()) absl::StrAppend(&text, " (", column.protocol_number(), ")");
  return text;
}

// A communication column in full, for breach get: the above with phase, channels and details.
std::string CommunicationDetail(const breach::v1::Communication& column) {
  std::string text = CommunicationText(column);
  if (!column.done()) return text;
  if (column.phase() != breach::v1::NOTIFICATION_PHASE_UNSPECIFIED) {
    absl::StrAppend(&text, ", ",
                    EnumWord<breach::v1::NotificationPhase>(
                        breach::v1::NotificationPhase_Name(column.phase()), "NOTIFICATION_PHASE_"));
  }
  std::vector<std::string> channels;
  for (int channel : column.channels()) {
    channels.push_back(EnumWord<breach::v1::Channel>(
        breach::v1::Channel_Name(static_cast<breach::v1::Channel>(channel)), "CHANNEL_"));
  }
  if (!channels.empty()) absl::StrAppend(&text, ", via ", absl::StrJoin(channels, ", "));
  if (!column.details().empty()) absl::StrAppend(&text, ": ", column.details());
  return text;
}

// The preview command's error, "breachctl assess preview: PROBLEM\n[usage...]", as one line.
std::string PreviewError(const std::string& err) {
  std::string first = err.substr(0, err.find('\n'));
  constexpr absl::string_view kPrefix = "breachctl assess preview: ";
  if (absl::StartsWith(first, kPrefix)) first = first.substr(kPrefix.size());
  return first;
}

}  // namespace

int UsageError(CommandIo& io, const std::string& problem) {
  return PrintUsageError(io.err, problem, io.command);
}

int FailCall(CommandIo& io, const grpc::Status& status) { return Fail(io, status); }

int ReportCreate(const CommandLine& line, CommandIo& io) {
  auto text = ReadInput(line, io);
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  breach::v1::ReportBreachRequest request;
  const auto parsed = google::protobuf::util::JsonStringToMessage(*text, request.mutable_report());
  if (!parsed.ok()) {
    return UsageError(io, absl::StrCat("the report is not a valid Allegato A JSON: ",
                                       parsed.message().as_string()));
  }
  request.set_request_id(line.FlagOr("request-id", NewUlid(absl::Now())));
  breach::v1::Report report;
  const grpc::Status status = Call<breach::v1::IntakeService>(
      io, "intake", &breach::v1::IntakeService::Stub::ReportBreach, request, &report);
  if (!status.ok()) return Fail(io, status);
  return Print(io, report, [&] { PrintReport(io, report); });
}

int ReportGet(const CommandLine& line, CommandIo& io) {
  return ShowBreach<breach::v1::IntakeService, breach::v1::GetReportRequest>(
      line, io, "intake", &breach::v1::IntakeService::Stub::GetReport,
      [&](const breach::v1::Report& report) { PrintReport(io, report); });
}

int BreachList(const CommandLine& line, CommandIo& io) {
  breach::v1::ListBreachesRequest request;
  request.set_tenant(line.FlagOr("tenant", ""));
  int number = 0;
  if (auto year = line.Flag("year")) {
    if (!absl::SimpleAtoi(*year, &number)) return UsageError(io, "--year must be a number");
    request.set_year(number);
  }
  if (auto size = line.Flag("page-size")) {
    if (!absl::SimpleAtoi(*size, &number)) return UsageError(io, "--page-size must be a number");
    request.set_page_size(number);
  }
  request.set_page_token(line.FlagOr("page-token", ""));
  if (auto status_flag = line.Flag("status")) {
    breach::v1::BreachStatus status;
    if (!breach::v1::BreachStatus_Parse("BREACH_STATUS_" + absl::AsciiStrToUpper(*status_flag),
                                        &status)) {
      return UsageError(io, absl::StrCat("--status: unknown status ", *status_flag));
    }
    request.set_status(status);
  }
  if (auto classification = line.Flag("classification")) {
    if (!absl::SimpleAtoi(*classification, &number)) {
      return UsageError(io, "--classification must be 1, 2 or 3");
    }
    request.set_classification(number);
  }
  if (auto notified = line.Flag("notified")) {
    request.set_notified(*notified == "yes" ? breach::v1::NOTIFIED_FILTER_NOTIFIED
                                            : breach::v1::NOTIFIED_FILTER_NOT_NOTIFIED);
  }
  request.set_overdue_only(line.Flag("overdue").has_value());
  const std::string sort = line.FlagOr("sort", "filed");
  request.set_order_by(sort == "discovered" ? breach::v1::REGISTER_ORDER_DISCOVERED
                       : sort == "due"      ? breach::v1::REGISTER_ORDER_DUE
                                            : breach::v1::REGISTER_ORDER_UNSPECIFIED);
  breach::v1::ListBreachesResponse response;
  const std::vector<std::string> instances = io.connection.EndpointsFor("register");
  if (instances.size() > 1) {
    // A partitioned register: every instance, every page, merged (register_instances.h).
    if (!request.page_token().empty()) {
      return UsageError(io, "--page-token needs one register endpoint; with several, breach "
                            "list shows every page of every instance");
    }
    std::vector<breach::v1::ListBreachesResponse> listings;
    for (const std::string& endpoint : instances) {
      absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
          io.connection.ChannelForEndpoint(endpoint);
      if (!channel.ok()) return Fail(io, grpcutil::ToGrpcStatus(channel.status()));
      auto stub = breach::v1::RegisterService::NewStub(*channel);
      breach::v1::ListBreachesResponse& listing = listings.emplace_back();
      breach::v1::ListBreachesRequest page_request = request;
      do {
        breach::v1::ListBreachesResponse page;
        const grpc::Status status =
            stub->ListBreaches(io.connection.NewContext().get(), page_request, &page);
        if (!status.ok()) return Fail(io, status);
        for (auto& entry : *page.mutable_entries()) *listing.add_entries() = std::move(entry);
        *listing.mutable_partitions() = page.partitions();
        listing.set_partition_count(page.partition_count());
        page_request.set_page_token(page.next_page_token());
      } while (!page_request.page_token().empty());
    }
    absl::StatusOr<breach::v1::ListBreachesResponse> merged =
        MergeInstanceListings(listings, request.order_by());
    if (!merged.ok()) return Fail(io, grpcutil::ToGrpcStatus(merged.status()));
    response = *std::move(merged);
  } else {
    const grpc::Status status = Call<breach::v1::RegisterService>(
        io, "register", &breach::v1::RegisterService::Stub::ListBreaches, request, &response);
    if (!status.ok()) return Fail(io, status);
  }
  return Print(io, response, [&] {
    Table table({"BREACH", "TENANT", "STATUS", "DISCOVERED", "CLASS", "SEVERITY", "GARANTE",
                 "SUBJECTS", "DUE", "OVERDUE", "DESCRIPTION"});
    for (const auto& entry : response.entries()) {
      table.AddRow({entry.breach_id(), entry.tenant(), StatusName(entry.status()),
                    FormatTimestamp(entry.discovered_at()),
                    entry.classification() == 0 ? "" : absl::StrCat(entry.classification()),
                    SeverityText(entry), CommunicationText(entry.authority()),
                    CommunicationText(entry.data_subjects()), FormatTimestamp(entry.next_due_at()),
                    entry.overdue() ? "OVERDUE" : "", Shorten(entry.description(), 40)});
    }
    table.Print(io.out);
    if (!response.next_page_token().empty()) {
      io.out << "next page: --page-token " << response.next_page_token() << "\n";
    }
  });
}

int BreachGet(const CommandLine& line, CommandIo& io) {
  return ShowBreach<breach::v1::RegisterService, breach::v1::GetBreachRequest>(
      line, io, "register", &breach::v1::RegisterService::Stub::GetBreach,
      [&](const breach::v1::RegisterEntry& entry) {
    PrintFields(io.out, {{"breach", entry.breach_id()},
                         {"name", entry.name()},
                         {"status", StatusName(entry.status())},
                         {"verdict", VerdictName(entry.verdict())},
                         {"verdict reason", entry.verdict_reason()},
                         {"aware at", FormatTimestamp(entry.aware_at())},
                         {"amendments", absl::StrCat(entry.amendments())},
                         {"actions", absl::StrCat(entry.containment_actions())},
                         {"assessment", entry.assessment_version() == 0
                                            ? ""
                                            : absl::StrCat("version ", entry.assessment_version())},
                         {"severity", entry.assessment_version() == 0
                                          ? ""
                                          : absl::StrCat(entry.severity_score())},
                         {"severity band", SeverityText(entry)},
                         {"classification", entry.classification() == 0
                                                ? ""
                                                : absl::StrCat(entry.classification(), " (",
                                                               entry.classification_regime(),
                                                               ")")},
                         {"regimes", absl::StrJoin(entry.regimes(), ", ")},
                         {"notified to the Garante", CommunicationDetail(entry.authority())},
                         {"communicated to subjects", CommunicationDetail(entry.data_subjects())},
                         {"communicated to others", CommunicationDetail(entry.others())},
                         {"next due", FormatTimestamp(entry.next_due_at())},
                         {"overdue", entry.overdue() ? "yes" : "no"},
                         {"evidence", entry.awareness_evidence()},
                         {"aware by", entry.aware_decided_by().subject()},
                         {"reported by", entry.reported_by().subject()},
                         {"device lost", entry.device_lost() ? "yes" : "no"},
                         {"databases", absl::StrJoin(entry.databases(), "; ")},
                         {"actions taken", entry.actions_taken()},
                         {"department head", entry.department_head()},
                         {"discovered", FormatTimestamp(entry.discovered_at())},
                         {"incident", FormatTimestamp(entry.incident_at())},
                         {"reported", FormatTimestamp(entry.reported_at())},
                         {"year", absl::StrCat(entry.year())},
                         {"place", entry.place()},
                         {"subjects", absl::StrCat("~", entry.approx_data_subjects(), " (",
                                                   CategoryNames(entry.data_subject_categories()),
                                                   ")")},
                         {"description", entry.description()},
                         {"updated", FormatTimestamp(entry.updated_at())},
                         {"events", absl::StrCat(entry.events())}});
    for (const auto& reason : entry.classification_reasons()) {
      io.out << "  classification reason: " << OneLine(reason.it()) << "\n";
    }
    for (const auto& measure : entry.measures()) {
      io.out << "  measure: " << OneLine(measure.what()) << " ("
             << ActionStatusName(measure.status()) << ", " << measure.responsible() << ")\n";
    }
    PrintDuties(io, entry.duties());
    PrintNotifications(io, entry.notifications());
      });
}

int BreachTimeline(const CommandLine& line, CommandIo& io) {
  return ShowBreach<breach::v1::RegisterService, breach::v1::GetTimelineRequest>(
      line, io, "register", &breach::v1::RegisterService::Stub::GetTimeline,
      [&](const breach::v1::Timeline& timeline) {
    Table table({"RECORDED", "OCCURRED", "EVENT", "SOURCE", "ACTOR", "ROLE", "SUMMARY"});
    for (const auto& entry : timeline.entries()) {
      table.AddRow({FormatTimestamp(entry.recorded_at()), FormatTimestamp(entry.occurred_at()),
                    entry.type().substr(entry.type().rfind('.') + 1), entry.source(),
                    entry.actor().subject(), entry.actor().role(), entry.summary()});
    }
    table.Print(io.out);
      });
}

int BreachKnowledge(const CommandLine& line, CommandIo& io) {
  return ShowBreach<breach::v1::RegisterService, breach::v1::GetKnowledgeRequest>(
      line, io, "register", &breach::v1::RegisterService::Stub::GetKnowledge,
      [&](const breach::v1::Knowledge& knowledge) {
    Table table({"PRINCIPAL", "ROLE", "FACT", "FIRST SEEN", "HOW"});
    for (const auto& principal : knowledge.principals()) {
      for (const auto& seen : principal.seen()) {
        table.AddRow({principal.principal().subject(), principal.principal().role(), seen.fact(),
                      FormatTimestamp(seen.at()), seen.how()});
      }
    }
    table.Print(io.out);
    for (const auto& record : knowledge.awareness()) {
      io.out << (record.in_force() ? "aware at " : "aware at (corrected) ")
             << FormatTimestamp(record.awareness().aware_at()) << ", by "
             << record.awareness().decided_by().subject() << ", recorded "
             << FormatTimestamp(record.recorded_at()) << ": "
             << OneLine(record.awareness().evidence()) << "\n";
    }
  });
}

int Verify(const CommandLine& line, CommandIo& io) {
  if (auto file = line.Flag("export")) {
    if (line.words.size() == 2) return UsageError(io, "--export checks a file, not a breach id");
    return VerifyExport(*file, io);
  }
  breach::v1::VerifyChainsRequest request;
  if (line.words.size() == 2) request.set_breach_id(line.words[1]);
  breach::v1::VerifyChainsResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::VerifyChains, request, &response);
  if (!status.ok()) return Fail(io, status);
  Print(io, response, [&] {
    Table table({"STORE", "OK", "STREAMS", "EVENTS", "SIGNED CHECKPOINT", "FIRST BAD EVENT",
                 "PROBLEM"});
    for (const auto& store : response.stores()) {
      table.AddRow({store.service(), store.ok() ? "yes" : "NO",
                    absl::StrCat(store.streams_checked()), absl::StrCat(store.events_checked()),
                    store.checkpoint_checked()
                        ? absl::StrCat("position ", store.checkpoint_position(), " at ",
                                       FormatTimestamp(store.checkpoint_signed_at()))
                        : "-",
                    store.ok() || store.first_bad_stream().empty()
                        ? ""
                        : absl::StrCat(store.first_bad_stream(), " v", store.first_bad_version(),
                                       " ", store.first_bad_event_id()),
                    store.problem()});
    }
    table.Print(io.out);
  });
  if (!response.ok()) {
    io.err << "breachctl: verification failed: a chain was tampered with\n";
    return 3;
  }
  return 0;
}

int WhoAmI(const CommandLine& line, CommandIo& io) {
  breach::v1::WhoAmIResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::WhoAmI, breach::v1::WhoAmIRequest(), &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] {
    PrintFields(io.out, {{"subject", response.subject()},
                         {"tenant", response.tenant()},
                         {"roles", absl::StrJoin(response.roles(), ",")},
                         {"services", absl::StrJoin(response.services(), ",")},
                         {"regimes", absl::StrJoin(response.regulation_data(), ",")}});
  });
}

int Health(const CommandLine& line, CommandIo& io) {
  grpc::health::v1::HealthCheckRequest request;
  if (line.words.size() == 2) request.set_service(line.words[1]);  // "health" SERVICE
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = Call<grpc::health::v1::Health>(
      io, "admin", &grpc::health::v1::Health::Stub::Check, request, &response);
  if (!status.ok()) return Fail(io, status);
  const std::string name = request.service().empty() ? "(the process)" : request.service();
  const std::string serving =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  Print(io, response, [&] { PrintFields(io.out, {{"service", name}, {"status", serving}}); });
  if (response.status() == grpc::health::v1::HealthCheckResponse::SERVING) return 0;
  io.err << "breachctl: " << name << " is " << serving << "\n";
  return 1;
}

int AdminStatus(const CommandLine& line, CommandIo& io) {
  breach::v1::GetDeliveryStatusResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::GetDeliveryStatus,
      breach::v1::GetDeliveryStatusRequest(), &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] {
    Table consumers({"CONSUMER", "SOURCE", "APPLIED", "HEAD", "LAG", "GAPS", "REPAIRED",
                     "BUS", "CAUGHT UP", "LAST CATCH-UP", "ERROR"});
    for (const auto& row : response.sources()) {
      consumers.AddRow({row.consumer(), row.source(), absl::StrCat(row.applied_through()),
                        absl::StrCat(row.source_head()), absl::StrCat(row.lag()),
                        absl::StrCat(row.gaps_detected()), absl::StrCat(row.gaps_repaired()),
                        absl::StrCat(row.bus_events()), absl::StrCat(row.caught_up_events()),
                        FormatTimestamp(row.last_catch_up()), Shorten(row.last_error(), 60)});
    }
    consumers.Print(io.out);
    io.out << "\n";
    Table outboxes({"OUTBOX", "PENDING", "PUBLISHED", "ERRORS"});
    for (const auto& row : response.outboxes()) {
      outboxes.AddRow({row.service(), absl::StrCat(row.pending()), absl::StrCat(row.published()),
                       absl::StrCat(row.errors())});
    }
    outboxes.Print(io.out);
    if (response.siem_size() > 0) {
      io.out << "\n";
      Table siem({"SIEM FEED", "SINK", "DELIVERED", "HEAD", "LAG", "PUBLISHED", "ERRORS"});
      for (const auto& row : response.siem()) {
        const uint64_t lag =
            row.store_head() > row.delivered_through() ? row.store_head() - row.delivered_through() : 0;
        siem.AddRow({row.service(), row.sink(), absl::StrCat(row.delivered_through()),
                     absl::StrCat(row.store_head()), absl::StrCat(lag),
                     absl::StrCat(row.published()), absl::StrCat(row.errors())});
      }
      siem.Print(io.out);
    }
    if (response.parked_size() > 0) {
      io.out << "\n";
      Table parked({"PARKED BY", "EVENT", "TYPE", "SOURCE", "POSITION", "PARKED AT", "ERROR"});
      for (const auto& row : response.parked()) {
        parked.AddRow({row.consumer(), row.event().event_id(), row.event().type(),
                       row.event().source(), absl::StrCat(row.event().position()),
                       FormatTimestamp(row.parked_at()), Shorten(row.error(), 60)});
      }
      parked.Print(io.out);
    }
  });
}

absl::StatusOr<absl::Duration> DurationFlag(const std::string& flag, const std::string& value) {
  absl::Duration duration;
  bool parsed = false;
  if (absl::EndsWith(value, "d")) {  // days, which absl::ParseDuration does not know
    int64_t days = 0;
    parsed = absl::SimpleAtoi(absl::string_view(value).substr(0, value.size() - 1), &days);
    duration = absl::Hours(24) * days;
  } else {
    parsed = absl::ParseDuration(value, &duration);
  }
  if (!parsed || duration < absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": not a duration like 6h, 90m, 1h30m or 2d: \"", value, "\""));
  }
  return duration;
}

absl::StatusOr<std::string> AwarenessAgo(const std::string& duration, absl::Time now) {
  auto ago = DurationFlag("aware-ago", duration);
  if (!ago.ok()) return ago.status();
  return absl::FormatTime(absl::RFC3339_sec, now - *ago, absl::UTCTimeZone());
}

int AssessPreview(const CommandLine& line, CommandIo& io) {
  if (!line.Flag("file")) return UsageError(io, "missing -f FILE");
  std::vector<std::string> args;
  for (const char* name : {"file", "awareness", "now", "output", "lang", "regimes", "templates"}) {
    if (auto value = line.Flag(name)) args.push_back(absl::StrCat("--", name, "=", *value));
  }
  if (auto ago = line.Flag("aware-ago")) {
    if (line.Flag("awareness")) return UsageError(io, "give --awareness or --aware-ago, not both");
    absl::Time now = absl::Now();
    std::string error;
    if (auto fixed = line.Flag("now");
        fixed && !absl::ParseTime(absl::RFC3339_full, *fixed, &now, &error)) {
      return UsageError(io, absl::StrCat("--now: not an RFC 3339 time: \"", *fixed, "\""));
    }
    auto awareness = AwarenessAgo(*ago, now);
    if (!awareness.ok()) return UsageError(io, std::string(awareness.status().message()));
    args.push_back("--awareness=" + *awareness);
  }
  std::ostringstream err;
  const int code = RunAssessPreview(args, io.out, err);
  if (code != 0) io.err << "breachctl: " << OneLine(PreviewError(err.str())) << "\n";
  return code;
}

int AdminParked(const CommandLine& line, CommandIo& io) {
  breach::v1::ListParkedRequest request;
  request.set_service(line.FlagOr("service", ""));
  breach::v1::ListParkedResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::ListParked, request, &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] {
    Table table({"SERVICE", "POSITION", "EVENT", "BREACH", "TYPE", "PARKED", "ATTEMPTS", "REASON"});
    for (const auto& event : response.events()) {
      table.AddRow({event.service(), absl::StrCat(event.position()), event.event_id(),
                    event.breach_id(), event.type().substr(event.type().rfind('.') + 1),
                    FormatTimestamp(event.parked_at()), absl::StrCat(event.attempts()),
                    event.reason()});
    }
    table.Print(io.out);
  });
}

int AdminPublicKey(const CommandLine& line, CommandIo& io) {
  breach::v1::GetCheckpointsResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::GetCheckpoints,
      breach::v1::GetCheckpointsRequest(), &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] {
    if (response.public_key().empty()) {
      io.out << "this breachd signs no checkpoints (no --signing_key_file)\n";
      return;
    }
    io.out << response.public_key() << "\n\n";
    Table table({"STORE", "POSITION", "STREAMS", "SIGNED", "HEADS DIGEST", "SIGNATURE"});
    for (const auto& checkpoint : response.checkpoints()) {
      table.AddRow({checkpoint.service(), absl::StrCat(checkpoint.position()),
                    absl::StrCat(checkpoint.streams()), FormatTimestamp(checkpoint.signed_at()),
                    checkpoint.heads_digest(), checkpoint.signature()});
    }
    table.Print(io.out);
  });
}

int AdminRetry(const CommandLine& line, CommandIo& io) {
  breach::v1::RetryParkedRequest request;
  request.set_service(line.FlagOr("service", ""));
  const bool all = line.Flag("all").has_value();
  if (all == (line.words.size() == 3)) return UsageError(io, "give a POSITION or --all");
  uint64_t position = 0;
  if (!all && !absl::SimpleAtoi(line.words[2], &position)) {
    return UsageError(io, "POSITION must be a number");
  }
  request.set_position(position);
  request.set_all(all);
  breach::v1::RetryParkedResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::RetryParked, request, &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response,
               [&] { io.out << "put back in the outbox: " << response.retried() << "\n"; });
}

int AdminBackup(const CommandLine& line, CommandIo& io) {
  breach::v1::BackupStoresRequest request;
  request.set_service(line.FlagOr("service", ""));
  breach::v1::BackupStoresResponse response;
  const grpc::Status status = Call<breach::v1::AdminService>(
      io, "admin", &breach::v1::AdminService::Stub::BackupStores, request, &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] {
    Table table({"SERVICE", "BACKUP", "TAKEN", "SIZE", "FILES", "IN FOLDER", "SECONDS", "FOLDER"});
    for (const auto& backup : response.backups()) {
      table.AddRow({backup.service(), absl::StrCat(backup.backup_id()),
                    FormatTimestamp(backup.taken_at()),
                    absl::StrCat(backup.size_bytes() / 1024, " KiB"), absl::StrCat(backup.files()),
                    absl::StrCat(backup.backups_in_folder()),
                    absl::StrFormat("%.2f", backup.seconds()), backup.folder()});
    }
    table.Print(io.out);
  });
}

namespace {

// One step of a rebuild: a bar redrawn in place on a terminal (stderr), a line per phase
// otherwise (none with -o json).
void ShowRebuildProgress(CommandIo& io, const breach::v1::RebuildProgress& progress,
                         std::string& last_phase) {
  if (io.err_is_terminal) {
    constexpr int kWidth = 30;
    const uint64_t expected = std::max<uint64_t>(progress.events_expected(), 1);
    const int filled =
        static_cast<int>(kWidth * std::min<uint64_t>(progress.events_read(), expected) / expected);
    io.err << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] "
           << progress.events_read() << "/" << progress.events_expected() << " events, "
           << progress.rows_written() << " rows, " << progress.phase() << "          "
           << std::flush;
    if (progress.phase() == "done") io.err << "\n";
  } else if (io.format == OutputFormat::kTable && progress.phase() != last_phase) {
    io.out << absl::StrFormat("%7.1fs %-12s %d events read, %d rows written\n", progress.seconds(),
                              progress.phase(), progress.events_read(), progress.rows_written())
           << std::flush;
  }
  last_phase = progress.phase();
}

}  // namespace

int AdminRebuild(const CommandLine& line, CommandIo& io) {
  breach::v1::RebuildProjectionRequest request;
  request.set_service(line.words[2]);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = io.connection.ChannelFor("admin");
  if (!channel.ok()) return Fail(io, grpcutil::ToGrpcStatus(channel.status()));
  auto stub = breach::v1::AdminService::NewStub(*channel);
  auto context = io.connection.NewContext();
  // A large register takes minutes; the server runs the rebuild to its swap whatever the client.
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Hours(6)));
  auto reader = stub->RebuildProjection(context.get(), request);
  breach::v1::RebuildProgress progress, last;
  std::string last_phase;
  while (reader->Read(&progress)) {
    ShowRebuildProgress(io, progress, last_phase);
    last = progress;
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) {
    if (io.err_is_terminal && !last_phase.empty() && last_phase != "done") io.err << "\n";
    return Fail(io, status);
  }
  return Print(io, last, [&] {
    PrintFields(io.out, {{"rebuilt", last.service()},
                         {"generation", absl::StrCat(last.generation())},
                         {"events", absl::StrCat(last.events_read())},
                         {"rows", absl::StrCat(last.rows_written())},
                         {"seconds", absl::StrFormat("%.2f", last.seconds())}});
  });
}

int AdminRestore(const CommandLine& line, CommandIo& io) {
  const std::string backup_dir = line.FlagOr("backup-dir", "");
  const std::string data_dir = line.FlagOr("data-dir", "");
  if (backup_dir.empty() || data_dir.empty()) {
    return UsageError(io, "give --backup-dir and --data-dir");
  }
  const absl::Time started = absl::Now();
  absl::StatusOr<eventstore::BackupRecord> restored =
      eventstore::RestoreLatestBackup(backup_dir, data_dir);
  if (!restored.ok()) return Fail(io, grpcutil::ToGrpcStatus(restored.status()));
  breach::v1::StoreBackup out;
  out.set_folder(backup_dir);
  out.set_backup_id(restored->backup_id);
  *out.mutable_taken_at() = ProtoFromTime(restored->taken_at);
  out.set_size_bytes(restored->size_bytes);
  out.set_files(restored->files);
  out.set_backups_in_folder(restored->backups_in_folder);
  out.set_seconds(absl::ToDoubleSeconds(absl::Now() - started));
  return Print(io, out, [&] {
    io.out << "restored backup " << out.backup_id() << " (taken "
           << FormatTimestamp(out.taken_at()) << ") into " << data_dir << " in "
           << absl::StrFormat("%.2f", out.seconds()) << " s; start the service again\n";
  });
}

int BreachTriage(const CommandLine& line, CommandIo& io) {
  breach::v1::TriageRequest request;
  request.set_breach_id(line.words[2]);
  const std::string verdict = line.FlagOr("verdict", "");
  std::string enum_name = absl::AsciiStrToUpper(verdict);
  std::replace(enum_name.begin(), enum_name.end(), '-', '_');
  breach::v1::TriageVerdict parsed;
  if (verdict.empty() ||
      !breach::v1::TriageVerdict_Parse("TRIAGE_VERDICT_" + enum_name, &parsed)) {
    return UsageError(io, "--verdict must be breach, not-a-breach or investigating");
  }
  request.set_verdict(parsed);
  request.set_reason(line.FlagOr("reason", ""));
  request.set_evidence(line.FlagOr("evidence", ""));
  if (auto aware_at = line.Flag("aware-at")) {
    auto timestamp = TimeFlag("aware-at", *aware_at);
    if (!timestamp.ok()) return UsageError(io, std::string(timestamp.status().message()));
    *request.mutable_aware_at() = *timestamp;
  }
  auto expected = ExpectedFlag(line, "expected-revision");
  if (!expected.ok()) return UsageError(io, std::string(expected.status().message()));
  request.set_expected_revision(*expected);
  breach::v1::Report report;
  const grpc::Status status = Call<breach::v1::IntakeService>(
      io, "intake", &breach::v1::IntakeService::Stub::Triage, request, &report);
  if (!status.ok()) return Fail(io, status);
  return Print(io, report, [&] { PrintReport(io, report); });
}

int ReportAmend(const CommandLine& line, CommandIo& io) {
  auto text = ReadInput(line, io);
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  breach::v1::AmendReportRequest request;
  if (absl::Status parsed = ParseJson(*text, &request, "amendment"); !parsed.ok()) {
    return UsageError(io, std::string(parsed.message()));
  }
  request.set_breach_id(line.words[2]);
  if (auto reason = line.Flag("reason")) request.set_reason(*reason);
  auto expected = ExpectedFlag(line, "expected-revision");
  if (!expected.ok()) return UsageError(io, std::string(expected.status().message()));
  if (*expected != 0) request.set_expected_revision(*expected);
  breach::v1::Report report;
  const grpc::Status status = Call<breach::v1::IntakeService>(
      io, "intake", &breach::v1::IntakeService::Stub::AmendReport, request, &report);
  if (!status.ok()) return Fail(io, status);
  return Print(io, report, [&] { PrintReport(io, report); });
}

int ActionAdd(const CommandLine& line, CommandIo& io) {
  breach::v1::AddActionRequest request;
  request.set_breach_id(line.words[2]);
  request.set_request_id(line.FlagOr("request-id", NewUlid(absl::Now())));
  request.set_what(line.FlagOr("what", ""));
  request.set_responsible(line.FlagOr("responsible", ""));
  if (auto state = line.Flag("action-status")) {
    std::string enum_name = absl::AsciiStrToUpper(*state);
    std::replace(enum_name.begin(), enum_name.end(), '-', '_');
    breach::v1::ActionStatus parsed;
    if (!breach::v1::ActionStatus_Parse("ACTION_STATUS_" + enum_name, &parsed)) {
      return UsageError(io, "--action-status must be planned, in-progress or done");
    }
    request.set_status(parsed);
  }
  if (auto done_at = line.Flag("done-at")) {
    auto timestamp = TimeFlag("done-at", *done_at);
    if (!timestamp.ok()) return UsageError(io, std::string(timestamp.status().message()));
    *request.mutable_done_at() = *timestamp;
  }
  breach::v1::ContainmentAction action;
  const grpc::Status status = Call<breach::v1::IntakeService>(
      io, "intake", &breach::v1::IntakeService::Stub::AddAction, request, &action);
  if (!status.ok()) return Fail(io, status);
  return Print(io, action, [&] {
    PrintFields(io.out, {{"action", action.action_id()},
                         {"what", action.what()},
                         {"responsible", action.responsible()},
                         {"status", ActionStatusName(action.status())},
                         {"done", FormatTimestamp(action.done_at())},
                         {"recorded by", action.recorded_by().subject()},
                         {"recorded", FormatTimestamp(action.recorded_at())}});
  });
}

int ActionList(const CommandLine& line, CommandIo& io) {
  return ShowBreach<breach::v1::IntakeService, breach::v1::ListActionsRequest>(
      line, io, "intake", &breach::v1::IntakeService::Stub::ListActions,
      [&](const breach::v1::ListActionsResponse& response) {
        Table table({"ACTION", "STATUS", "DONE", "RESPONSIBLE", "RECORDED BY", "WHAT"});
        for (const auto& action : response.actions()) {
          table.AddRow({action.action_id(), ActionStatusName(action.status()),
                        FormatTimestamp(action.done_at()), action.responsible(),
                        action.recorded_by().subject(), Shorten(action.what(), 60)});
        }
        table.Print(io.out);
      });
}

// An assessment version: who and when, then the engine's table (as `assess preview`).
void PrintVersion(CommandIo& io, const CommandLine& line,
                  const breach::v1::AssessmentVersion& version) {
  PrintFields(io.out, {{"breach", version.breach_id()},
                       {"version", absl::StrCat(version.version())},
                       {"submitted by", version.submitted_by().subject()},
                       {"submitted", FormatTimestamp(version.submitted_at())},
                       {"aware at", FormatTimestamp(version.assessment().awareness_time())}});
  io.out << "\n";
  regulation::PrintResultTable(version.result(), line.FlagOr("lang", "it"), io.out);
}

// Sends a change of a breach's assessment with --expected-version and prints the version.
template <typename Request>
int ChangeAssessment(const CommandLine& line, CommandIo& io,
                     grpc::Status (breach::v1::AssessmentService::Stub::*method)(
                         grpc::ClientContext*, const Request&, breach::v1::AssessmentVersion*),
                     Request& request) {
  auto expected = ExpectedFlag(line, "expected-version");
  if (!expected.ok()) return UsageError(io, std::string(expected.status().message()));
  request.set_expected_version(static_cast<uint32_t>(*expected));
  breach::v1::AssessmentVersion version;
  const grpc::Status status =
      Call<breach::v1::AssessmentService>(io, "assessment", method, request, &version);
  if (!status.ok()) return Fail(io, status);
  return Print(io, version, [&] { PrintVersion(io, line, version); });
}

int AssessSubmit(const CommandLine& line, CommandIo& io) {
  auto text = ReadInput(line, io);
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  breach::v1::SubmitAssessmentRequest request;
  if (absl::Status parsed = ParseJson(*text, request.mutable_assessment(), "Allegato B");
      !parsed.ok()) {
    return UsageError(io, std::string(parsed.message()));
  }
  request.set_breach_id(line.words[2]);
  request.set_request_id(line.FlagOr("request-id", NewUlid(absl::Now())));
  return ChangeAssessment(line, io, &breach::v1::AssessmentService::Stub::SubmitAssessment,
                          request);
}

int AssessShow(const CommandLine& line, CommandIo& io) {
  breach::v1::GetAssessmentRequest request;
  request.set_breach_id(line.words[2]);
  uint32_t number = 0;
  // --assessment-version, since --version is breachctl's own.
  if (auto version = line.Flag("assessment-version");
      version && !absl::SimpleAtoi(*version, &number)) {
    return UsageError(io, "--assessment-version must be a number");
  }
  request.set_version(number);
  breach::v1::AssessmentVersion version;
  const grpc::Status status = Call<breach::v1::AssessmentService>(
      io, "assessment", &breach::v1::AssessmentService::Stub::GetAssessment, request, &version);
  if (!status.ok()) return Fail(io, status);
  return Print(io, version, [&] { PrintVersion(io, line, version); });
}

int AssessHistory(const CommandLine& line, CommandIo& io) {
  return ShowBreach<breach::v1::AssessmentService, breach::v1::ListAssessmentVersionsRequest>(
      line, io, "assessment", &breach::v1::AssessmentService::Stub::ListAssessmentVersions,
      [&](const breach::v1::AssessmentHistory& history) {
        Table table({"VERSION", "SUBMITTED", "BY", "SEVERITY", "CLASS", "OVERRIDES", "REGIMES"});
        for (const auto& version : history.versions()) {
          table.AddRow({absl::StrCat(version.version()), FormatTimestamp(version.submitted_at()),
                        version.submitted_by().subject(),
                        absl::StrCat(version.result().severity().score()),
                        absl::StrCat(version.result().classification()),
                        absl::StrCat(version.assessment().overrides_size()),
                        absl::StrJoin(version.result().regimes(), ",")});
        }
        table.Print(io.out);
      });
}

// `breach close|reopen ID --reason TEXT`.
template <typename Request>
int CloseOrReopen(const CommandLine& line, CommandIo& io,
                  grpc::Status (breach::v1::IntakeService::Stub::*method)(
                      grpc::ClientContext*, const Request&, breach::v1::Report*)) {
  Request request;
  request.set_breach_id(line.words[2]);
  request.set_reason(line.FlagOr("reason", ""));
  auto expected = ExpectedFlag(line, "expected-revision");
  if (!expected.ok()) return UsageError(io, std::string(expected.status().message()));
  request.set_expected_revision(*expected);
  breach::v1::Report report;
  const grpc::Status status =
      Call<breach::v1::IntakeService>(io, "intake", method, request, &report);
  if (!status.ok()) return Fail(io, status);
  return Print(io, report, [&] { PrintReport(io, report); });
}

int BreachClose(const CommandLine& line, CommandIo& io) {
  return CloseOrReopen<breach::v1::CloseBreachRequest>(
      line, io, &breach::v1::IntakeService::Stub::CloseBreach);
}

int BreachReopen(const CommandLine& line, CommandIo& io) {
  return CloseOrReopen<breach::v1::ReopenBreachRequest>(
      line, io, &breach::v1::IntakeService::Stub::ReopenBreach);
}

int AssessDecide(const CommandLine& line, CommandIo& io) {
  breach::v1::DecideDutiesRequest request;
  request.set_breach_id(line.words[2]);
  request.set_reason(line.FlagOr("reason", ""));
  return ChangeAssessment(line, io, &breach::v1::AssessmentService::Stub::DecideDuties, request);
}

int DutyOverride(const CommandLine& line, CommandIo& io) {
  breach::v1::OverrideDutyRequest request;
  request.set_breach_id(line.words[2]);
  const std::string duty = line.FlagOr("duty", "");
  // Short names for the duties a school overrides; any DutyKind name works too.
  static const std::map<std::string, breach::v1::DutyKind> kShort = {
      {"authority", breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION},
      {"subjects", breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION},
      {"controller", breach::v1::DUTY_KIND_CONTROLLER_NOTICE},
      {"register", breach::v1::DUTY_KIND_REGISTER_ENTRY}};
  std::string enum_name = absl::AsciiStrToUpper(duty);
  std::replace(enum_name.begin(), enum_name.end(), '-', '_');
  breach::v1::DutyKind kind;
  if (auto it = kShort.find(duty); it != kShort.end()) {
    kind = it->second;
  } else if (duty.empty() || !breach::v1::DutyKind_Parse("DUTY_KIND_" + enum_name, &kind)) {
    return UsageError(io, "--duty must be authority, subjects, controller, register or a duty kind");
  }
  request.set_duty(kind);
  const std::string required = line.FlagOr("required", "");
  if (required != "true" && required != "false") {
    return UsageError(io, "--required must be true or false");
  }
  request.set_required(required == "true");
  request.set_reason(line.FlagOr("reason", ""));
  return ChangeAssessment(line, io, &breach::v1::AssessmentService::Stub::OverrideDuty, request);
}

// ---------------------------------------------------------------------------------------------
// The notification service.

namespace {

using breach::v1::NotificationService;

// An enum value as a word, its type's prefix cut (DeliveryStatus: DELIVERY_STATUS_): "met",
// "outcome-unknown", "pec-delivery"; "-" for the unspecified value.
template <typename Enum>
std::string Word(Enum value) {
  const google::protobuf::EnumDescriptor* type = google::protobuf::GetEnumDescriptor<Enum>();
  const google::protobuf::EnumValueDescriptor* found = type->FindValueByNumber(value);
  if (value == 0 || found == nullptr) return "-";
  std::string prefix;
  for (char c : type->name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  return EnumWord<Enum>(found->name(), prefix + "_");
}

// The short names the notification commands use: authority, subjects, controller; other duties
// by their enum word ("csirt-early-warning").
std::string DutyWord(breach::v1::DutyKind duty) {
  switch (duty) {
    case breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION: return "authority";
    case breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION: return "subjects";
    case breach::v1::DUTY_KIND_CONTROLLER_NOTICE: return "controller";
    default: return Word(duty);
  }
}

// --duty authority|subjects|controller (the table has checked the value when given).
absl::StatusOr<breach::v1::DutyKind> NotifyDuty(const CommandLine& line) {
  const std::string duty = line.FlagOr("duty", "");
  if (duty == "authority") return breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION;
  if (duty == "subjects") return breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION;
  if (duty == "controller") return breach::v1::DUTY_KIND_CONTROLLER_NOTICE;
  return absl::InvalidArgumentError("missing --duty authority|subjects|controller");
}

// The line's BREACH_ID and --duty into `request`: 0, or the exit code of a usage error.
template <typename Request>
int BreachAndDuty(const CommandLine& line, CommandIo& io, Request& request) {
  request.set_breach_id(line.words[2]);
  auto duty = NotifyDuty(line);
  if (!duty.ok()) return UsageError(io, std::string(duty.status().message()));
  request.set_duty(*duty);
  return 0;
}

// Calls the notification service and prints its answer: JSON, or `print_table` for -o table.
template <typename Request, typename Response, typename PrintTable>
int CallNotification(CommandIo& io,
                     grpc::Status (NotificationService::Stub::*method)(grpc::ClientContext*,
                                                                        const Request&, Response*),
                     const Request& request, PrintTable print_table) {
  Response response;
  const grpc::Status status = Call<NotificationService>(io, "notification", method, request,
                                                        &response);
  if (!status.ok()) return Fail(io, status);
  return Print(io, response, [&] { print_table(response); });
}

// A deadline's due time as the regime gives it in Europe/Rome: "2026-03-30 11:00:00+02:00".
std::string DueLocal(const breach::v1::Deadline& deadline) {
  if (deadline.due_at_local().empty()) return FormatTimestamp(deadline.due_at());
  std::string due = deadline.due_at_local();
  std::replace(due.begin(), due.end(), 'T', ' ');
  return due;
}

// The time left to a running clock; "-" for a clock that stopped (met, late, disarmed).
std::string ClockLeft(const breach::v1::DutyClock& clock, absl::Time now) {
  const auto status = clock.deadline().status();
  if (!clock.armed() || !clock.deadline().has_due_at() ||
      status == breach::v1::DEADLINE_STATUS_MET || status == breach::v1::DEADLINE_STATUS_LATE) {
    return "-";
  }
  return TimeLeft(TimeFromProto(clock.deadline().due_at()) - now);
}

// The deadline's status; a clock stopped before its duty was met (no longer required, the
// breach closed) says so: "open (stopped)".
std::string ClockStatus(const breach::v1::DutyClock& clock) {
  const auto status = clock.deadline().status();
  const bool ended =
      status == breach::v1::DEADLINE_STATUS_MET || status == breach::v1::DEADLINE_STATUS_LATE;
  return clock.armed() || ended ? Word(status) : Word(status) + " (stopped)";
}

std::string Who(const breach::v1::Actor& actor) {
  return actor.subject().empty() ? "-" : actor.subject();
}

// A draft's document in --lang as Markdown, after a comment line naming the version and hash
// an approval must give (and, while unapproved, the command that approves exactly this).
absl::Status PrintDraftDocument(CommandIo& io, const CommandLine& line,
                                const breach::v1::Draft& draft) {
  const std::string lang = line.FlagOr("lang", "it");
  const breach::v1::NotificationDraft* document = nullptr;
  for (const auto& candidate : draft.documents()) {
    if (candidate.language() == lang) document = &candidate;
  }
  if (document == nullptr) {
    return absl::NotFoundError(absl::StrCat(DutyWord(draft.duty()), " draft v",
                                            draft.draft_version(), " has no '", lang,
                                            "' document"));
  }
  const std::string approval =
      draft.has_approved_by()
          ? absl::StrCat("approved by ", draft.approved_by().subject(), " at ",
                         FormatTimestamp(draft.approved_at()))
          : "not approved";
  io.out << "<!-- breach " << draft.breach_id() << ", " << DutyWord(draft.duty()) << " draft v"
         << draft.draft_version() << " (" << Word(draft.phase()) << ", " << lang
         << "), sha256 " << draft.sha256() << ", " << approval << " -->\n";
  if (!draft.has_approved_by()) {
    io.out << "<!-- approve: breachctl notify approve " << draft.breach_id() << " --duty "
           << DutyWord(draft.duty()) << " --draft-version " << draft.draft_version()
           << " --sha256 " << draft.sha256() << " -->\n";
  }
  io.out << "\n" << document->document();
  if (!absl::EndsWith(document->document(), "\n")) io.out << "\n";
  return absl::OkStatus();
}

// `notify draft|show`: the draft as Markdown (-o md, the default) or JSON.
int PrintDraft(CommandIo& io, const CommandLine& line, const breach::v1::Draft& draft) {
  if (io.format == OutputFormat::kJson) {
    io.out << ToJson(draft);
    return 0;
  }
  if (absl::Status printed = PrintDraftDocument(io, line, draft); !printed.ok()) {
    io.err << "breachctl: " << OneLine(std::string(printed.message())) << "\n";
    return 1;
  }
  return 0;
}

void PrintDraftFields(CommandIo& io, const breach::v1::Draft& draft) {
  PrintFields(io.out, {{"breach", draft.breach_id()},
                       {"duty", DutyWord(draft.duty())},
                       {"draft version", absl::StrCat(draft.draft_version())},
                       {"phase", Word(draft.phase())},
                       {"sha256", draft.sha256()},
                       {"prepared by", Who(draft.prepared_by())},
                       {"approved by", Who(draft.approved_by())},
                       {"approved", FormatTimestamp(draft.approved_at())},
                       {"delay reason", draft.delay_reason()}});
}

void PrintSchool(CommandIo& io, const breach::v1::SchoolProfile& school) {
  const auto& dpo = school.dpo();
  std::string dpo_line = dpo.name();
  if (!dpo.email().empty()) absl::StrAppend(&dpo_line, " <", dpo.email(), ">");
  if (!dpo.phone().empty()) absl::StrAppend(&dpo_line, " ", dpo.phone());
  PrintFields(io.out, {{"school", school.tenant()},
                       {"name", school.name()},
                       {"address", school.address()},
                       {"head", school.head_name()},
                       {"dpo", dpo_line},
                       {"email", school.email()},
                       {"pec", school.pec()},
                       {"webhook", school.webhook_url()},
                       {"tax code", school.tax_code()},
                       {"website", school.website()}});
}

Table DeliveryTable(const std::vector<const breach::v1::Delivery*>& deliveries) {
  Table table({"DELIVERY", "CHANNEL", "RECIPIENT", "STATUS", "ATTEMPTS", "LAST ANSWER"});
  for (const breach::v1::Delivery* delivery : deliveries) {
    table.AddRow({delivery->delivery_id(), Word(delivery->channel()),
                  delivery->recipient().address(), Word(delivery->status()),
                  absl::StrCat(delivery->attempts()), Shorten(delivery->last_answer(), 60)});
  }
  return table;
}

// --draft-version N: 0 when absent; a usage error unless a positive number.
absl::StatusOr<uint32_t> DraftVersionFlag(const CommandLine& line) {
  uint32_t version = 0;
  if (auto value = line.Flag("draft-version");
      value && (!absl::SimpleAtoi(*value, &version) || version == 0)) {
    return absl::InvalidArgumentError("--draft-version must be a positive number");
  }
  return version;
}

// GetDraft for the line's breach, --duty and --draft-version (0: the latest).
int FetchDraft(const CommandLine& line, CommandIo& io, breach::v1::Draft* draft) {
  breach::v1::GetDraftRequest request;
  if (const int code = BreachAndDuty(line, io, request); code != 0) return code;
  auto version = DraftVersionFlag(line);
  if (!version.ok()) return UsageError(io, std::string(version.status().message()));
  request.set_draft_version(*version);
  const grpc::Status status = Call<NotificationService>(
      io, "notification", &NotificationService::Stub::GetDraft, request, draft);
  return status.ok() ? 0 : Fail(io, status);
}

}  // namespace

std::string TimeLeft(absl::Duration left) {
  const bool past = left < absl::ZeroDuration();
  const int64_t minutes = absl::ToInt64Minutes(absl::AbsDuration(left));
  return absl::StrFormat("%s%dh%02dm", past ? "-" : "", minutes / 60, minutes % 60);
}

int SchoolSet(const CommandLine& line, CommandIo& io) {
  const std::string code = line.words[2];
  auto text = ReadInput(line, io);
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  breach::v1::SetSchoolProfileRequest request;
  if (absl::Status parsed = ParseJson(*text, request.mutable_profile(), "school profile");
      !parsed.ok()) {
    return UsageError(io, std::string(parsed.message()));
  }
  // The code on the line names the school; the file may leave it out, but not contradict it.
  if (request.profile().tenant().empty()) request.mutable_profile()->set_tenant(code);
  if (request.profile().tenant() != code) {
    return UsageError(io, absl::StrCat("the file is school ", request.profile().tenant(),
                                       "'s details, not ", code, "'s"));
  }
  return CallNotification(io, &NotificationService::Stub::SetSchoolProfile, request,
                          [&](const breach::v1::SchoolProfile& school) {
                            PrintSchool(io, school);
                          });
}

int SchoolImport(const CommandLine& line, CommandIo& io) {
  const std::string file = line.words[2];
  std::stringstream text;
  if (file == "-") {
    text << io.in.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) return UsageError(io, absl::StrCat("cannot read ", file));
    text << in.rdbuf();
  }
  breach::v1::ImportSchoolsRequest request;
  request.set_csv(text.str());
  breach::v1::ImportSchoolsResponse response;
  const grpc::Status status = Call<breach::v1::DirectoryService>(
      io, "intake", &breach::v1::DirectoryService::Stub::ImportSchools, request, &response);
  if (!status.ok()) return Fail(io, status);
  Print(io, response, [&] {
    io.out << absl::StrFormat(
        "%s: %d added, %d updated, %d unchanged, %d rows skipped; %d schools in the directory\n",
        file, response.added(), response.updated(), response.unchanged(), response.skipped(),
        response.total());
    if (response.errors_size() == 0) return;
    Table table({"ROW", "COLUMN", "PROBLEM"});
    for (const auto& error : response.errors()) {
      table.AddRow({absl::StrCat(error.row()), error.column(), error.message()});
    }
    table.Print(io.out);
  });
  if (response.skipped() == 0) return 0;
  io.err << "breachctl: " << response.skipped() << " row(s) of " << file
         << " skipped, the others imported\n";
  return 1;
}

int SchoolList(const CommandLine& line, CommandIo& io) {
  breach::v1::ListSchoolsRequest request;
  request.set_service(line.FlagOr("service", ""));
  request.set_page_size(1000);
  breach::v1::ListSchoolsResponse all;
  do {
    breach::v1::ListSchoolsResponse page;
    const grpc::Status status = Call<breach::v1::DirectoryService>(
        io, "intake", &breach::v1::DirectoryService::Stub::ListSchools, request, &page);
    if (!status.ok()) return Fail(io, status);
    for (auto& school : *page.mutable_schools()) *all.add_schools() = std::move(school);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return Print(io, all, [&] {
    Table table({"CODE", "NAME", "MUNICIPALITY", "PEC", "SERVICES"});
    for (const auto& school : all.schools()) {
      table.AddRow({school.code(), Shorten(school.name(), 40), school.municipality(), school.pec(),
                    absl::StrJoin(school.services(), ";")});
    }
    table.Print(io.out);
    io.out << all.schools_size() << " schools\n";
  });
}

int SchoolShow(const CommandLine& line, CommandIo& io) {
  breach::v1::GetSchoolProfileRequest request;
  request.set_tenant(line.words[2]);
  return CallNotification(io, &NotificationService::Stub::GetSchoolProfile, request,
                          [&](const breach::v1::SchoolProfile& school) {
                            PrintSchool(io, school);
                          });
}

int DeadlineList(const CommandLine& line, CommandIo& io) {
  breach::v1::ListDeadlinesRequest request;
  request.set_tenant(line.FlagOr("tenant", ""));
  request.set_overdue_only(line.Flag("overdue").has_value());
  request.set_include_closed(line.Flag("all").has_value());
  if (auto within = line.Flag("due-within")) {
    auto duration = DurationFlag("due-within", *within);
    if (!duration.ok()) return UsageError(io, std::string(duration.status().message()));
    if (*duration < absl::Seconds(1) || *duration > absl::Hours(24 * 365)) {
      return UsageError(io, absl::StrCat("--due-within must be between 1s and a year (365d), not ",
                                         *within));
    }
    request.set_due_within_seconds(absl::ToInt64Seconds(*duration));
  }
  return CallNotification(io, &NotificationService::Stub::ListDeadlines, request,
                          [&](const breach::v1::ListDeadlinesResponse& response) {
    const absl::Time now = absl::Now();
    Table table({"BREACH", "SCHOOL", "DUTY", "DUE", "LEFT", "STATUS", "LAST FAILURE"});
    for (const auto& clock : response.clocks()) {
      table.AddRow({clock.breach_id(), clock.tenant(), DutyWord(clock.deadline().duty()),
                    DueLocal(clock.deadline()), ClockLeft(clock, now),
                    ClockStatus(clock), Shorten(clock.last_failure(), 60)});
    }
    table.Print(io.out);
  });
}

int NotifyDraft(const CommandLine& line, CommandIo& io) {
  breach::v1::PrepareDraftRequest request;
  if (const int code = BreachAndDuty(line, io, request); code != 0) return code;
  if (auto phase = line.Flag("phase")) {
    breach::v1::NotificationPhase parsed;
    if (!breach::v1::NotificationPhase_Parse(
            "NOTIFICATION_PHASE_" + absl::AsciiStrToUpper(*phase), &parsed)) {
      return UsageError(io, "--phase must be preliminary, complete or supplementary");
    }
    request.set_phase(parsed);
  }
  request.set_previous_protocol(line.FlagOr("previous-protocol", ""));
  if (request.phase() == breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY &&
      request.previous_protocol().empty()) {
    return UsageError(io, "--phase supplementary needs --previous-protocol N (the Garante's "
                          "protocol number of the notification it supplements)");
  }
  breach::v1::Draft draft;
  const grpc::Status status = Call<NotificationService>(
      io, "notification", &NotificationService::Stub::PrepareDraft, request, &draft);
  if (!status.ok()) return Fail(io, status);
  return PrintDraft(io, line, draft);
}

int NotifyShow(const CommandLine& line, CommandIo& io) {
  breach::v1::Draft draft;
  if (const int code = FetchDraft(line, io, &draft); code != 0) return code;
  return PrintDraft(io, line, draft);
}

int NotifyApprove(const CommandLine& line, CommandIo& io) {
  breach::v1::ApproveDraftRequest request;
  if (const int code = BreachAndDuty(line, io, request); code != 0) return code;
  auto version = DraftVersionFlag(line);
  if (!version.ok()) return UsageError(io, std::string(version.status().message()));
  const std::optional<std::string> sha256 = line.Flag("sha256");
  if ((*version != 0) != sha256.has_value()) {
    return UsageError(io, "give --draft-version and --sha256 together (as notify show prints "
                          "them), or neither to approve the latest draft as it reads now");
  }
  if (sha256 && (sha256->size() != 64 ||
                 !std::all_of(sha256->begin(), sha256->end(), absl::ascii_isxdigit))) {
    return UsageError(io, "--sha256 must be 64 hex digits");
  }
  request.set_delay_reason(line.FlagOr("delay-reason", ""));
  bool latest_as_read = false;
  if (sha256) {
    request.set_draft_version(*version);
    request.set_sha256(absl::AsciiStrToLower(*sha256));
  } else {
    // The latest draft as it reads now: approve exactly that version and hash, and say so.
    breach::v1::Draft latest;
    if (const int code = FetchDraft(line, io, &latest); code != 0) return code;
    request.set_draft_version(latest.draft_version());
    request.set_sha256(latest.sha256());
    latest_as_read = true;
  }
  return CallNotification(io, &NotificationService::Stub::ApproveDraft, request,
                          [&](const breach::v1::Draft& draft) {
                            if (latest_as_read) {
                              io.out << "approved the latest " << DutyWord(draft.duty())
                                     << " draft: v" << draft.draft_version() << ", sha256 "
                                     << draft.sha256() << "\n";
                            }
                            PrintDraftFields(io, draft);
                          });
}

int NotifySend(const CommandLine& line, CommandIo& io) {
  breach::v1::SendNotificationRequest request;
  if (const int code = BreachAndDuty(line, io, request); code != 0) return code;
  if (auto recipients = line.Flag("recipients")) {
    if (request.duty() != breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION) {
      return UsageError(io, "--recipients is only for --duty subjects (the data subjects)");
    }
    auto csv = ReadWholeFile(*recipients);
    if (!csv.ok()) return UsageError(io, std::string(csv.status().message()));
    request.set_recipients_csv(*csv);
  }
  request.set_resend_unknown(line.Flag("resend-unknown").has_value());
  request.set_request_id(line.FlagOr("request-id", NewUlid(absl::Now())));
  return CallNotification(io, &NotificationService::Stub::SendNotification, request,
                          [&](const breach::v1::NotificationStatus& response) {
    uint32_t version = 0;
    for (const auto& draft : response.drafts()) {
      if (draft.duty() == request.duty()) version = draft.draft_version();
    }
    std::vector<const breach::v1::Delivery*> sent;
    for (const auto& delivery : response.deliveries()) {
      if (delivery.duty() == request.duty() && delivery.draft_version() == version) {
        sent.push_back(&delivery);
      }
    }
    io.out << DutyWord(request.duty()) << " draft v" << version << ": " << sent.size()
           << (sent.size() == 1 ? " delivery" : " deliveries") << " (request id "
           << request.request_id() << ")\n";
    DeliveryTable(sent).Print(io.out);
  });
}

int NotifyStatus(const CommandLine& line, CommandIo& io) {
  return ShowBreach<NotificationService, breach::v1::GetNotificationStatusRequest>(
      line, io, "notification", &NotificationService::Stub::GetNotificationStatus,
      [&](const breach::v1::NotificationStatus& status) {
        const absl::Time now = absl::Now();
        Table clocks({"DUTY", "DUE", "LEFT", "STATUS", "LAST FAILURE"});
        for (const auto& clock : status.clocks()) {
          clocks.AddRow({DutyWord(clock.deadline().duty()), DueLocal(clock.deadline()),
                         ClockLeft(clock, now), ClockStatus(clock),
                         Shorten(clock.last_failure(), 60)});
        }
        clocks.Print(io.out);
        io.out << "\n";
        Table drafts({"DUTY", "VERSION", "PHASE", "SHA256", "PREPARED BY", "APPROVED BY",
                      "APPROVED"});
        for (const auto& draft : status.drafts()) {
          drafts.AddRow({DutyWord(draft.duty()), absl::StrCat(draft.draft_version()),
                         Word(draft.phase()), draft.sha256().substr(0, 12),
                         Who(draft.prepared_by()), Who(draft.approved_by()),
                         FormatTimestamp(draft.approved_at())});
        }
        drafts.Print(io.out);
        io.out << "\n";
        std::vector<const breach::v1::Delivery*> deliveries;
        for (const auto& delivery : status.deliveries()) deliveries.push_back(&delivery);
        DeliveryTable(deliveries).Print(io.out);
        if (status.receipts_size() > 0) {
          io.out << "\n";
          Table receipts({"DUTY", "RECEIPT", "PROTOCOL", "RECEIVED", "RECORDED BY", "NOTE"});
          for (const auto& receipt : status.receipts()) {
            receipts.AddRow({DutyWord(receipt.duty()), Word(receipt.kind()),
                             receipt.protocol_number(), FormatTimestamp(receipt.received_at()),
                             Who(receipt.recorded_by()), Shorten(receipt.note(), 40)});
          }
          receipts.Print(io.out);
        }
      });
}

int NotifyReceipt(const CommandLine& line, CommandIo& io) {
  breach::v1::RecordReceiptRequest request;
  if (const int code = BreachAndDuty(line, io, request); code != 0) return code;
  std::string kind = line.FlagOr("kind", "");
  if (kind.empty() && request.duty() == breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION) {
    kind = "authority-protocol";
  }
  if (kind.empty() && request.duty() == breach::v1::DUTY_KIND_CONTROLLER_NOTICE) {
    kind = "controller-acknowledged";
  }
  if (kind.empty()) return UsageError(io, "missing --kind pec-acceptance|pec-delivery");
  std::string enum_name = absl::AsciiStrToUpper(kind);
  std::replace(enum_name.begin(), enum_name.end(), '-', '_');
  breach::v1::ReceiptKind parsed;
  if (!breach::v1::ReceiptKind_Parse("RECEIPT_KIND_" + enum_name, &parsed)) {
    return UsageError(io, "--kind must be authority-protocol, controller-acknowledged, "
                          "pec-acceptance or pec-delivery");
  }
  request.set_kind(parsed);
  request.set_protocol_number(line.FlagOr("protocol", ""));
  if (parsed == breach::v1::RECEIPT_KIND_AUTHORITY_PROTOCOL && request.protocol_number().empty()) {
    return UsageError(io, "missing --protocol N (the Garante's protocol number)");
  }
  const std::optional<std::string> at = line.Flag("at");
  if (!at) return UsageError(io, "missing --at TIME (when the receipt came, RFC 3339)");
  auto received_at = TimeFlag("at", *at);
  if (!received_at.ok()) return UsageError(io, std::string(received_at.status().message()));
  *request.mutable_received_at() = *received_at;
  request.set_note(line.FlagOr("note", ""));
  return CallNotification(io, &NotificationService::Stub::RecordReceipt, request,
                          [&](const breach::v1::Receipt& receipt) {
    PrintFields(io.out, {{"breach", receipt.breach_id()},
                         {"duty", DutyWord(receipt.duty())},
                         {"receipt", Word(receipt.kind())},
                         {"protocol", receipt.protocol_number()},
                         {"received", FormatTimestamp(receipt.received_at())},
                         {"recorded by", Who(receipt.recorded_by())},
                         {"note", receipt.note()}});
  });
}

int NotifyNotice(const CommandLine& line, CommandIo& io) {
  breach::v1::GetPublicNoticeRequest request;
  request.set_breach_id(line.words[2]);
  breach::v1::PublicNotice notice;
  const grpc::Status status = Call<NotificationService>(
      io, "notification", &NotificationService::Stub::GetPublicNotice, request, &notice);
  if (!status.ok()) return Fail(io, status);
  const std::optional<std::string> file = line.Flag("output");
  if (!file || *file == "-") {
    io.out << notice.html();
    return 0;
  }
  if (absl::Status written = WriteFileAtomically(*file, notice.html(), 0644); !written.ok()) {
    io.err << "breachctl: " << OneLine(std::string(written.message())) << "\n";
    return 1;
  }
  io.out << "wrote " << *file << ": the public notice of the subjects draft v"
         << notice.draft_version() << " (art. 34(3)(c)), to publish on the school's website\n";
  return 0;
}

namespace {

using breach::v1::IncidentService;

// The school codes of a --schools file: one per line, or a CSV whose first column is
// CODICESCUOLA (its header skipped); blank lines and lines starting with # are ignored.
absl::StatusOr<std::vector<std::string>> ReadSchoolCodes(const std::string& file) {
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file));
  std::vector<std::string> codes;
  std::string line;
  while (std::getline(in, line)) {
    std::string code(absl::StripAsciiWhitespace(line.substr(0, line.find(','))));
    if (!code.empty() && code.front() == '"') code = code.substr(1, code.size() - 2);
    if (code.empty() || code.front() == '#' || code == "CODICESCUOLA") continue;
    codes.push_back(code);
  }
  if (codes.empty()) return absl::InvalidArgumentError(absl::StrCat(file, " names no school"));
  return codes;
}

// "notice sent" for INCIDENT_STAGE_NOTICE_SENT.
std::string StageName(breach::v1::IncidentStage stage) {
  switch (stage) {
    case breach::v1::INCIDENT_STAGE_CASE_CREATED: return "case created";
    case breach::v1::INCIDENT_STAGE_NOTICE_SENT: return "notice sent";
    case breach::v1::INCIDENT_STAGE_NOTICE_DELIVERED: return "notice delivered";
    case breach::v1::INCIDENT_STAGE_ACKNOWLEDGED: return "acknowledged";
    case breach::v1::INCIDENT_STAGE_ASSESSED: return "assessed";
    case breach::v1::INCIDENT_STAGE_GARANTE_NOTIFIED: return "notified to the Garante";
    case breach::v1::INCIDENT_STAGE_OVERDUE: return "overdue";
    default: return "?";
  }
}

std::string CaseList(const google::protobuf::RepeatedPtrField<breach::v1::IncidentCase>& cases) {
  std::vector<std::string> schools;
  for (const auto& c : cases) schools.push_back(absl::StrCat(c.school(), "=", c.breach_id()));
  return Shorten(absl::StrJoin(schools, " "), 120);
}

// One line per update: what it did and how far it reached.
std::string UpdateLine(const breach::v1::IncidentUpdate& update) {
  std::vector<std::string> what;
  if (!update.facts().empty()) {
    std::vector<std::string> fields;
    for (const auto& fact : update.facts()) fields.push_back(fact.field());
    what.push_back(absl::StrCat("facts: ", absl::StrJoin(fields, ", ")));
  }
  if (!update.added().empty()) what.push_back(absl::StrCat(update.added_size(), " school(s) added"));
  if (update.closes()) what.push_back("closes the incident");
  return absl::StrCat(absl::StrJoin(what, "; "), " — ", update.cases_amended(), " amended, ",
                      update.cases_closed(), " closed case(s) left, ", update.cases_unchanged(),
                      " already current", update.done() ? "" : " (running)");
}

void PrintIncidentStatus(CommandIo& io, const breach::v1::IncidentStatus& status) {
  const breach::v1::Incident& incident = status.incident();
  PrintFields(io.out, {{"incident", incident.incident_id()},
                       {"title", incident.title()},
                       {"provider aware", FormatTimestamp(incident.provider_aware_at())},
                       {"schools", absl::StrCat(status.schools(), " (", incident.selection(), ")")},
                       {"cases created", absl::StrCat(status.cases_created(), "/", status.schools(),
                                                      status.fan_out_complete() ? "" : " (fan-out running)")},
                       {"created by", Who(incident.created_by())},
                       {"recorded", FormatTimestamp(incident.recorded_at())},
                       {"closed", incident.closed() ? FormatTimestamp(incident.closed_at()) : "no"}});
  Table table({"STATUS", "CASES", "SCHOOLS"});
  for (const auto& group : status.states()) {
    table.AddRow({StatusName(group.status()), absl::StrCat(group.count()), CaseList(group.cases())});
  }
  table.Print(io.out);
  io.out << "\n";
  Table stages({"STAGE", "CASES", "SCHOOLS"});
  for (const auto& group : status.stages()) {
    stages.AddRow({StageName(group.stage()), absl::StrCat(group.count(), "/", status.cases_created()),
                   CaseList(group.cases())});
  }
  stages.Print(io.out);
  if (!status.updates().empty()) {
    io.out << "\n";
    Table updates({"UPDATE", "RECORDED", "REASON", "WHAT"});
    for (const auto& update : status.updates()) {
      updates.AddRow({absl::StrCat(update.seq()), FormatTimestamp(update.recorded_at()),
                      Shorten(update.reason(), 40), UpdateLine(update)});
    }
    updates.Print(io.out);
  }
}

// How far a piece of work on an incident got: done out of total, and whether it is over.
struct Progress {
  int done = 0;
  int total = 0;
  bool over = false;
};

// Follows work on the incident until `progress_of` says it is over: a bar redrawn in place on a
// terminal, a line per change otherwise (none with -o json). Polls the summary (the fan-out and
// the updates: constant cost, however many cases), then returns the whole status once.
absl::StatusOr<breach::v1::IncidentStatus> FollowIncident(
    CommandIo& io, const std::string& incident_id, const std::string& what,
    const std::function<Progress(const breach::v1::IncidentStatus&)>& progress_of) {
  auto get = [&](bool summary_only) -> absl::StatusOr<breach::v1::IncidentStatus> {
    breach::v1::GetIncidentRequest request;
    request.set_incident_id(incident_id);
    request.set_summary_only(summary_only);
    breach::v1::IncidentStatus status;
    const grpc::Status called = Call<IncidentService>(
        io, "intake", &IncidentService::Stub::GetIncident, request, &status);
    if (!called.ok()) return absl::Status(static_cast<absl::StatusCode>(called.error_code()),
                                          called.error_message());
    return status;
  };
  int shown = -1;
  const absl::Time give_up = absl::Now() + absl::Minutes(10);
  while (true) {
    absl::StatusOr<breach::v1::IncidentStatus> summary = get(/*summary_only=*/true);
    if (!summary.ok()) return summary.status();
    const Progress progress = progress_of(*summary);
    if (io.format == OutputFormat::kTable && (progress.done != shown || progress.over)) {
      const bool first_or_new = progress.done != shown;
      shown = progress.done;
      const int total = std::max(progress.total, 1);
      if (io.out_is_terminal) {
        constexpr int kWidth = 40;
        const int filled = kWidth * std::min(shown, total) / total;
        io.out << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] "
               << shown << "/" << progress.total << " " << what << std::flush;
        if (progress.over) io.out << "\n";
      } else if (first_or_new) {
        io.out << what << ": " << shown << "/" << progress.total << "\n";
      }
    }
    if (progress.over) return get(/*summary_only=*/false);
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the work on incident ", incident_id, " is still running after 10 minutes: "
          "breachctl incident status ", incident_id, " follows it"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

Progress FanOutProgress(const breach::v1::IncidentStatus& status) {
  return {status.cases_created(), status.schools(), status.fan_out_complete()};
}

}  // namespace

int IncidentCreate(const CommandLine& line, CommandIo& io) {
  auto text = ReadInput(line, io);
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  breach::v1::CreateIncidentRequest request;
  if (absl::Status parsed = ParseJson(*text, &request, "incident"); !parsed.ok()) {
    return UsageError(io, std::string(parsed.message()));
  }
  const std::optional<std::string> schools_file = line.Flag("schools");
  const std::optional<std::string> service = line.Flag("service");
  if (schools_file && service) return UsageError(io, "give --schools FILE or --service NAME, not both");
  if (schools_file) {
    auto codes = ReadSchoolCodes(*schools_file);
    if (!codes.ok()) return UsageError(io, std::string(codes.status().message()));
    request.mutable_schools()->Clear();
    for (const auto& code : *codes) request.mutable_schools()->add_codes(code);
  }
  if (service) {
    request.mutable_schools()->Clear();
    request.mutable_schools()->set_service(*service);
  }
  request.set_request_id(line.FlagOr("request-id", request.request_id()));
  if (request.request_id().empty()) {
    request.set_request_id(NewUlid(absl::Now()));
    if (io.format == OutputFormat::kTable) io.out << "request id " << request.request_id() << "\n";
  }
  breach::v1::Incident incident;
  const grpc::Status status = Call<IncidentService>(
      io, "intake", &IncidentService::Stub::CreateIncident, request, &incident);
  if (!status.ok()) return Fail(io, status);
  if (io.format == OutputFormat::kTable) {
    io.out << "incident " << incident.incident_id() << ": " << incident.schools_size()
           << " schools\n";
  }
  auto followed = FollowIncident(io, incident.incident_id(), "cases created", FanOutProgress);
  if (!followed.ok()) return Fail(io, grpcutil::ToGrpcStatus(followed.status()));
  return Print(io, *followed, [&] { PrintIncidentStatus(io, *followed); });
}

int IncidentUpdate(const CommandLine& line, CommandIo& io) {
  auto text = ReadInput(line, io);
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  breach::v1::UpdateIncidentRequest request;
  if (absl::Status parsed = ParseJson(*text, &request, "update"); !parsed.ok()) {
    return UsageError(io, std::string(parsed.message()));
  }
  request.set_incident_id(line.words[2]);
  const std::optional<std::string> schools_file = line.Flag("schools");
  if (schools_file) {
    auto codes = ReadSchoolCodes(*schools_file);
    if (!codes.ok()) return UsageError(io, std::string(codes.status().message()));
    request.mutable_add_schools()->Clear();
    for (const auto& code : *codes) request.mutable_add_schools()->add_codes(code);
  }
  request.set_request_id(line.FlagOr("request-id", request.request_id()));
  if (request.request_id().empty()) {
    request.set_request_id(NewUlid(absl::Now()));
    if (io.format == OutputFormat::kTable) io.out << "request id " << request.request_id() << "\n";
  }
  breach::v1::IncidentUpdate update;
  const grpc::Status status = Call<IncidentService>(
      io, "intake", &IncidentService::Stub::UpdateIncident, request, &update);
  if (!status.ok()) return Fail(io, status);
  if (io.format == OutputFormat::kTable) {
    io.out << "update " << update.seq() << " of incident " << update.incident_id() << ": "
           << update.facts_size() << " fact(s) changed, " << update.added_size()
           << " school(s) added" << (update.closes() ? ", the incident closed" : "") << "\n";
  }
  // Every added school's case, then the amendments of every case it targets.
  auto followed = FollowIncident(
      io, update.incident_id(), "cases reached",
      [seq = update.seq(), targets = update.targets()](const breach::v1::IncidentStatus& s) {
        Progress progress{0, targets, false};
        for (const auto& u : s.updates()) {
          if (u.seq() != seq) continue;
          progress.done = u.cases_amended() + u.cases_closed() + u.cases_unchanged();
          progress.over = u.done() && s.fan_out_complete();
        }
        return progress;
      });
  if (!followed.ok()) return Fail(io, grpcutil::ToGrpcStatus(followed.status()));
  for (const auto& u : followed->updates()) {
    if (u.seq() == update.seq()) update = u;
  }
  return Print(io, update, [&] {
    PrintFields(io.out, {{"incident", update.incident_id()},
                         {"update", absl::StrCat(update.seq())},
                         {"reason", update.reason()},
                         {"amended", absl::StrCat(update.cases_amended(), " open case(s)")},
                         {"not amended", absl::StrCat(update.cases_closed(), " closed case(s)")},
                         {"already current", absl::StrCat(update.cases_unchanged())},
                         {"schools added", absl::StrJoin(update.added(), " ")},
                         {"cases", absl::StrCat(followed->cases_created(), "/", followed->schools())}});
  });
}

int IncidentStatus(const CommandLine& line, CommandIo& io) {
  breach::v1::GetIncidentRequest request;
  request.set_incident_id(line.words[2]);
  request.set_with_schools(line.Flag("cases").has_value() || io.format == OutputFormat::kJson);
  breach::v1::IncidentStatus status;
  const grpc::Status called = Call<IncidentService>(
      io, "intake", &IncidentService::Stub::GetIncident, request, &status);
  if (!called.ok()) return Fail(io, called);
  return Print(io, status, [&] { PrintIncidentStatus(io, status); });
}

int IncidentList(const CommandLine& line, CommandIo& io) {
  breach::v1::ListIncidentsResponse response;
  const grpc::Status called = Call<IncidentService>(
      io, "intake", &IncidentService::Stub::ListIncidents, breach::v1::ListIncidentsRequest(),
      &response);
  if (!called.ok()) return Fail(io, called);
  return Print(io, response, [&] {
    Table table({"INCIDENT", "RECORDED", "CASES", "SCHOOLS", "TITLE"});
    for (const auto& incident : response.incidents()) {
      table.AddRow({incident.incident_id(), FormatTimestamp(incident.recorded_at()),
                    absl::StrCat(incident.cases_created()), incident.selection(),
                    Shorten(incident.title(), 60)});
    }
    table.Print(io.out);
  });
}

int BreachAck(const CommandLine& line, CommandIo& io) {
  breach::v1::RecordReceiptRequest request;
  request.set_breach_id(line.words[2]);
  request.set_duty(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  request.set_kind(breach::v1::RECEIPT_KIND_CONTROLLER_ACKNOWLEDGED);
  if (const std::optional<std::string> at = line.Flag("at")) {
    auto received_at = TimeFlag("at", *at);
    if (!received_at.ok()) return UsageError(io, std::string(received_at.status().message()));
    *request.mutable_received_at() = *received_at;
  } else {
    *request.mutable_received_at() = ProtoFromTime(absl::Now());
  }
  request.set_note(line.FlagOr("note", ""));
  return CallNotification(io, &NotificationService::Stub::RecordReceipt, request,
                          [&](const breach::v1::Receipt& receipt) {
    PrintFields(io.out, {{"breach", receipt.breach_id()},
                         {"acknowledged", FormatTimestamp(receipt.received_at())},
                         {"recorded by", Who(receipt.recorded_by())},
                         {"note", receipt.note()}});
    io.out << "the school's own 72 hours run from the acknowledgement unless it was already "
              "aware: breachctl deadline list\n";
  });
}

}  // namespace breachd::breachctl
