// The worked cases of EDPB Guidelines 01/2021 on examples regarding personal data breach
// notification (version 2.0, adopted 14 December 2021), each encoded as the Allegato B and facts
// a controller would fill in, with the EDPB's conclusion: notify the supervisory authority
// (art. 33)? communicate to the data subjects (art. 34)? The engine, with the repository's
// regimes, must reach the same conclusion, and not by a hair: no deciding score may sit exactly
// on the threshold that decides it, except where a case is pinned as on the edge (case 8).
//
// The cases are the EDPB's (companies, hospitals, banks), not schools. Their facts are encoded as
// the EDPB states them; where the EDPB gives no count, people_affected is a plausible order of
// magnitude that stays on the EDPB's side of the regime's large-volume threshold (500): above it
// only where the EDPB describes a large breach (cases 3, 4, 6, 11). Before and after the method
// changes: docs/assessment.md, "EDPB Guidelines 01/2021".
#include <iostream>
#include <ostream>
#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/tests/test_inputs.h"

namespace breachd::regulation {
namespace {

using testing::Assessment;

struct EdpbCase {
  int number;           // "CASE No. N" in the guidelines
  std::string summary;  // one line
  std::string input;    // breach.v1.RiskAssessment, text format, without awareness_time
  bool notify_authority;
  bool tell_subjects;
  // The engine reaches the EDPB's art. 33 conclusion only exactly on the threshold (margin 0):
  // pinned, so that a change of the method that moves it shows here.
  bool authority_on_edge = false;
};

void PrintTo(const EdpbCase& c, std::ostream* os) { *os << "case " << c.number << ": " << c.summary; }

const breach::v1::DutyDecision* FindDuty(const breach::v1::AssessmentResult& result,
                                         breach::v1::DutyKind kind) {
  for (const auto& duty : result.duties()) {
    if (duty.duty() == kind) return &duty;
  }
  return nullptr;
}

class EdpbCaseTest : public ::testing::TestWithParam<EdpbCase> {};

TEST_P(EdpbCaseTest, ReachesTheEdpbConclusion) {
  static const RegulationEngine engine = testing::RepoEngine();
  const EdpbCase& c = GetParam();
  auto assessment = Assessment(c.input);
  assessment.mutable_awareness_time()->set_seconds(1774602000);
  const auto result =
      engine.Evaluate(assessment, absl::FromUnixSeconds(1774605600), EvaluateOptions{.drafts = false});
  ASSERT_TRUE(result.ok()) << result.status();
  const auto* authority = FindDuty(*result, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  const auto* subjects = FindDuty(*result, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION);
  ASSERT_NE(authority, nullptr);
  ASSERT_NE(subjects, nullptr);
  const std::string trace = absl::StrFormat(
      "case %d (%s): SE %.2f (DPC %d x EI %.2f + CB %.2f), authority %d (margin %+.2f), "
      "subjects %d (margin %+.2f)",
      c.number, c.summary, result->severity().score(), result->severity().data_processing_context(),
      result->severity().ease_of_identification(), result->severity().circumstances(),
      authority->required(), authority->threshold_margin(), subjects->required(),
      subjects->threshold_margin());
  RecordProperty("result", trace);
  std::cout << trace << "\n";
  EXPECT_EQ(authority->required(), c.notify_authority) << trace;
  EXPECT_EQ(subjects->required(), c.tell_subjects) << trace;
  // A conclusion that a quarter point would flip is not a match worth the name.
  if (c.authority_on_edge) {
    EXPECT_EQ(authority->threshold_margin(), 0.0) << trace;
  } else {
    EXPECT_NE(authority->threshold_margin(), 0.0) << trace;
  }
  if (subjects->exemption() == breach::v1::ART34_EXEMPTION_UNSPECIFIED) {
    EXPECT_NE(subjects->threshold_margin(), 0.0) << trace;
  }
}

// Shared fragments: the cause.
#define ACCIDENTAL "cause: BREACH_CAUSE_ACCIDENTAL "
#define MALICIOUS "cause: BREACH_CAUSE_MALICIOUS "

INSTANTIATE_TEST_SUITE_P(
    Guidelines012021, EdpbCaseTest,
    ::testing::Values(
        EdpbCase{1, "ransomware, data encrypted at rest, backup restored in hours, no exfiltration",
                 "allegato_b { devices: BREACH_DEVICE_COMPUTER exposure_types: EXPOSURE_TYPE_ALTERATION"
                 " people_affected: 40 data_nature: DATA_NATURE_SIMPLE technical_measures { encrypted:"
                 " true key_status: ENCRYPTION_KEY_STATUS_SECURE } }"
                 " facts { backup_available: true unavailability_hours: 4 " MALICIOUS
                 " recipient: RECIPIENT_TRUST_NONE only_unintelligible_data_left: true }",
                 false, false},
        EdpbCase{2, "ransomware without backup, data rebuilt over 5 days, no exfiltration",
                 "allegato_b { devices: BREACH_DEVICE_COMPUTER exposure_types: EXPOSURE_TYPE_ALTERATION"
                 " people_affected: 40 data_nature: DATA_NATURE_SIMPLE }"
                 " facts { unavailability_hours: 120 " MALICIOUS " recipient: RECIPIENT_TRUST_NONE }",
                 true, false},
        EdpbCase{3, "ransomware in a hospital, backup restored in 2 days, treatments delayed",
                 "allegato_b { devices: BREACH_DEVICE_NETWORK exposure_types: EXPOSURE_TYPE_ALTERATION"
                 " people_affected: 1500 data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_SPECIAL_CATEGORY] }"
                 " facts { backup_available: true unavailability_hours: 48 " MALICIOUS
                 " recipient: RECIPIENT_TRUST_NONE }",
                 true, true},
        EdpbCase{4, "ransomware without backup and with exfiltration",
                 "allegato_b { devices: BREACH_DEVICE_COMPUTER exposure_types: [EXPOSURE_TYPE_COPY,"
                 " EXPOSURE_TYPE_ALTERATION] people_affected: 1000 data_nature: [DATA_NATURE_SIMPLE,"
                 " DATA_NATURE_FINANCIAL] }"
                 " facts { data_left_control: true availability_loss: AVAILABILITY_LOSS_PERMANENT "
                 MALICIOUS " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, true},
        EdpbCase{5, "job application forms (identity, CV) exfiltrated from a website",
                 "allegato_b { devices: BREACH_DEVICE_NETWORK exposure_types: EXPOSURE_TYPE_COPY"
                 " people_affected: 213 data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_PROFILE] }"
                 " facts { data_left_control: true backup_available: true " MALICIOUS
                 " recipient: RECIPIENT_TRUST_UNKNOWN combination_enables_fraud: true }",
                 true, true},
        EdpbCase{6, "salted state-of-the-art password hashes exfiltrated, nothing else",
                 "allegato_b { devices: BREACH_DEVICE_NETWORK exposure_types: EXPOSURE_TYPE_COPY"
                 " people_affected: 1200 data_nature: DATA_NATURE_IDENTITY_THEFT }"
                 " facts { data_left_control: true backup_available: true " MALICIOUS
                 " recipient: RECIPIENT_TRUST_UNKNOWN only_unintelligible_data_left: true }",
                 false, false},
        EdpbCase{7, "credential stuffing on a bank's website, accounts and transactions seen",
                 "allegato_b { devices: BREACH_DEVICE_NETWORK exposure_types: EXPOSURE_TYPE_READ"
                 " people_affected: 100 data_nature: [DATA_NATURE_FINANCIAL, DATA_NATURE_IDENTITY_THEFT] }"
                 " facts { " MALICIOUS " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, true},
        // Basic contact data only; the ex-employee is known but not trusted ("no reassurance on
        // the intentions of the employee"). The EDPB's conclusion, reached exactly on the art. 33
        // threshold: docs/assessment.md, section 8.
        EdpbCase{8, "leaving employee copies clients' basic contact data to use at a competitor",
                 "allegato_b { devices: BREACH_DEVICE_FILE exposure_types: EXPOSURE_TYPE_COPY"
                 " people_affected: 200 data_nature: DATA_NATURE_SIMPLE }"
                 " facts { data_left_control: true backup_available: true " MALICIOUS
                 " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, false, /*authority_on_edge=*/true},
        EdpbCase{9, "customer list sent to a trusted insurance agent who deleted it at once",
                 "allegato_b { devices: BREACH_DEVICE_FILE exposure_types: EXPOSURE_TYPE_READ"
                 " people_affected: 24 data_nature: DATA_NATURE_SIMPLE }"
                 " facts { data_left_control: true " ACCIDENTAL " recipient: RECIPIENT_TRUST_TRUSTED }",
                 false, false},
        EdpbCase{10, "tablets with children's data stolen, encrypted, key safe, wiped, backed up",
                 "allegato_b { devices: BREACH_DEVICE_MOBILE exposure_types: EXPOSURE_TYPE_THEFT"
                 " people_affected: 60 vulnerable_subjects: true data_nature: [DATA_NATURE_SIMPLE,"
                 " DATA_NATURE_PROFILE] technical_measures { encrypted: true key_status:"
                 " ENCRYPTION_KEY_STATUS_SECURE } }"
                 " facts { backup_available: true " MALICIOUS " recipient: RECIPIENT_TRUST_UNKNOWN"
                 " only_unintelligible_data_left: true }",
                 false, false},
        EdpbCase{11, "unencrypted notebook stolen: names, addresses, dates of birth of 100,000",
                 "allegato_b { devices: BREACH_DEVICE_COMPUTER exposure_types: EXPOSURE_TYPE_THEFT"
                 " people_affected: 100000 data_nature: DATA_NATURE_SIMPLE }"
                 " facts { backup_available: true " MALICIOUS " recipient: RECIPIENT_TRUST_UNKNOWN"
                 " combination_enables_fraud: true }",
                 true, true},
        EdpbCase{12, "paper logbook of a drug rehabilitation centre stolen",
                 "allegato_b { devices: BREACH_DEVICE_PAPER exposure_types: EXPOSURE_TYPE_THEFT"
                 " people_affected: 200 data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_SPECIAL_CATEGORY] }"
                 " facts { " MALICIOUS " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, true},
        // Name, address, birth date, unmasked plate (simple), the premiums' class and the yearly
        // mileage (behavioural); no bank, health or financial data. The EDPB rates the effects
        // medium and misuse low to medium: notify the SA, no communication to the policyholder.
        EdpbCase{13, "car-insurance letter with another customer's birth date, plate, premiums",
                 "allegato_b { devices: BREACH_DEVICE_PAPER exposure_types: EXPOSURE_TYPE_READ"
                 " people_affected: 1 data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_BEHAVIOURAL] }"
                 " facts { data_left_control: true " ACCIDENTAL " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, false},
        EdpbCase{14, "job seekers' social security numbers e-mailed to many wrong recipients",
                 "allegato_b { devices: BREACH_DEVICE_FILE exposure_types: [EXPOSURE_TYPE_READ,"
                 " EXPOSURE_TYPE_COPY] people_affected: 60 data_nature: [DATA_NATURE_SIMPLE,"
                 " DATA_NATURE_IDENTITY_THEFT] }"
                 " facts { data_left_control: true " ACCIDENTAL " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, true},
        EdpbCase{15, "course list with two participants' lactose intolerance sent to participants",
                 "allegato_b { devices: BREACH_DEVICE_FILE exposure_types: EXPOSURE_TYPE_READ"
                 " people_affected: 15 data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_SPECIAL_CATEGORY] }"
                 " facts { data_left_control: true records_approx: 15 " ACCIDENTAL
                 " recipient: RECIPIENT_TRUST_TRUSTED most_sensitive_seriousness: DATA_SERIOUSNESS_MINOR"
                 " most_sensitive_records: 2 }",
                 true, false},
        EdpbCase{16, "two shoe orders' invoices swapped between customers",
                 "allegato_b { devices: BREACH_DEVICE_PAPER exposure_types: EXPOSURE_TYPE_READ"
                 " people_affected: 2 data_nature: DATA_NATURE_SIMPLE }"
                 " facts { data_left_control: true " ACCIDENTAL " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 false, false},
        EdpbCase{17, "identity theft at a telecom contact centre: bills sent to a fraudster",
                 "allegato_b { devices: BREACH_DEVICE_OTHER exposure_types: [EXPOSURE_TYPE_READ,"
                 " EXPOSURE_TYPE_ALTERATION] people_affected: 1 data_nature: [DATA_NATURE_FINANCIAL,"
                 " DATA_NATURE_BEHAVIOURAL] }"
                 " facts { data_left_control: true backup_available: true " MALICIOUS
                 " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, true},
        EdpbCase{18, "mailbox rules forward invoices and bank details to an attacker",
                 "allegato_b { devices: BREACH_DEVICE_NETWORK exposure_types: EXPOSURE_TYPE_COPY"
                 " people_affected: 99 data_nature: [DATA_NATURE_SIMPLE, DATA_NATURE_FINANCIAL] }"
                 " facts { data_left_control: true backup_available: true " MALICIOUS
                 " recipient: RECIPIENT_TRUST_UNKNOWN }",
                 true, true}),
    [](const auto& info) { return "case_" + std::to_string(info.param.number); });

#undef ACCIDENTAL
#undef MALICIOUS

}  // namespace
}  // namespace breachd::regulation
