#include "services/assessment/assessment_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "breach/v1/events.pb.h"
#include "libs/common/ids.h"
#include "libs/common/proto_time.h"
#include "libs/common/status_macros.h"
#include "libs/lifecycle/breach_lifecycle.h"
#include "libs/service/event_factory.h"
#include "libs/service/idempotency.h"
#include "services/assessment/assessment_decisions.h"
#include "services/assessment/assessment_schema.h"
#include "services/intake/report_validation.h"

namespace breachd::assessment {
namespace {

using breach::v1::AssessmentCase;
using breach::v1::AssessmentVersion;

constexpr char kSubmitMethod[] = "/breach.v1.AssessmentService/SubmitAssessment";
constexpr char kOverrideMethod[] = "/breach.v1.AssessmentService/OverrideDuty";
constexpr char kGetMethod[] = "/breach.v1.AssessmentService/GetAssessment";
constexpr char kDecideMethod[] = "/breach.v1.AssessmentService/DecideDuties";
constexpr char kHistoryMethod[] = "/breach.v1.AssessmentService/ListAssessmentVersions";

regulation::EvaluateOptions WithoutDrafts() {
  regulation::EvaluateOptions options;
  options.drafts = false;  // drafts belong to notification (next issue)
  return options;
}

// The case after its own change `command` (the lifecycle already allowed it).
AssessmentCase Advanced(AssessmentCase assessment_case, lifecycle::Command command) {
  lifecycle::BreachState state;
  state.status = assessment_case.status();
  state.verdict = assessment_case.verdict();
  state.ever_assessed = assessment_case.latest_version() > 0;
  if (absl::StatusOr<lifecycle::BreachState> next = lifecycle::Decide(state, command); next.ok()) {
    assessment_case.set_status(next->status);
  }
  return assessment_case;
}

}  // namespace

AssessmentService::AssessmentService(eventstore::EventStore& store,
                                     const auth::IdentityStore& identities, const Clock& clock,
                                     std::function<void()> on_append,
                                     std::shared_ptr<const regulation::RegulationEngine> engine,
                                     StripedMutex<>& breach_locks,
                                     privacy::FieldCipher& cipher)
    : store_(store),
      cipher_(cipher),
      clock_(clock),
      on_append_(on_append),
      guard_(kServiceName, identities, store, clock, on_append),
      gate_(store, clock),
      engine_(std::move(engine)),
      breach_locks_(breach_locks) {}

grpc::Status AssessmentService::SubmitAssessment(grpc::ServerContext* context,
                                                 const breach::v1::SubmitAssessmentRequest* request,
                                                 AssessmentVersion* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Submit(principal, *request));
    return gate_.Apply(principal, response->tenant(), response->breach_id(), *response);
  });
}

grpc::Status AssessmentService::OverrideDuty(grpc::ServerContext* context,
                                             const breach::v1::OverrideDutyRequest* request,
                                             AssessmentVersion* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Override(principal, *request));
    return gate_.Apply(principal, response->tenant(), response->breach_id(), *response);
  });
}

grpc::Status AssessmentService::DecideDuties(grpc::ServerContext* context,
                                             const breach::v1::DecideDutiesRequest* request,
                                             AssessmentVersion* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(*response, Decide(principal, *request));
    return gate_.Apply(principal, response->tenant(), response->breach_id(), *response);
  });
}

absl::StatusOr<AssessmentVersion> AssessmentService::Decide(
    const auth::Principal& principal, const breach::v1::DecideDutiesRequest& request) {
  ASSIGN_OR_RETURN(AssessmentCase found, FindAuthorized(principal, request.breach_id(),
                                                        auth::Action::kDecideBreach,
                                                        kDecideMethod));
  absl::MutexLock lock(&breach_locks_.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<AssessmentCase> current, FindCase(store_, found.breach_id()));
  if (current.has_value()) found = *std::move(current);
  RETURN_IF_ERROR(PrepareDecision(found, request));
  ASSIGN_OR_RETURN(AssessmentVersion version, ReadVersion(found.breach_id(), found.latest_version()));
  auto decided = std::make_unique<breach::v1::DutiesDecided>();
  decided->set_breach_id(version.breach_id());
  decided->set_version(version.version());
  decided->set_reason(request.reason());
  *decided->mutable_decisions() = version.result().duties();
  std::vector<std::unique_ptr<google::protobuf::Message>> events;
  events.push_back(std::move(decided));
  ASSIGN_OR_RETURN(const uint64_t stream_version, store_.StreamVersion(found.breach_id()));
  RETURN_IF_ERROR(AppendChange(principal, kDecideMethod,
                               Advanced(found, lifecycle::Command::kDecide), stream_version,
                               events, {}));
  return version;
}

