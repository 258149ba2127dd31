#include "tools/breachctl/command_table.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "breach/v1/register.pb.h"
#include "tools/breachctl/access_commands.h"
#include "tools/breachctl/commands.h"
#include "tools/breachctl/key_rotation.h"
#include "tools/breachctl/tenant_commands.h"
#include "tools/breachctl/register_export.h"
#include "tools/breachctl/token_mint.h"
#include "tools/breachctl/version.h"

namespace breachd::breachctl {
namespace {

// `breachctl help [COMMAND [SUBCOMMAND]]`.
int Help(const CommandLine& line, CommandIo& io) {
  const auto text =
      HelpFor(BreachctlCli(), std::vector<std::string>(line.words.begin() + 1, line.words.end()));
  if (!text.ok()) return UsageError(io, std::string(text.status().message()));
  io.out << *text;
  return 0;
}

int Version(const CommandLine& line, CommandIo& io) {
  io.out << VersionLine() << "\n";
  return 0;
}

int Completion(const CommandLine& line, CommandIo& io) {
  if (line.words[1] != "bash") {
    return UsageError(io, "unsupported shell '" + line.words[1] + "' (bash is supported)");
  }
  io.out << BashCompletion(BreachctlCli());
  return 0;
}

// "reported", ...: the register statuses, from the proto enum.
std::vector<std::string> StatusNames() {
  std::vector<std::string> names;
  const auto* descriptor = breach::v1::BreachStatus_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto* value = descriptor->value(i);
    if (value->number() == 0) continue;
    names.push_back(absl::AsciiStrToLower(value->name().substr(sizeof("BREACH_STATUS_") - 1)));
  }
  return names;
}

FlagInfo Value(std::string name, std::string value, std::string help, char short_name = 0) {
  FlagInfo flag;
  flag.name = std::move(name);
  flag.short_name = short_name;
  flag.value = std::move(value);
  flag.help = std::move(help);
  return flag;
}

// A value out of `choices`, which are also its usage ("table|json") and its completions.
FlagInfo Choice(std::string name, std::string help, std::vector<std::string> choices,
                char short_name = 0) {
  FlagInfo flag = Value(std::move(name), absl::StrJoin(choices, "|"), std::move(help), short_name);
  flag.choices = std::move(choices);
  return flag;
}

FlagInfo File(std::string name, std::string value, std::string help, char short_name = 0) {
  FlagInfo flag = Value(std::move(name), std::move(value), std::move(help), short_name);
  flag.file_value = true;
  return flag;
}

FlagInfo Switch(std::string name, std::string help, char short_name = 0) {
  return Value(std::move(name), "", std::move(help), short_name);
}

CliSpec MakeCli() {
  CliSpec cli;
  cli.program = "breachctl";
  cli.summary = "operate breachd over gRPC, and preview a risk assessment offline.";
  cli.flags = {
      Value("endpoint", "HOST:PORT",
            "breachd's endpoint (default $BREACHCTL_ENDPOINT, else 127.0.0.1:50051)"),
      Value("intake-endpoint", "HOST:PORT",
            "the intake service, if elsewhere ($BREACHCTL_INTAKE_ENDPOINT)"),
      Value("assessment-endpoint", "HOST:PORT",
            "the assessment service, if elsewhere ($BREACHCTL_ASSESSMENT_ENDPOINT)"),
      Value("register-endpoint", "HOST:PORT",
            "the register service, if elsewhere ($BREACHCTL_REGISTER_ENDPOINT); several, "
            "comma-separated, for a partitioned register: breach list merges them"),
      Value("notification-endpoint", "HOST:PORT",
            "the notification service, if elsewhere ($BREACHCTL_NOTIFICATION_ENDPOINT)"),
      Value("token", "TOKEN", "bearer token (default $BREACHCTL_TOKEN)"),
      Value("timeout", "SECONDS", "deadline of each call (default 10)"),
      File("cacert", "FILE",
           "CA certificate (PEM) that verifies breachd (default $BREACHCTL_CACERT, else the "
           "system's roots)"),
      File("cert", "FILE", "client certificate (PEM) for mutual TLS (default $BREACHCTL_CERT)"),
      File("key", "FILE", "private key (PEM) of --cert (default $BREACHCTL_KEY)"),
      Switch("insecure", "plaintext, for a breachd started with --insecure ($BREACHCTL_INSECURE)"),
      Value("server-name", "NAME",
            "the name breachd's certificate carries when the endpoint's host is not it, e.g. "
            "a probe calling 127.0.0.1 ($BREACHCTL_SERVER_NAME)"),
      Choice("output", "how to print the answer (default table)", {"table", "json"}, 'o'),
      File("file", "FILE", "the JSON input file", 'f'),
      Value("request-id", "ID", "idempotency key: the same id files once (default: a new ULID)"),
      Value("tenant", "CODE",
            "a school code: breach list shows only it (provider operators; a school sees its "
            "own); token mint puts it in the token (or provider)"),
      Choice("status", "only entries in this status", StatusNames()),
      Value("year", "YEAR", "only breaches discovered in this year (Europe/Rome)"),
      Value("page-size", "N", "entries per page"),
      Value("page-token", "TOKEN", "the page to show, from the previous page's last line"),
      Value("awareness", "TIME",
            "when the school became aware, RFC 3339 (2026-03-27T10:00:00+01:00)"),
      Value("aware-ago", "DURATION",
            "the school became aware DURATION before now: 6h, 90m, 1h30m, 2d"),
      Value("now", "TIME", "evaluate at this RFC 3339 time instead of the clock"),
      Choice("lang", "language of the table and the drafts (default it)", {"it", "en"}),
      File("regimes", "DIR", "regime directory (default: ./regimes, installed, source tree)"),
      File("templates", "DIR", "template directory (default: as for --regimes)"),
      Value("service", "NAME",
            "admin: only the store of this service (intake, register); school list: only the "
            "schools using this service of the provider"),
      Switch("all", "every parked event"),
      File("backup-dir", "DIR", "the backup folder of one store (breachd's --backup_dir/<service>)"),
      File("data-dir", "DIR", "the stopped service's store folder (breachd's --data_dir/<service>)"),
      File("signing-key", "FILE", "private key (PEM, P-256 EC or RSA) that signs the token"),
      Value("sub", "SUBJECT", "the token's subject, e.g. user:dpo"),
      Value("roles", "ROLES", "comma-separated roles, e.g. school-dpo"),
      File("checkpoint-key", "FILE", "the checkpoint signing key in use (breachd's --signing_key_file)"),
      File("new-checkpoint-key", "FILE", "where to write the new checkpoint signing key (a new file)"),
      Value("root", "HEX", "the first public key of the chain, as you were given it"),
      Value("for", "DURATION", "how long break-glass access lasts: 30m, 2h (at most 24h)"),
      Value("ttl", "DURATION", "how long the token is valid, 1s to 720h: 15m, 1h, 8h (default 1h)"),
      Value("issuer", "ISS", "the token's issuer, breachd's --jwt_issuer (default breachd-dev)"),
      Value("audience", "AUD", "the token's audience, breachd's --jwt_audience (default breachd)"),
      Value("kid", "KID", "the key id in the header: the public key's name (default dev)"),
      Choice("verdict", "the triage's verdict", {"breach", "not-a-breach", "investigating"}),
      Value("aware-at", "TIME",
            "when the school became reasonably certain of the breach, RFC 3339"),
      Value("reason", "TEXT", "why (kept with the change, shown in the trail)"),
      Value("confirm", "CODE", "repeat the school code: erasing its keys cannot be undone"),
      Value("evidence", "TEXT", "on what evidence the school became aware"),
      Value("expected-revision", "N",
            "refuse (ABORTED) unless the breach is still at this revision (see report get)"),
      Value("expected-version", "N",
            "refuse (ABORTED) unless the latest assessment version is still N"),
      Value("what", "TEXT", "what the action does"),
      Value("responsible", "WHO", "who is responsible for the action"),
      Choice("action-status", "where the action stands (default planned)",
             {"planned", "in-progress", "done"}),
      Value("done-at", "TIME", "when the action was done, RFC 3339 (with --action-status done)"),
      Value("assessment-version", "N", "this version instead of the latest"),
      Choice("duty",
             "the duty: authority (the Garante, art. 33), subjects (art. 34), controller (the "
             "processor's notice to the school)",
             {"authority", "subjects", "controller"}),
      Switch("overdue",
             "only what is past its due time: the clocks (deadline list), the breaches with a "
             "duty overdue (breach list)"),
      Choice("classification", "only breaches of this classification (procedure: 1, 2 or 3)",
             {"1", "2", "3"}),
      Choice("notified", "only breaches notified to the Garante (yes) or not (no)",
             {"yes", "no"}),
      Choice("sort", "the order (default: as filed)", {"filed", "discovered", "due"}),
      Value("due-within", "DURATION", "only the clocks due within DURATION: 24h, 90m, 3d"),
      Choice("phase",
             "the notification's phase (default: preliminary while facts are missing, else "
             "complete)",
             {"preliminary", "complete", "supplementary"}),
      Value("previous-protocol", "N",
            "the Garante's protocol number of the notification this one supplements"),
      Value("draft-version", "N", "a draft's version (default: the latest)"),
      Value("sha256", "HEX", "the hash of the draft version you read (notify draft/show print it)"),
      Value("delay-reason", "TEXT",
            "why it comes after the deadline (art. 33(1)); required when approving late"),
      File("recipients", "FILE.csv",
           "the data subjects (--duty subjects): CSV name,email,language with a header line"),
      Switch("resend-unknown", "send again the deliveries whose outcome is unknown"),
      Value("protocol", "N", "the Garante's protocol number"),
      Value("at", "TIME", "when the receipt came, RFC 3339 (2026-03-28T09:30:00+01:00)"),
      Choice("kind",
             "the receipt (default: authority-protocol for authority, controller-acknowledged "
             "for controller)",
             {"authority-protocol", "controller-acknowledged", "pec-acceptance", "pec-delivery"}),
      Value("note", "TEXT", "a note kept with the receipt"),
      File("schools", "FILE",
           "the affected schools: one code per line, or a CSV whose first column is CODICESCUOLA"),
      Switch("cases", "list each case (school=breach id) under its status"),
      Choice("required", "the human decision", {"true", "false"}),
      Choice("format", "the export's format", {"csv", "json", "pdf"}),
      File("export", "FILE.json", "check this exported register offline instead"),
      Switch("help", "help for the command", 'h'),
      Switch("version", "print breachctl's version"),
  };
  cli.connection_flags = {"endpoint",          "intake-endpoint",       "assessment-endpoint",
                          "register-endpoint", "notification-endpoint", "token",
                          "timeout",           "cacert",                "cert",
                          "key",               "insecure",              "server-name"};
  cli.global_flags = {"help", "version"};
  cli.groups = {
      {"report", "the Allegato A reports: file one, read one, amend one"},
      {"breach", "the Registro dei Data Breach: list, read an entry, its timeline; triage, close"},
      {"action", "containment and recovery actions (procedure, step 2)"},
      {"assess", "the risk assessment (Allegato B): submit, show, history; preview offline"},
      {"duty", "the art. 33/34 decisions: a human override with a reason"},
      {"admin", "operating breachd: delivery status, events the bus refused, checkpoint key, backups"},
      {"school", "the provider's school directory (import, list); a school's details: name, DPO, PEC"},
      {"incident", "provider-wide incidents: one breach per affected school, with its own clocks"},
      {"deadline", "the notification clocks of every breach: due, left, status, failures"},
      {"notify", "notifications: draft, approve, send, status, receipts, public notice"},
      {"token", "development tokens: sign a JWT with a local key, offline"},
      {"register", "the register for an inspection: CSV, JSON or PDF with its chain proof"},
      {"tenant", "a school's keys and the end of its contract: rotate, export, erase, retention"},
  };
  cli.commands = {
      {.path = {"report", "create"},
       .usage = "-f FILE [--request-id ID]",
       .summary = "file an Allegato A report",
       .description =
           "Reads the report as JSON (breach.v1.BreachReport; see docs/examples/report-*.json)\n"
           "from FILE, or from stdin with -f -, and prints the breach it opened. A bad field is\n"
           "named in the error and nothing is filed. Filing again with the same --request-id is a\n"
           "retry: it answers with the first breach and opens no second one.",
       .flags = {"file", "request-id", "output"},
       .server = true,
       .examples = {"# A teacher's laptop was lost on a train:",
                    "breachctl report create -f docs/examples/report-lost-laptop.json",
                    "# A retry with the same request id files nothing new:",
                    "breachctl report create -f docs/examples/report-wrong-recipient.json "
                    "--request-id demo-1",
                    "# The report from stdin, the answer as JSON:",
                    "cat report.json | breachctl report create -f - -o json"},
       .run = ReportCreate},
      {.path = {"report", "get"},
       .usage = "BREACH_ID",
       .summary = "the report as filed (the read is recorded)",
       .description =
           "Prints the Allegato A report of a breach as it was filed, with who filed it and when.\n"
           "The read itself is recorded in the breach's timeline.",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl report get 01JQ0LAPTOP000000000000000",
                    "breachctl report get $ID -o json"},
       .run = ReportGet},
      {.path = {"breach", "list"},
       .usage = "[--tenant CODE] [--status STATUS] [--year YEAR] [--classification N] "
                "[--notified yes|no] [--overdue] [--sort ORDER] [--page-size N] "
                "[--page-token TOKEN]",
       .summary = "the register entries (Registro dei Data Breach)",
       .description =
           "Lists the register of the token's school; a provider operator sees every school and\n"
           "can pick one with --tenant. Long lists come in pages: the last line names the next\n"
           "page's --page-token (for the same filters and order). The table shows the main\n"
           "columns (class, severity, notified to the Garante, communicated to the data\n"
           "subjects, the next due time and OVERDUE); -o json has every column (docs/register.md).\n"
           "The register is fed by the bus, so a report appears a moment after it is filed.",
       .flags = {"tenant", "status", "year", "classification", "notified", "overdue", "sort",
                 "page-size", "page-token", "output"},
       .server = true,
       .examples = {"breachctl breach list",
                    "breachctl breach list --year 2026 --status reported -o json",
                    "# Class 3 breaches not yet notified to the Garante, most urgent first:",
                    "breachctl breach list --classification 3 --notified no --sort due",
                    "breachctl breach list --overdue",
                    "# A provider operator, one school:",
                    "breachctl breach list --tenant MIIS01200V --page-size 20",
                    "# A register run as two partitioned instances: both, merged:",
                    "breachctl breach list --register-endpoint 10.0.0.7:50051,10.0.0.8:50051"},
       .run = BreachList},
      {.path = {"breach", "get"},
       .usage = "BREACH_ID",
       .summary = "one register entry (the read is recorded)",
       .description =
           "Prints one entry of the register. The read itself is recorded in the breach's\n"
           "timeline.",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach get 01JQ0LAPTOP000000000000000",
                    "breachctl breach get $ID -o json"},
       .run = BreachGet},
      {.path = {"breach", "timeline"},
       .usage = "BREACH_ID",
       .summary = "every event of a breach: who, role, occurred, recorded",
       .description =
           "Prints the breach's events in order, with the actor, the actor's role, when it\n"
           "happened and when it was recorded. Reads are events too: your own reads show up here.",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach timeline $ID", "breachctl breach timeline $ID -o json"},
       .run = BreachTimeline},
      {.path = {"breach", "knowledge"},
       .usage = "BREACH_ID",
       .summary = "who knew what, and when: each person and the first time they saw each fact",
       .description =
           "For each principal, the first time they saw each fact of the breach (the report and\n"
           "each amendment, each assessment version, each draft and what was sent) and how: as\n"
           "its author, or by a read (report, register entry, timeline, a page of the register).\n"
           "Then the awareness moments with their evidence. The read itself is recorded.",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach knowledge $ID", "breachctl breach knowledge $ID -o json"},
       .run = BreachKnowledge},
      {.path = {"breach", "triage"},
       .usage = "BREACH_ID --verdict breach|not-a-breach|investigating --reason TEXT "
                "[--aware-at TIME --evidence TEXT] [--expected-revision N]",
       .summary = "judge an incident: a breach (fixing the awareness moment) or not",
       .description =
           "The controller (school-head) or the DPO judges whether the report is a personal-data\n"
           "breach. A breach verdict fixes the awareness moment (--aware-at, when the school became\n"
           "reasonably certain; the art. 33 clock starts there) and on what evidence. Triaging\n"
           "again corrects it: the correction and the moment it corrects both stay in the trail.\n"
           "\"not-a-breach\" stays in the register with its reason.",
       .flags = {"verdict", "aware-at", "reason", "evidence", "expected-revision", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach triage $ID --verdict breach "
                    "--aware-at 2026-03-27T10:00:00+01:00 \\\n"
                    "      --evidence 'Denuncia alla Polfer' --reason 'Portatile non cifrato'",
                    "breachctl breach triage $ID --verdict not-a-breach "
                    "--reason 'Disco cifrato, chiave al sicuro'"},
       .run = BreachTriage},
      {.path = {"report", "amend"},
       .usage = "BREACH_ID -f FILE [--reason TEXT] [--expected-revision N]",
       .summary = "correct or complete a report (the original stays as filed)",
       .description =
           "Reads a breach.v1.AmendReportRequest as JSON (update_mask naming the fields, report\n"
           "holding their new values, reason; see docs/examples/amend-*.json). Each change is kept\n"
           "with the old and the new value and who made it; the report as read is the original\n"
           "plus its amendments. --reason replaces the file's reason.",
       .flags = {"file", "reason", "expected-revision", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl report amend $ID -f docs/examples/amend-more-pupils.json"},
       .run = ReportAmend},
      {.path = {"action", "add"},
       .usage = "BREACH_ID --what TEXT --responsible WHO [--action-status planned|in-progress|done "
                "[--done-at TIME]] [--request-id ID]",
       .summary = "record a containment or recovery action",
       .description =
           "Records what was done (or is planned) to contain the breach and recover, who is\n"
           "responsible and, once done, when. The IT manager, the head and the DPO may record.\n"
           "The same --request-id again is a retry and records nothing new.",
       .flags = {"what", "responsible", "action-status", "done-at", "request-id", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl action add $ID --what 'Password del registro cambiate' "
                    "--responsible 'Animatore digitale' \\\n"
                    "      --action-status done --done-at 2026-03-27T11:00:00+01:00"},
       .run = ActionAdd},
      {.path = {"action", "list"},
       .usage = "BREACH_ID",
       .summary = "the containment and recovery actions of a breach",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl action list $ID"},
       .run = ActionList},
      {.path = {"assess", "submit"},
       .usage = "BREACH_ID -f FILE [--lang it|en] [--request-id ID] [--expected-version N]",
       .summary = "submit an Allegato B: the engine decides severity, class and duties",
       .description =
           "Sends a risk assessment (breach.v1.RiskAssessment; see docs/examples/assess-*.json)\n"
           "for a breach judged a breach. The service evaluates it now, from the awareness moment\n"
           "fixed by triage, and keeps the outcome as a new version. Prints it as assess show.",
       .flags = {"file", "lang", "request-id", "expected-version", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl assess submit $ID -f docs/examples/assess-lost-laptop.json"},
       .run = AssessSubmit},
      {.path = {"assess", "show"},
       .usage = "BREACH_ID [--assessment-version N] [--lang it|en]",
       .summary = "an assessment: severity factors, classification, duties with reasons",
       .description =
           "Prints the latest version (or --assessment-version N) like assess preview: the ENISA\n"
           "severity with its factor table, the classification with its reasons and each duty\n"
           "with its reasons, legal basis and regime, in Italian unless --lang en.",
       .flags = {"assessment-version", "lang", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl assess show $ID", "breachctl assess show $ID --assessment-version 1 --lang en"},
       .run = AssessShow},
      {.path = {"assess", "history"},
       .usage = "BREACH_ID",
       .summary = "every version of a breach's assessment",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl assess history $ID"},
       .run = AssessHistory},
      {.path = {"duty", "override"},
       .usage = "BREACH_ID --duty authority|subjects|controller --required true|false "
                "--reason TEXT [--expected-version N]",
       .summary = "replace the engine's decision on a duty, with a written reason",
       .description =
           "The head or the DPO replaces the engine's art. 33/34 decision on one duty of the\n"
           "latest assessment. Both decisions and the reason are kept and shown.",
       .flags = {"duty", "required", "reason", "expected-version", "lang", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl duty override $ID --duty subjects --required true "
                    "--reason 'Le famiglie vanno informate'"},
       .run = DutyOverride},
      {.path = {"assess", "decide"},
       .usage = "BREACH_ID --reason TEXT [--expected-version N]",
       .summary = "confirm the art. 33/34 decisions of the latest version",
       .description =
           "The head or the DPO confirms the duties of the latest assessment version (overrides\n"
           "included): the breach becomes decided, and notification starts from here.",
       .flags = {"reason", "expected-version", "lang", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl assess decide $ID --reason 'Valutazione del DPO condivisa'"},
       .run = AssessDecide},
      {.path = {"breach", "close"},
       .usage = "BREACH_ID --reason TEXT [--expected-revision N]",
       .summary = "close a decided breach, or an incident judged not a breach",
       .flags = {"reason", "expected-revision", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach close $ID --reason 'Notifiche inviate, misure adottate'"},
       .run = BreachClose},
      {.path = {"breach", "reopen"},
       .usage = "BREACH_ID --reason TEXT [--expected-revision N]",
       .summary = "reopen a closed breach (new facts)",
       .flags = {"reason", "expected-revision", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach reopen $ID --reason 'Nuovi fatti dalla Polfer'"},
       .run = BreachReopen},
      {.path = {"breach", "grant-access"},
       .usage = "BREACH_ID [--reason TEXT]",
       .summary = "let the provider's staff read this breach's personal data (school head, DPO)",
       .description =
           "The provider is the school's processor: its staff see a breach's metadata (codes,\n"
           "statuses, deadlines, counts) but names, contacts and descriptions only once the\n"
           "school grants it, per breach. Recorded in the breach's timeline and the SIEM feed.",
       .flags = {"reason", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach grant-access $ID --reason 'Supporto sul registro elettronico'"},
       .run = BreachGrantAccess},
      {.path = {"breach", "revoke-access"},
       .usage = "BREACH_ID [--reason TEXT]",
       .summary = "withdraw the provider's access to this breach's personal data",
       .flags = {"reason", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach revoke-access $ID --reason 'Verifica conclusa'"},
       .run = BreachRevokeAccess},
      {.path = {"breach", "break-glass"},
       .usage = "BREACH_ID --reason TEXT --for DURATION",
       .summary = "read a breach's personal data without the school's grant, for a while "
                  "(provider incident manager)",
       .description =
           "Emergency access for a provider-incident-manager: the personal data of this breach\n"
           "becomes readable to you alone for DURATION (at most 24h). The reason, who and until\n"
           "when are recorded on the breach, shown to the school in its timeline, and sent to\n"
           "the SIEM (without the reason).",
       .flags = {"reason", "for", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl breach break-glass $ID --reason 'Ransomware: quali alunni' --for 2h"},
       .run = BreachBreakGlass},
      {.path = {"verify"},
       .usage = "[BREACH_ID] [--export FILE.json]",
       .summary = "re-check the hash chains of the event stores, or of an exported register",
       .description =
           "Recomputes every hash chain of each service's event store (or only the breach's\n"
           "streams) and prints one row per store. Verifying every store also checks each\n"
           "store's latest signed checkpoint (when breachd has a signing key): its signature and\n"
           "that it covers the stream heads at its position, so a store rewritten wholesale with\n"
           "recomputed hashes fails. With --export, offline: checks a register exported as JSON\n"
           "(register export --format json) against its hashes: each event's hash, the links\n"
           "between events, each stream's head, and each entry folded again from its events.\n"
           "Exits 3 when a chain or an export was tampered with.",
       .flags = {"output", "export"},
       .server = true,
       .max_args = 1,
       .examples = {"breachctl --token $OPS verify", "breachctl verify $ID",
                    "# One service's store, when the services run apart:",
                    "breachctl verify --endpoint 127.0.0.1:50052",
                    "# An export handed to an inspector, offline:",
                    "breachctl verify --export registro-2026.json"},
       .run = Verify},
      {.path = {"register", "export"},
       .usage = "--format csv|json|pdf -o FILE [--year YEAR] [--tenant CODE]",
       .summary = "the register for an inspection, with the chain proof (the export is recorded)",
       .description =
           "Writes the register of the token's school (a provider operator: every school, or one\n"
           "with --tenant) for a year or all years: CSV or JSON (UTF-8, columns in\n"
           "docs/register.md) or a PDF in Italian laid out like a printed register (one table,\n"
           "then a page per breach with its timeline). The JSON carries every entry's events and\n"
           "the stream heads and hashes at export time: verify --export checks it offline. The\n"
           "export is recorded before it is handed out; another school's is refused (recorded).\n"
           "A progress bar shows on a terminal.",
       .flags = {"format", "year", "tenant", "output"},
       .own_flags = {File("output", "FILE", "where to write the export", 'o')},
       .server = true,
       .examples = {"breachctl register export --format pdf --year 2026 -o registro-2026.pdf",
                    "breachctl register export --format json -o registro.json",
                    "breachctl --token $OPS register export --format csv --tenant MIIS01200V "
                    "-o MIIS01200V.csv"},
       .run = RegisterExport},
      {.path = {"tenant", "export"},
       .usage = "CODE [-o DIR]",
       .summary = "the school's whole record in open formats (JSON and CSV), into a folder",
       .description =
           "Writes the school's record to DIR (default ./tenant-CODE), readable personal data\n"
           "included: register.json (every entry with its timeline, events and the chain proof;\n"
           "verify --export checks it), register.csv (the register's documented columns),\n"
           "timelines.csv (every timeline line of every breach) and reports.json (each Allegato A\n"
           "report as filed and amended). Give it to the school before 'tenant erase'. The\n"
           "export and each report read are recorded. Run it with the school's head or DPO token:\n"
           "with a provider token the personal fields read [redacted: personal data].",
       .flags = {"output"},
       .own_flags = {File("output", "DIR", "the folder to write into (created)", 'o')},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $DPO tenant export MIIS01200V -o /secure/MIIS01200V"},
       .run = TenantExport},
      {.path = {"tenant", "erase"},
       .usage = "CODE --confirm CODE --reason TEXT",
       .summary = "destroy the school's keys: its personal data becomes unreadable everywhere",
       .description =
           "Destroys the school's data key and read-record keys in the keyring, so its names,\n"
           "contacts and descriptions read as [erased] in every store, bus message and backup,\n"
           "and records TenantErased in every store. Codes, statuses, classifications, dates and\n"
           "counts stay, and every chain still verifies. It cannot be undone: export first.\n"
           "The school files nothing afterwards. Provider operators; school roles are refused.",
       .flags = {"confirm", "reason", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $OPS tenant erase MIIS01200V --confirm MIIS01200V "
                    "--reason \"contract ended 2026-06-30, record handed over\""},
       .run = TenantErase},
      {.path = {"tenant", "contract-end"},
       .usage = "CODE DATE|none",
       .summary = "record when the school's contract ends (retention erases it 12 months later)",
       .description =
           "Records the school's contract end (YYYY-MM-DD, UTC), or clears it with none. The\n"
           "retention job (daily, and at start) erases the school 12 months after it, as seed 000\n"
           "promises. Recorded as ContractEndSet. Provider operators.",
       .flags = {"output"},
       .server = true,
       .min_args = 2,
       .max_args = 2,
       .examples = {"breachctl --token $OPS tenant contract-end MIIS01200V 2026-06-30",
                    "breachctl --token $OPS tenant contract-end MIIS01200V none"},
       .run = TenantContractEnd},
      {.path = {"tenant", "retention"},
       .usage = "[CODE]",
       .summary = "where schools stand: contract end, erasure due, erased, live keys",
       .flags = {"output"},
       .server = true,
       .max_args = 1,
       .examples = {"breachctl --token $OPS tenant retention",
                    "breachctl --token $OPS tenant retention MIIS01200V -o json"},
       .run = TenantRetention},
      {.path = {"tenant", "rotate-key"},
       .usage = "CODE --reason TEXT",
       .summary = "give the school a new data key: new personal data is sealed under it",
       .description =
           "Makes a new data key (school.CODE.2, .3, ...) the school's current one in the keyring\n"
           "every service shares: personal data written from now on is sealed under it, and what\n"
           "was sealed under the earlier keys still opens (they stay until 'tenant erase'\n"
           "destroys them all). Nothing is re-encrypted. Recorded as TenantKeyRotated in every\n"
           "store. Refused for an erased school. Provider operators and incident managers.",
       .flags = {"reason", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $OPS tenant rotate-key MIIS01200V --reason \"yearly rotation\"",
                    "breachctl --token $OPS tenant rotate-key MIIS01200V --reason \"laptop with "
                    "the keyring stolen\" -o json"},
       .run = TenantRotateKey},
      {.path = {"admin", "status"},
       .summary = "delivery: each consumer's checkpoint, lag and gaps; outboxes; parked events",
       .description =
           "For each consumer and source: the checkpoint (every source event at or below it is\n"
           "applied), the source store's head as last seen, the lag, bus gaps detected and\n"
           "repaired, and how many events came over the bus and from catch-up reads of the\n"
           "source store. Then each outbox (pending counted up to 10,000), each SIEM relay\n"
           "(docs/siem.md: sink, checkpoint, store head, lag, published, errors) when the feed\n"
           "is on, and the events a consumer parked because it could not apply them. Provider\n"
           "operators only.",
       .flags = {"output"},
       .server = true,
       .examples = {"breachctl --token $OPS admin status",
                    "# The register's process, when the services run apart:",
                    "breachctl --token $OPS admin status --endpoint 127.0.0.1:50052 -o json"},
       .run = AdminStatus},
      {.path = {"admin", "parked"},
       .usage = "[--service NAME]",
       .summary = "events the bus refused for good, held out of the outbox",
       .description =
           "Lists the events a store's relay parked because the broker refused them for good\n"
           "(too large, invalid, not authorized), so that the events behind them kept flowing.\n"
           "While any is parked, the service's health is NOT_SERVING. Provider operators only.",
       .flags = {"service", "output"},
       .server = true,
       .examples = {"breachctl --token $OPS admin parked",
                    "breachctl --token $OPS admin parked --service intake -o json"},
       .run = AdminParked},
      {.path = {"admin", "public-key"},
       .summary = "the public key the stores sign their checkpoints with, and the latest ones",
       .description =
           "Prints the Ed25519 public key (hex) of the stores' signed checkpoints, then each\n"
           "store's latest checkpoint (position, heads digest, signature). Give the key to the\n"
           "schools or an auditor, and keep the checkpoints: a store rewritten later cannot match\n"
           "them. The same key is in <signing key file>.pub beside the key. Provider roles.",
       .flags = {"output"},
       .server = true,
       .examples = {"breachctl --token $OPS admin public-key",
                    "breachctl --token $OPS admin public-key -o json > checkpoints.json"},
       .run = AdminPublicKey},
      {.path = {"admin", "rotate-signing-key"},
       .usage = "--checkpoint-key FILE --new-checkpoint-key FILE",
       .summary = "replace the checkpoint signing key, the new one endorsed by the old (offline)",
       .description =
           "On the host that holds the keys, without calling breachd: makes a new Ed25519 key\n"
           "(0600, its public key in FILE.pub) and writes FILE.chain, the chain of public keys\n"
           "from the first one, each endorsed by the signature of the key before it. Restart\n"
           "breachd with --signing_key_file=NEW: it reads NEW.chain, checks it, signs with the\n"
           "new key and still verifies checkpoints signed with the earlier ones. Give the chain\n"
           "file to whoever holds the first public key (breachctl admin key-chain).",
       .flags = {"checkpoint-key", "new-checkpoint-key", "output"},
       .examples = {"breachctl admin rotate-signing-key --checkpoint-key /etc/breachd/checkpoint.key "
                    "--new-checkpoint-key /etc/breachd/checkpoint-2027.key"},
       .run = AdminRotateSigningKey},
      {.path = {"admin", "key-chain"},
       .usage = "FILE [--root HEX]",
       .summary = "check a chain of checkpoint keys from the first public key (auditors)",
       .description =
           "Checks that every key in the chain file is endorsed by the key before it and, with\n"
           "--root, that the chain starts at the public key you were given; then lists the keys.\n"
           "A checkpoint signed by any key of a chain that checks out is breachd's. Offline.",
       .flags = {"root", "output"},
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl admin key-chain checkpoint-2027.key.chain --root 3b6a27bc..."},
       .run = AdminKeyChain},
      {.path = {"admin", "retry"},
       .usage = "POSITION | --all [--service NAME]",
       .summary = "put parked events back in the outbox, once the cause is fixed",
       .description =
           "Puts one parked event (by its position in its store) or every parked event back in\n"
           "the outbox. An event the broker still refuses is parked again, its attempts counted.",
       .flags = {"service", "all", "output"},
       .server = true,
       .max_args = 1,
       .examples = {"breachctl --token $OPS admin retry 42 --service intake",
                    "breachctl --token $OPS admin retry --all"},
       .run = AdminRetry},
      {.path = {"admin", "backup"},
       .usage = "[--service NAME]",
       .summary = "back up every store of a breachd while it serves",
       .description =
           "Adds a consistent, verified backup of each store the called breachd hosts (or only\n"
           "--service) to its --backup_dir/<service> on breachd's host: one point in time across\n"
           "the whole store, incremental (only new files are copied). Provider operators only.\n"
           "Restore with 'breachctl admin restore' on the stopped service's host.",
       .flags = {"service", "output"},
       .server = true,
       .examples = {"breachctl --token $OPS admin backup",
                    "breachctl --token $OPS admin backup --service intake -o json"},
       .run = AdminBackup},
      {.path = {"admin", "rebuild"},
       .usage = "register",
       .summary = "rebuild the register from the events, beside the serving one, then swap",
       .description =
           "Reads every event of the register's sources again (their stores, over gRPC), folds\n"
           "them into a new register beside the serving one, catches up with what arrived\n"
           "meanwhile, then swaps the new one in at once and drops the old. Reads are served by\n"
           "the old register all along, and new reports reach both. A progress bar shows on a\n"
           "terminal, a line per phase otherwise. A second rebuild while one runs is refused\n"
           "(FAILED_PRECONDITION); a breachd stopped mid-rebuild keeps the old register. When to\n"
           "use it: docs/operations.md, \"Rebuild the register\". Provider operators only.",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $OPS admin rebuild register",
                    "breachctl --token $OPS admin rebuild register -o json"},
       .run = AdminRebuild},
      {.path = {"admin", "restore"},
       .usage = "--backup-dir DIR --data-dir DIR",
       .summary = "restore a stopped service's store from its latest backup (on its host)",
       .description =
           "Replaces the store in --data-dir with the latest verified backup in --backup-dir, on\n"
           "this machine, without calling breachd: the service must be stopped (a running one\n"
           "holds the store's lock and the restore is refused). New events then take positions\n"
           "past every position the lost store may have handed out, so the other services'\n"
           "catch-up never skips them. Start the service again: its consumers catch up from the\n"
           "bus and the other services' stores (docs/operations.md, \"Back up and restore\").",
       .flags = {"backup-dir", "data-dir", "output"},
       .examples = {"sudo -u breachd breachctl admin restore --backup-dir /backup/breachd/intake "
                    "--data-dir /var/lib/breachd/intake"},
       .run = AdminRestore},
      {.path = {"school", "set"},
       .usage = "CODE -f FILE",
       .summary = "set a school's details (provider operators)",
       .description =
           "Reads the school's details as JSON (breach.v1.SchoolProfile; see\n"
           "docs/examples/school.json) from FILE, or from stdin with -f -: name, address, head,\n"
           "DPO, e-mail, PEC, webhook. They fill the drafts and say where the processor's notices\n"
           "go. CODE is the school code: the file's tenant must be CODE, or absent (CODE fills\n"
           "it). Setting again replaces the details. No secrets here: SMTP passwords and webhook\n"
           "keys are files on the server (docs/notification.md).",
       .flags = {"file", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $OPS school set MIIS01200V -f docs/examples/school.json"},
       .run = SchoolSet},
      {.path = {"school", "import"},
       .usage = "FILE.csv",
       .summary = "import the provider's school directory (provider operators)",
       .description =
           "Reads a CSV in the layout of the Ministry's school registry (CODICESCUOLA,\n"
           "DENOMINAZIONESCUOLA, INDIRIZZOSCUOLA, CAPSCUOLA, DESCRIZIONECOMUNE,\n"
           "INDIRIZZOEMAILSCUOLA, INDIRIZZOPECSCUOLA) plus SERVIZI (the provider's services the\n"
           "school uses, separated by ;) and optionally DPONOME, DPOEMAIL (docs/directory.md);\n"
           "FILE - reads stdin. New schools are added, known ones updated, schools missing from\n"
           "the file stay. A bad row is listed with its row number and skipped; the others are\n"
           "imported, and the exit code is 1. Each school's details for the notifications (name,\n"
           "address, e-mail, PEC, DPO) follow the directory; head, webhook, tax code and website\n"
           "stay as school set put them. At most 4 MiB per file (about 15,000 schools).",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"build/bin/schoolgen --count=200 --out=schools.csv",
                    "breachctl --token $OPS school import schools.csv",
                    "breachctl --token $OPS school import schools.csv -o json"},
       .run = SchoolImport},
      {.path = {"school", "list"},
       .usage = "[--service NAME]",
       .summary = "the provider's school directory (provider operators)",
       .description =
           "Lists the schools of the directory by code: name, municipality, PEC and the\n"
           "provider's services each uses; --service keeps the schools using that service.",
       .flags = {"service", "output"},
       .server = true,
       .examples = {"breachctl --token $OPS school list",
                    "breachctl --token $OPS school list --service registro-elettronico -o json"},
       .run = SchoolList},
      {.path = {"incident", "create"},
       .usage = "-f FILE [--schools FILE | --service NAME] [--request-id ID]",
       .summary = "record an incident of the provider's platform and open a case per school",
       .description =
           "Provider operators. Reads the incident as JSON (breach.v1.CreateIncidentRequest; see\n"
           "docs/examples/incident.json): title, provider_aware_at (when the provider became\n"
           "aware: every school's 48-hour notice runs from it) and the report every school's\n"
           "Allegato A starts from (systems, data categories, approximate subjects per school).\n"
           "The affected schools: --schools FILE (codes), --service NAME (every school using\n"
           "it), or the file's schools. Each school gets its own breach, reported by the\n"
           "processor, with its own clocks and register entry. Waits until every case exists:\n"
           "a progress bar on a terminal, a line per step otherwise. Unknown schools, a service\n"
           "nobody uses, a missing provider_aware_at: one error naming the field, nothing\n"
           "created. The same --request-id again answers with the first incident.",
       .flags = {"file", "schools", "service", "request-id", "output"},
       .server = true,
       .examples = {"breachctl --token $OPS incident create -f docs/examples/incident.json "
                    "--service registro-elettronico",
                    "breachctl --token $OPS incident create -f docs/examples/incident.json "
                    "--schools affected.txt --request-id inc-2026-11-30"},
       .run = IncidentCreate},
      {.path = {"incident", "update"},
       .usage = "ID -f FILE [--schools FILE] [--request-id ID]",
       .summary = "new facts, containment, closure or more schools: every open case is amended",
       .description =
           "Provider operators. Reads the update as JSON (breach.v1.UpdateIncidentRequest; see\n"
           "docs/examples/incident-update.json): reason (required: what the schools are told),\n"
           "updateMask and report (the facts that change, e.g. description, approxDataSubjects),\n"
           "containment (added to the actions taken), close (the provider's last update),\n"
           "addSchools (or --schools FILE: schools found affected later; each gets its case).\n"
           "Every open case of the incident gets the update as an amendment of its report; a\n"
           "case its school closed is left as it is. Waits until every case is reached: a\n"
           "progress bar on a terminal, a line per step otherwise. The same --request-id again\n"
           "answers with the first update and amends nothing twice.",
       .flags = {"file", "schools", "request-id", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $OPS incident update 01JINCIDENT... -f "
                    "docs/examples/incident-update.json",
                    "breachctl --token $OPS incident update 01JINCIDENT... -f update.json "
                    "--schools more-schools.txt --request-id upd-2"},
       .run = IncidentUpdate},
      {.path = {"incident", "status"},
       .usage = "ID [--cases]",
       .summary = "an incident's progress: cases per status and per stage, and its updates",
       .description =
           "Provider operators. The incident's facts, how many of its cases exist, the cases\n"
           "per status (reported, triaged, assessed, decided, closed), the cases per stage\n"
           "(case created, notice sent, notice delivered, acknowledged, assessed, notified to\n"
           "the Garante, overdue; a case may be in several), and each update with the cases it\n"
           "reached. --cases (and -o json) lists each school with its breach id.",
       .flags = {"cases", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $OPS incident status 01JINCIDENT... --cases"},
       .run = IncidentStatus},
      {.path = {"incident", "list"},
       .summary = "every incident, newest first",
       .flags = {"output"},
       .server = true,
       .examples = {"breachctl --token $OPS incident list"},
       .run = IncidentList},
      {.path = {"breach", "ack"},
       .usage = "ID [--at TIME] [--note TEXT]",
       .summary = "the school acknowledges the provider's notice of an incident (head, DPO)",
       .description =
           "Records that the school received the processor's notice (RecordReceipt,\n"
           "controller-acknowledged) at --at (default now). When the school had no awareness\n"
           "moment yet, this is it: its own 72 hours to the Garante start there. Then the school\n"
           "carries its case through triage, assessment and decision as any other breach.",
       .flags = {"at", "note", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl --token $HEAD breach ack 01JBREACH...",
                    "breachctl --token $DPO breach ack 01JBREACH... --at 2026-11-30T10:15:00+01:00"},
       .run = BreachAck},
      {.path = {"school", "show"},
       .usage = "CODE",
       .summary = "a school's details for the notifications",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl school show MIIS01200V", "breachctl school show MIIS01200V -o json"},
       .run = SchoolShow},
      {.path = {"deadline", "list"},
       .usage = "[--tenant CODE] [--overdue] [--due-within DURATION] [--all]",
       .summary = "the notification clocks: due (Europe/Rome), time left, status, last failure",
       .description =
           "Lists the running clock of every required duty (authority: the Garante's 72 hours;\n"
           "subjects; controller: the processor's notice), the earliest due first: the due time\n"
           "in Europe/Rome, the time left (negative once overdue), the status (open, warning,\n"
           "overdue, met, late) and the last failed delivery, if any. A school sees its own; a\n"
           "provider operator sees every school or one with --tenant. --all adds the clocks that\n"
           "stopped (met, late, no longer required, closed).",
       .flags = {"tenant", "overdue", "due-within", "all", "output"},
       .own_flags = {Switch("all", "the clocks that stopped too: met, late, disarmed")},
       .server = true,
       .examples = {"breachctl deadline list", "# What falls due in the next day, every school:",
                    "breachctl --token $OPS deadline list --due-within 24h",
                    "breachctl deadline list --overdue -o json",
                    "breachctl deadline list --tenant MIIS01200V --all"},
       .run = DeadlineList},
      {.path = {"notify", "draft"},
       .usage = "BREACH_ID --duty authority|subjects|controller "
                "[--phase preliminary|complete|supplementary] [--previous-protocol N] "
                "[--lang it|en] [-o md|json]",
       .summary = "prepare a new draft version from the breach as it stands, and print it",
       .description =
           "Prepares a new draft of the notification for one duty from the report, the latest\n"
           "assessment and the school's details, and prints it as Markdown in --lang (Italian\n"
           "by default) after a comment line giving its version and sha256: an approval names\n"
           "both (notify approve). The phase is preliminary while facts are still unknown, else\n"
           "complete; a supplementary notification (art. 33(4)) names the Garante's protocol\n"
           "number of the first one. The head or the DPO prepares drafts.",
       .flags = {"duty", "phase", "previous-protocol", "lang", "output"},
       .own_flags = {Choice("output", "md: the document in --lang (default); json: every language",
                            {"md", "json"}, 'o')},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify draft $ID --duty authority",
                    "breachctl notify draft $ID --duty subjects --lang en > letter-en.md",
                    "# After the Garante's protocol 12345 of the preliminary notification:",
                    "breachctl notify draft $ID --duty authority --phase supplementary "
                    "--previous-protocol 12345"},
       .run = NotifyDraft},
      {.path = {"notify", "show"},
       .usage = "BREACH_ID --duty authority|subjects|controller [--draft-version N] "
                "[--lang it|en] [-o md|json]",
       .summary = "a draft as prepared: the latest or --draft-version N",
       .description =
           "Prints a draft (the latest unless --draft-version N) as Markdown in --lang, after a\n"
           "comment line giving its version, sha256 and who approved it.",
       .flags = {"duty", "draft-version", "lang", "output"},
       .own_flags = {Choice("output", "md: the document in --lang (default); json: every language",
                            {"md", "json"}, 'o')},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify show $ID --duty authority",
                    "breachctl notify show $ID --duty authority --draft-version 1 --lang en "
                    "-o json"},
       .run = NotifyShow},
      {.path = {"notify", "approve"},
       .usage = "BREACH_ID --duty authority|subjects|controller [--draft-version N --sha256 HEX] "
                "[--delay-reason TEXT]",
       .summary = "approve a draft version, naming the hash you read (head or DPO)",
       .description =
           "The school's head or DPO approves the draft version they read: --draft-version and\n"
           "--sha256 as notify draft/show print them. Without both, the latest draft is fetched,\n"
           "its version and hash printed, and exactly that is approved. Only the latest version\n"
           "can be approved. Past the deadline, --delay-reason (art. 33(1)) is required. The\n"
           "processor's notice (controller) is the provider's to approve.",
       .flags = {"duty", "draft-version", "sha256", "delay-reason", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify approve $ID --duty authority --draft-version 1 "
                    "--sha256 3f5a...e9",
                    "# The latest draft as it reads now:",
                    "breachctl notify approve $ID --duty authority",
                    "breachctl notify approve $ID --duty subjects --delay-reason "
                    "'Indirizzi delle famiglie recuperati solo oggi'"},
       .run = NotifyApprove},
      {.path = {"notify", "send"},
       .usage = "BREACH_ID --duty authority|subjects|controller [--recipients FILE.csv] "
                "[--resend-unknown] [--request-id ID]",
       .summary = "send the approved draft: one delivery per recipient, queued",
       .description =
           "Queues the latest draft of the duty, which must be approved, to its recipients: the\n"
           "Garante's PEC for authority; the school's PEC or e-mail and webhook for controller;\n"
           "for subjects the people in --recipients (CSV name,email,language with a header line;\n"
           "see docs/examples/parents.csv), or a public notice when art. 34(3)(c) applies.\n"
           "Prints the deliveries; notify status follows them. Sending again with the same\n"
           "--request-id is a retry; a recipient already served is skipped, and one whose\n"
           "outcome is unknown is sent again only with --resend-unknown.",
       .flags = {"duty", "recipients", "resend-unknown", "request-id", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify send $ID --duty authority",
                    "breachctl notify send $ID --duty subjects --recipients "
                    "docs/examples/parents.csv --request-id letters-1"},
       .run = NotifySend},
      {.path = {"notify", "status"},
       .usage = "BREACH_ID",
       .summary = "a breach's clocks, drafts, deliveries and receipts",
       .description =
           "Prints the breach's notification clocks (due, left, status, last failure), the\n"
           "latest draft of each duty (version, hash, who approved it), every delivery (channel,\n"
           "recipient, status, attempts, the server's last answer) and the receipts.",
       .flags = {"output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify status $ID", "breachctl notify status $ID -o json"},
       .run = NotifyStatus},
      {.path = {"notify", "receipt"},
       .usage = "BREACH_ID --duty authority|subjects|controller --at TIME [--protocol N] "
                "[--kind KIND] [--note TEXT]",
       .summary = "record a receipt: the Garante's protocol, a PEC receipt, an acknowledgement",
       .description =
           "Records what came back for a duty once a message was sent: the Garante's protocol\n"
           "number and date (authority-protocol, the default for authority), the PEC receipts\n"
           "(pec-acceptance, pec-delivery), or the school's acknowledgement of the processor's\n"
           "notice (controller-acknowledged, the default for controller). --at is when it came.",
       .flags = {"duty", "protocol", "at", "kind", "note", "output"},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify receipt $ID --duty authority --protocol 12345 "
                    "--at 2026-03-28T09:30:00+01:00",
                    "breachctl notify receipt $ID --duty authority --kind pec-delivery "
                    "--at 2026-03-28T09:01:00+01:00 --note 'Ricevuta di avvenuta consegna'"},
       .run = NotifyReceipt},
      {.path = {"notify", "notice"},
       .usage = "BREACH_ID [-o FILE.html]",
       .summary = "the public notice (art. 34(3)(c)) as an HTML page to publish",
       .description =
           "Prints the approved communication to the data subjects as an HTML page, or writes it\n"
           "to FILE.html, for the school to publish on its website when telling each person\n"
           "would take a disproportionate effort (art. 34(3)(c)).",
       .flags = {"output"},
       .own_flags = {File("output", "FILE.html", "write the page to FILE.html (default: stdout)",
                          'o')},
       .server = true,
       .min_args = 1,
       .max_args = 1,
       .examples = {"breachctl notify notice $ID -o avviso.html"},
       .run = NotifyNotice},
      {.path = {"health"},
       .usage = "[SERVICE]",
       .summary = "whether breachd serves (the gRPC health service)",
       .description =
           "Asks the standard grpc.health.v1 service of the endpoint: SERVICE is a health entry "
           "(breach.v1.IntakeService, breach.v1.AssessmentService, "
           "breach.v1.NotificationService, breach.v1.RegisterService...; NOT_SERVING while "
           "events are parked, the disk is full or the relay is stuck), none the process as a "
           "whole. Exits 0 when SERVING, 1 otherwise: a readiness probe over TLS, which the "
           "kubelet's own grpc probe cannot speak. Needs no token.",
       .flags = {"output"},
       .server = true,
       .max_args = 1,
       .examples = {"breachctl health",
                    "breachctl --endpoint 127.0.0.1:50051 --server-name breachd-intake "
                    "--cacert /etc/breachd/tls/ca.crt health breach.v1.IntakeService"},
       .run = Health},
      {.path = {"whoami"},
       .summary = "the principal behind the token",
       .description = "Prints the subject, school and roles that breachd sees for the token.",
       .flags = {"output"},
       .server = true,
       .examples = {"breachctl whoami", "BREACHCTL_TOKEN=$OPS breachctl whoami -o json"},
       .run = WhoAmI},
      {.path = {"token", "mint"},
       .usage = "--signing-key FILE --sub SUBJECT --tenant CODE --roles ROLES [--ttl DURATION] "
                "[--issuer ISS] [--audience AUD] [--kid KID]",
       .summary = "sign a development JWT with a local key (no server)",
       .description =
           "Prints a JWT (ES256 for a P-256 key, RS256 for an RSA key) with sub, tenant, roles,\n"
           "iss, aud, iat, nbf and exp, for a breachd started with --jwks holding the public key\n"
           "as KID.pem (docs/security.md). For development: real tokens come from the identity\n"
           "provider.",
       .flags = {"signing-key", "sub", "tenant", "roles", "ttl", "issuer", "audience", "kid"},
       .examples = {"export BREACHCTL_TOKEN=$(breachctl token mint --signing-key dev-key.pem "
                    "--sub user:dpo --tenant MIIS01200V --roles school-dpo --ttl 8h)"},
       .run = TokenMint},
      {.path = {"assess", "preview"},
       .usage = "-f FILE [--awareness TIME | --aware-ago DURATION] [--now TIME] [--lang it|en] "
                "[--regimes DIR] [--templates DIR]",
       .summary = "run the risk engine on an assessment offline (no server)",
       .description =
           "Evaluates an Allegato B risk assessment (breach.v1.RiskAssessment; see\n"
           "docs/examples/assessment-*.json) with the regimes and templates on disk: ENISA\n"
           "severity, class 1/2/3, the art. 33/34 duties, deadlines in Europe/Rome, and the draft\n"
           "notices. Deadlines run from the file's awareness_time: --awareness replaces it with a\n"
           "fixed time, --aware-ago with a time relative to now (or to --now), so that an example\n"
           "shows open deadlines on any day. Without either, an example from the past shows its\n"
           "deadlines OVERDUE. Exits 1 when the assessment or a data file is invalid.",
       .flags = {"file", "awareness", "aware-ago", "now", "lang", "regimes", "templates", "output"},
       .examples =
           {"# The demo school's lost laptop, which the school learned of 6 hours ago:",
            "breachctl assess preview -f docs/examples/assessment-lost-laptop-health-data.json "
            "--aware-ago 6h",
            "# As it stood on a given day, in English, as JSON:",
            "breachctl assess preview -f docs/examples/assessment-email-wrong-parents.json \\\n"
            "      --now 2026-02-11T09:00:00+01:00 --lang en -o json"},
       .run = AssessPreview},
      {.path = {"help"},
       .usage = "[COMMAND [SUBCOMMAND]]",
       .summary = "help for a command (same as COMMAND --help)",
       .max_args = 2,
       .examples = {"breachctl help", "breachctl help breach", "breachctl help report create"},
       .run = Help},
      {.path = {"version"},
       .summary = "print breachctl's version (same as --version)",
       .examples = {"breachctl version", "breachctl --version"},
       .run = Version},
      {.path = {"completion"},
       .usage = "bash",
       .summary = "print the bash completion script",
       .description =
           "Prints a bash script that completes commands, subcommands, flags and flag values.",
       .min_args = 1,
       .max_args = 1,
       .examples =
           {"# In the current shell:", "source <(breachctl completion bash)",
            "# For every new shell:",
            "breachctl completion bash > ~/.local/share/bash-completion/completions/breachctl"},
       .run = Completion},
  };
  return cli;
}

}  // namespace

const CliSpec& BreachctlCli() {
  static const CliSpec cli = MakeCli();
  return cli;
}

}  // namespace breachd::breachctl
