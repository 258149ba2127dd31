// Redaction at the read boundary: personal strings at any depth become "[redacted: personal
// data]", metadata stays; and every string field of the messages a breach's reads return is
// decided (personal in libs/privacy/personal_fields.cc, which is also what is sealed at rest, or
// metadata in the list below), so a new field cannot slip out to the provider, or be stored in
// clear, unnoticed.
#include "libs/service/personal_data.h"

#include <set>

#include "breach/v1/assessment.pb.h"
#include "breach/v1/directory.pb.h"
#include "breach/v1/events.pb.h"
#include "breach/v1/incident.pb.h"
#include "breach/v1/intake.pb.h"
#include "breach/v1/notification.pb.h"
#include "breach/v1/register.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace breachd::service {
namespace {

TEST(RedactPersonalDataTest, PersonalStringsGoMetadataStays) {
  breach::v1::Report report;
  report.set_breach_id("01KB3M9X7Q2W8E4R6T1Y5U3I0P");
  report.set_status(breach::v1::BREACH_STATUS_REPORTED);
  breach::v1::BreachReport* form = report.mutable_current();
  form->set_tenant("MIIS01200V");
  form->set_description("Registro con i voti di Mario Rossi smarrito");
  form->mutable_reporter()->set_name("Anna Bianchi");
  form->mutable_reporter()->set_email("anna@example.org");
  form->add_databases("registro elettronico");
  form->add_databases("");
  form->set_approx_data_subjects(25);
  form->add_data_subject_categories(breach::v1::DATA_SUBJECT_CATEGORY_PUPILS);
  report.mutable_amendments()->Add()->add_changes()->set_new_value("\"Mario Rossi\"");
  report.mutable_amendments(0)->mutable_changes(0)->set_field("description");

  RedactPersonalData(report);
  EXPECT_EQ(form->description(), kRedacted);
  EXPECT_EQ(form->reporter().name(), kRedacted);
  EXPECT_EQ(form->reporter().email(), kRedacted);
  EXPECT_EQ(form->reporter().phone(), "");  // empty stays empty: nothing was there
  EXPECT_EQ(form->databases(0), kRedacted);
  EXPECT_EQ(form->databases(1), "");
  EXPECT_EQ(report.amendments(0).changes(0).new_value(), kRedacted);
  EXPECT_EQ(report.amendments(0).changes(0).field(), "description");
  EXPECT_EQ(report.breach_id(), "01KB3M9X7Q2W8E4R6T1Y5U3I0P");
  EXPECT_EQ(form->tenant(), "MIIS01200V");
  EXPECT_EQ(form->approx_data_subjects(), 25);
  EXPECT_EQ(form->data_subject_categories_size(), 1);
  EXPECT_EQ(report.status(), breach::v1::BREACH_STATUS_REPORTED);
  EXPECT_EQ(report.SerializeAsString().find("Rossi"), std::string::npos);
}

// String fields that are metadata, by message. Anything else of type string in these messages
// must be personal.
const std::set<std::string>& Metadata() {
  static const auto* fields = new std::set<std::string>{
      "breach.v1.Reporter.organization",  // the company of an external reporter
      "breach.v1.BreachReport.tenant",
      "breach.v1.Report.name", "breach.v1.Report.breach_id", "breach.v1.Report.request_id",
      "breach.v1.FieldChange.field",
      "breach.v1.Amendment.incident_id",  // which provider incident an amendment came from
      "breach.v1.ContainmentAction.action_id", "breach.v1.ContainmentAction.request_id",
      "breach.v1.Actor.subject", "breach.v1.Actor.role", "breach.v1.Actor.tenant",
      "breach.v1.RegisterEntry.name", "breach.v1.RegisterEntry.breach_id",
      "breach.v1.RegisterEntry.tenant", "breach.v1.RegisterEntry.classification_regime",
      "breach.v1.RegisterEntry.regimes",
      "breach.v1.Communication.protocol_number", "breach.v1.Communication.details",
      "breach.v1.NotificationRecord.protocol_number",
      "breach.v1.AllegatoB.code_of_conduct_or_certification",
      "breach.v1.DutyOverride.decided_by",
      "breach.v1.NotificationContent.controller_name",  // the school
      "breach.v1.NotificationContent.previous_notification_reference",
      "breach.v1.DraftField.name", "breach.v1.NotificationDraft.language",
      "breach.v1.NotificationDraft.unknown_fields", "breach.v1.NotificationDraft.template_name",
      "breach.v1.Draft.breach_id", "breach.v1.Draft.tenant", "breach.v1.Draft.sha256",
      "breach.v1.Draft.previous_protocol",
      "breach.v1.PublicNotice.breach_id",
      "breach.v1.Recipient.language",
      // events whose reasons are sealed
      "breach.v1.BreachTriaged.breach_id", "breach.v1.BreachClosed.breach_id",
      "breach.v1.BreachReopened.breach_id", "breach.v1.DutiesDecided.breach_id",
      "breach.v1.AssessmentSubmitted.breach_id", "breach.v1.AssessmentSubmitted.regimes",
      "breach.v1.AssessmentSubmitted.request_id",
      "breach.v1.RiskAssessment.breach_id", "breach.v1.RiskAssessment.tenant",
      // the school itself (its public, institutional details); its people are personal
      "breach.v1.SchoolProfile.tenant", "breach.v1.SchoolProfile.name",
      "breach.v1.SchoolProfile.address", "breach.v1.SchoolProfile.email",
      "breach.v1.SchoolProfile.pec", "breach.v1.SchoolProfile.webhook_url",
      "breach.v1.SchoolProfile.tax_code", "breach.v1.SchoolProfile.website",
      "breach.v1.DirectorySchool.code", "breach.v1.DirectorySchool.name",
      "breach.v1.DirectorySchool.address", "breach.v1.DirectorySchool.postcode",
      "breach.v1.DirectorySchool.municipality", "breach.v1.DirectorySchool.email",
      "breach.v1.DirectorySchool.pec", "breach.v1.DirectorySchool.services",
      // a provider incident: ids, the schools it reaches, the fields an update changed
      "breach.v1.Incident.incident_id", "breach.v1.Incident.schools",
      "breach.v1.Incident.selection", "breach.v1.Incident.request_id",
      "breach.v1.IncidentUpdate.incident_id", "breach.v1.IncidentUpdate.added",
      "breach.v1.IncidentUpdate.request_id", "breach.v1.IncidentUpdate.fields",
      // the notification's events and clocks
      "breach.v1.DraftApproved.breach_id", "breach.v1.DraftApproved.sha256",
      "breach.v1.DispatchQueued.breach_id", "breach.v1.DutySubmitted.breach_id",
      "breach.v1.DeliverySent.breach_id", "breach.v1.DeliverySent.delivery_id",
      "breach.v1.DeliveryFailed.breach_id", "breach.v1.DeliveryFailed.delivery_id",
      "breach.v1.DutyClock.breach_id", "breach.v1.DutyClock.tenant",
      "breach.v1.DutyClock.disarmed_reason",  // the service's own words ("submitted late", ...)
      "breach.v1.Delivery.breach_id", "breach.v1.Delivery.tenant",
      "breach.v1.Delivery.delivery_id", "breach.v1.Delivery.idempotency_key",  // a fingerprint
      "breach.v1.Receipt.breach_id", "breach.v1.Receipt.protocol_number",
  };
  return *fields;
}

TEST(RedactPersonalDataTest, EveryStringFieldOfABreachsReadsIsDecided) {
  std::vector<std::string> undecided;
  for (const google::protobuf::Descriptor* message :
       {breach::v1::Reporter::descriptor(), breach::v1::BreachReport::descriptor(),
        breach::v1::Report::descriptor(), breach::v1::FieldChange::descriptor(),
        breach::v1::Amendment::descriptor(), breach::v1::ContainmentAction::descriptor(),
        breach::v1::RegisterEntry::descriptor(), breach::v1::Communication::descriptor(),
        breach::v1::NotificationRecord::descriptor(), breach::v1::AllegatoB::descriptor(),
        breach::v1::TechnicalMeasures::descriptor(), breach::v1::DutyOverride::descriptor(),
        breach::v1::ContactPoint::descriptor(), breach::v1::NotificationContent::descriptor(),
        breach::v1::DraftField::descriptor(), breach::v1::NotificationDraft::descriptor(),
        breach::v1::Draft::descriptor(), breach::v1::PublicNotice::descriptor(),
        breach::v1::Recipient::descriptor(), breach::v1::Awareness::descriptor(),
        breach::v1::BreachTriaged::descriptor(), breach::v1::BreachClosed::descriptor(),
        breach::v1::BreachReopened::descriptor(), breach::v1::DutiesDecided::descriptor(),
        breach::v1::AssessmentSubmitted::descriptor(), breach::v1::RiskAssessment::descriptor(),
        breach::v1::SchoolProfile::descriptor(), breach::v1::DirectorySchool::descriptor(),
        breach::v1::Incident::descriptor(), breach::v1::IncidentUpdate::descriptor(),
        breach::v1::DraftApproved::descriptor(), breach::v1::DispatchQueued::descriptor(),
        breach::v1::DutySubmitted::descriptor(), breach::v1::DeliverySent::descriptor(),
        breach::v1::DeliveryFailed::descriptor(), breach::v1::DutyClock::descriptor(),
        breach::v1::Delivery::descriptor(), breach::v1::Receipt::descriptor()}) {
    for (int i = 0; i < message->field_count(); ++i) {
      const google::protobuf::FieldDescriptor& field = *message->field(i);
      if (field.type() != google::protobuf::FieldDescriptor::TYPE_STRING) continue;
      if (IsPersonalField(field) || Metadata().count(field.full_name())) continue;
      undecided.push_back(field.full_name());
    }
  }
  EXPECT_THAT(undecided, ::testing::IsEmpty())
      << "decide: personal (libs/privacy/personal_fields.cc) or metadata (this test)";
}

}  // namespace
}  // namespace breachd::service