grpc::Status AssessmentService::GetAssessment(grpc::ServerContext* context,
                                              const breach::v1::GetAssessmentRequest* request,
                                              AssessmentVersion* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(AssessmentCase found,
                     FindAuthorized(principal, request->breach_id(),
                                    auth::Action::kReadAssessment, kGetMethod));
    if (found.latest_version() == 0) {
      return absl::NotFoundError(absl::StrCat("breach ", found.breach_id(), " has no assessment"));
    }
    if (request->version() > found.latest_version()) {
      return absl::NotFoundError(absl::StrCat("version is ", request->version(), "; breach ",
                                              found.breach_id(), " has ",
                                              found.latest_version()));
    }
    const uint32_t version = request->version() == 0 ? found.latest_version() : request->version();
    ASSIGN_OR_RETURN(*response, ReadVersion(found.breach_id(), version));
    return gate_.Apply(principal, found.tenant(), found.breach_id(), *response);
  });
}

grpc::Status AssessmentService::ListAssessmentVersions(
    grpc::ServerContext* context, const breach::v1::ListAssessmentVersionsRequest* request,
    breach::v1::AssessmentHistory* response) {
  return guard_.Serve(*context, [&](const auth::Principal& principal) -> absl::Status {
    ASSIGN_OR_RETURN(AssessmentCase found,
                     FindAuthorized(principal, request->breach_id(),
                                    auth::Action::kReadAssessment, kHistoryMethod));
    ASSIGN_OR_RETURN(std::vector<AssessmentVersion> versions,
                     ListVersions(store_, found.breach_id()));
    for (AssessmentVersion& version : versions) {
      cipher_.OpenPersonalData(version);
      *response->add_versions() = std::move(version);
    }
    return gate_.Apply(principal, found.tenant(), found.breach_id(), *response);
  });
}

absl::StatusOr<AssessmentCase> AssessmentService::FindAuthorized(const auth::Principal& principal,
                                                                 const std::string& breach_id,
                                                                 auth::Action action,
                                                                 const std::string& method) {
  if (!IsUlid(breach_id)) return absl::InvalidArgumentError("breach_id is not a breach id");
  const absl::Status no_breach = absl::NotFoundError(
      absl::StrCat("no breach ", breach_id, " known to the assessment service"));
  ASSIGN_OR_RETURN(std::optional<AssessmentCase> found, FindCase(store_, breach_id));
  if (!found.has_value()) return no_breach;
  RETURN_IF_ERROR(
      guard_.AuthorizeBreach(principal, action, found->tenant(), method, breach_id, no_breach));
  return *std::move(found);
}

absl::StatusOr<AssessmentVersion> AssessmentService::ReadVersion(const std::string& breach_id,
                                                                 uint32_t version) {
  ASSIGN_OR_RETURN(std::optional<AssessmentVersion> found,
                   FindVersion(store_, breach_id, version));
  if (!found.has_value()) {
    return absl::DataLossError(absl::StrCat("version ", version, " of ", breach_id, " is missing"));
  }
  cipher_.OpenPersonalData(*found);
  return *std::move(found);
}

absl::StatusOr<eventstore::ProjectionWrite> AssessmentService::VersionRow(
    AssessmentVersion version) {
  RETURN_IF_ERROR(cipher_.SealPersonalData(version, version.tenant()));
  return eventstore::ProjectionWrite{VersionKey(version.breach_id(), version.version()),
                                     version.SerializeAsString()};
}

absl::StatusOr<AssessmentVersion> AssessmentService::Submit(
    const auth::Principal& principal, const breach::v1::SubmitAssessmentRequest& request) {
  RETURN_IF_ERROR(intake::ValidateRequestId(request.request_id()));
  ASSIGN_OR_RETURN(AssessmentCase found, FindAuthorized(principal, request.breach_id(),
                                                        auth::Action::kAssessBreach,
                                                        kSubmitMethod));
  // A retry gets the first version back; the id reused for anything else is ALREADY_EXISTS.
  const service::IdempotentRequest idempotent(RequestKey(found.tenant(), request.request_id()),
                                              request.request_id(), request, principal.subject);
  absl::MutexLock request_lock(&request_locks_.For(idempotent.row_key()));
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.EarlierResult(store_));
  uint32_t earlier_version = 0;
  if (earlier.has_value() && absl::SimpleAtoi(*earlier, &earlier_version)) {
    return ReadVersion(found.breach_id(), earlier_version);
  }

  absl::MutexLock lock(&breach_locks_.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<AssessmentCase> current, FindCase(store_, found.breach_id()));
  if (current.has_value()) found = *std::move(current);
  ASSIGN_OR_RETURN(breach::v1::RiskAssessment assessment, PrepareAssessment(found, request));
  const absl::Time now = clock_.Now();
  // The engine's own validation (field paths, a late submission without a reason) passes
  // through as it is.
  ASSIGN_OR_RETURN(breach::v1::AssessmentResult result,
                   engine_->Evaluate(assessment, now, WithoutDrafts()));

  AssessmentVersion version;
  version.set_breach_id(found.breach_id());
  version.set_tenant(found.tenant());
  version.set_version(found.latest_version() + 1);
  *version.mutable_assessment() = std::move(assessment);
  *version.mutable_result() = std::move(result);
  version.mutable_submitted_by()->set_subject(principal.subject);
  version.mutable_submitted_by()->set_role(principal.PrimaryRole());
  version.mutable_submitted_by()->set_tenant(principal.tenant);
  *version.mutable_submitted_at() = ProtoFromTime(now);
  version.set_request_id(request.request_id());

  AssessmentCase updated = Advanced(found, lifecycle::Command::kSubmitAssessment);
  updated.set_latest_version(version.version());
  ASSIGN_OR_RETURN(const uint64_t stream_version, store_.StreamVersion(found.breach_id()));
  ASSIGN_OR_RETURN(eventstore::ProjectionWrite row, VersionRow(version));
  RETURN_IF_ERROR(AppendChange(principal, request.request_id(), updated, stream_version,
                               VersionEvents(version),
                               {std::move(row),
                                idempotent.Remember(absl::StrCat(version.version()))}));
  return version;
}

