// Shared pieces of the integration and end-to-end tests: an identity file with
// two schools (Vespucci with every school role) and a provider operator, sample Allegato A reports, bounded waiting.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "breach/v1/incident.pb.h"
#include "breach/v1/intake.pb.h"
#include "grpcpp/client_context.h"
#include "libs/common/testing/scratch_dir.h"  // ScratchDir: every test folder

namespace breachd::testing {

// Tokens in the identity file written by WriteTwoSchoolIdentity.
inline constexpr char kOperatorToken[] = "test-operator-token";
inline constexpr char kVespucciDpoToken[] = "test-vespucci-dpo-token";
inline constexpr char kVespucciStaffToken[] = "test-vespucci-staff-token";
inline constexpr char kVespucciHeadToken[] = "test-vespucci-head-token";  // the controller
inline constexpr char kVespucciItToken[] = "test-vespucci-it-token";
inline constexpr char kGalileiDpoToken[] = "test-galilei-dpo-token";
inline constexpr char kServiceToken[] = "test-service-token";  // services catching up
inline constexpr char kVespucci[] = "MIIS01200V";
inline constexpr char kGalilei[] = "RMIC81500L";

// A fresh scratch folder named after the running test, holding WriteTwoSchoolIdentity's file
// as identity.json: where every multi-service test starts.
std::unique_ptr<ScratchDir> TestFolderWithIdentity();

// Writes an identity file for MIIS01200V and RMIC81500L with the tokens above.
void WriteTwoSchoolIdentity(const std::string& path);

// A valid Allegato A for `tenant`: a lost, unencrypted laptop with pupils' grades.
breach::v1::BreachReport LostLaptopReport(const std::string& tenant);

// A provider-wide incident (a misconfigured electronic register) the provider became aware of
// an hour ago, for every school using "registro-elettronico" (every generated school does).
breach::v1::CreateIncidentRequest RegisterIncidentRequest(const std::string& request_id);

// A client context that calls as the bearer of `token`, with a deadline.
std::unique_ptr<grpc::ClientContext> CallAs(const std::string& token,
                                            absl::Duration deadline = absl::Seconds(10));

// Calls `done` until it returns true or `timeout` passes; returns its last answer. For waiting
// on real asynchronous work (the bus), never for the passing of time.
// `interval` between tries: a check that itself writes (a register listing is recorded as a read)
// should not run 50 times a second.
bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(30),
               absl::Duration interval = absl::Milliseconds(20));

}  // namespace breachd::testing