absl::StatusOr<AssessmentVersion> AssessmentService::Override(
    const auth::Principal& principal, const breach::v1::OverrideDutyRequest& request) {
  ASSIGN_OR_RETURN(AssessmentCase found, FindAuthorized(principal, request.breach_id(),
                                                        auth::Action::kOverrideDuty,
                                                        kOverrideMethod));
  absl::MutexLock lock(&breach_locks_.For(CaseKey(found.breach_id())));
  ASSIGN_OR_RETURN(std::optional<AssessmentCase> current, FindCase(store_, found.breach_id()));
  if (current.has_value()) found = *std::move(current);
  if (found.latest_version() == 0) {
    // The lifecycle names the status ("no assessment yet").
    RETURN_IF_ERROR(lifecycle::Decide({found.status(), found.verdict()},
                                      lifecycle::Command::kOverrideDuty)
                        .status());
  }
  ASSIGN_OR_RETURN(AssessmentVersion version, ReadVersion(found.breach_id(), found.latest_version()));
  ASSIGN_OR_RETURN(breach::v1::DutyOverride duty_override,
                   PrepareOverride(found, version, request, principal));

  // The engine applies overrides as it models them (engine's and human's decision, reason),
  // at the moment the version was evaluated, so its clocks stay the version's.
  breach::v1::RiskAssessment assessment = version.assessment();
  *assessment.add_overrides() = duty_override;
  ASSIGN_OR_RETURN(breach::v1::AssessmentResult result,
                   engine_->Evaluate(assessment, TimeFromProto(version.submitted_at()),
                                     WithoutDrafts()));
  *version.mutable_assessment() = std::move(assessment);
  *version.mutable_result() = std::move(result);

  auto overridden = std::make_unique<breach::v1::DutyOverridden>();
  overridden->set_breach_id(version.breach_id());
  overridden->set_version(version.version());
  *overridden->mutable_decision() = *FindDuty(version.result(), request.duty());
  std::vector<std::unique_ptr<google::protobuf::Message>> events;
  events.push_back(std::move(overridden));
  ASSIGN_OR_RETURN(const uint64_t stream_version, store_.StreamVersion(found.breach_id()));
  ASSIGN_OR_RETURN(eventstore::ProjectionWrite row, VersionRow(version));
  RETURN_IF_ERROR(AppendChange(principal, kOverrideMethod,
                               Advanced(found, lifecycle::Command::kOverrideDuty), stream_version,
                               events, {std::move(row)}));
  return version;
}

absl::Status AssessmentService::AppendChange(
    const auth::Principal& principal, const std::string& causation_id,
    const AssessmentCase& assessment_case, uint64_t stream_version,
    const std::vector<std::unique_ptr<google::protobuf::Message>>& events,
    std::vector<eventstore::ProjectionWrite> rows) {
  const absl::Time now = clock_.Now();
  eventstore::AppendRequest append;
  append.stream_id = assessment_case.breach_id();
  append.expected_version = stream_version;  // ABORTED if another writer got in between
  for (const auto& event : events) {
    RETURN_IF_ERROR(cipher_.SealPersonalData(*event, assessment_case.tenant()));
    append.events.push_back(service::MakeEvent(
        {kServiceName, principal, causation_id, assessment_case.breach_id()},
        assessment_case.tenant(), now, *event));
  }
  append.projection = std::move(rows);
  append.projection.push_back(
      {CaseKey(assessment_case.breach_id()), assessment_case.SerializeAsString()});
  RETURN_IF_ERROR(store_.Append(std::move(append)).status());
  if (on_append_) on_append_();
  return absl::OkStatus();
}

}  // namespace breachd::assessment
