#include "libs/regulation/notification_drafts.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/common/testing/scratch_dir.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/regulation/file_reading.h"
#include "libs/regulation/template_loader.h"
#include "libs/regulation/tests/test_inputs.h"
#include "libs/regulation/time_format.h"

namespace breachd::regulation {
namespace {

using ::breach::v1::DutyKind;
using ::breach::v1::NotificationDraft;
using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename Message>
Message FromExample(const std::string& name) {
  Message message;
  const auto json = ReadWholeFile(testing::RepoPath("docs/examples/" + name));
  EXPECT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.value_or("{}"), &message).ok())
      << name;
  return message;
}

const NotificationTemplates& RepoNotificationTemplates() {
  static const auto* templates = [] {
    auto set = LoadNotificationTemplateDirectory(testing::RepoPath("templates"));
    EXPECT_THAT(set, IsOk());
    auto compiled = NotificationTemplates::Compile(set.value_or(TemplateSet{}));
    EXPECT_THAT(compiled, IsOk());
    return new NotificationTemplates(*std::move(compiled));
  }();
  return *templates;
}

// The lost laptop of docs/examples: the Allegato A, the assessment as the engine evaluated it two
// hours after awareness, and the school's profile.
class NotificationDraftsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    report_ = FromExample<breach::v1::BreachReport>("report-lost-laptop.json");
    auto* risk = version_.mutable_assessment();
    *risk = FromExample<breach::v1::RiskAssessment>("assessment-lost-laptop-health-data.json");
    awareness_ = FromProto(risk->awareness_time());
    auto result = testing::RepoEngine().Evaluate(*risk, awareness_ + absl::Hours(2));
    ASSERT_THAT(result, IsOk());
    *version_.mutable_result() = *result;
    version_.set_breach_id(risk->breach_id());
    version_.set_version(1);

    school_.set_tenant("MIIS01200V");
    school_.set_name("Ist. Amerigo Vespucci");
    school_.set_address("Via Roma 1, 97100 Ragusa");
    school_.set_head_name("Prof.ssa Anna Verdi");
    school_.mutable_dpo()->set_name("Avv. Giuseppe Russo");
    school_.mutable_dpo()->set_email("privacy@giusepperusso.biz");
    school_.set_email("miis01200v@istruzione.it");
    school_.set_pec("miis01200v@pec.istruzione.it");
    school_.set_tax_code("80012345678");
  }

  DutyDraftInputs Inputs(DutyKind duty) const {
    DutyDraftInputs in;
    in.duty = duty;
    in.assessment = &version_;
    in.report = &report_;
    in.school = &school_;
    in.breach_id = version_.breach_id();
    in.awareness = awareness_;
    in.now = awareness_ + absl::Hours(3);
    return in;
  }

  std::vector<NotificationDraft> Build(const DutyDraftInputs& in) const {
    auto drafts = BuildDutyDrafts(in, RepoNotificationTemplates(), testing::Rome());
    EXPECT_THAT(drafts, IsOk());
    return drafts.value_or(std::vector<NotificationDraft>{});
  }

  breach::v1::BreachReport report_;
  breach::v1::AssessmentVersion version_;
  breach::v1::SchoolProfile school_;
  absl::Time awareness_;
};

bool IsValidUtf8(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c < 0x80) continue;
    const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n - 1;
  }
  return true;
}

const breach::v1::DraftField* Field(const NotificationDraft& draft, const std::string& name) {
  for (const auto& field : draft.fields()) {
    if (field.name() == name) return &field;
  }
  return nullptr;
}

constexpr DutyKind kDuties[] = {breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                                breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION,
                                breach::v1::DUTY_KIND_CONTROLLER_NOTICE};

TEST_F(NotificationDraftsTest, EachDutyRendersInEachLanguage) {
  for (const DutyKind duty : kDuties) {
    SCOPED_TRACE(breach::v1::DutyKind_Name(duty));
    const auto drafts = Build(Inputs(duty));
    ASSERT_EQ(drafts.size(), 2u);
    EXPECT_EQ(drafts[0].language(), "it");
    EXPECT_EQ(drafts[1].language(), "en");
    for (const auto& draft : drafts) {
      EXPECT_EQ(draft.duty(), duty);
      EXPECT_THAT(draft.template_name(), AllOf(HasSubstr("duty-"), HasSubstr(draft.language())));
      EXPECT_THAT(draft.document(), AllOf(HasSubstr("Ist. Amerigo Vespucci"),
                                          HasSubstr("01JQ0LAPTOP000000000000000"),
                                          Not(HasSubstr("{{"))));
      EXPECT_FALSE(DraftSubject(draft, &school_).empty());
    }
  }
}

TEST_F(NotificationDraftsTest, AuthorityNotificationFollowsTheFormAndIsCompleteWhenAllIsKnown) {
  const auto drafts = Build(Inputs(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION));
  ASSERT_EQ(drafts.size(), 2u);
  const auto& it = drafts[0];
  EXPECT_EQ(it.phase(), breach::v1::NOTIFICATION_PHASE_COMPLETE);
  EXPECT_THAT(it.unknown_fields(), Not(Contains("nature_of_breach")));
  EXPECT_THAT(it.document(),
              AllOf(HasSubstr("## A. Tipo di notifica"), HasSubstr("**Fase:** completa"),
                    HasSubstr("**Data di redazione:** 2026-03-27 13:00 CET"),
                    HasSubstr("80012345678"), HasSubstr("Avv. Giuseppe Russo"),
                    // Europe/Rome local time: 10:00+01:00 on 27 March 2026.
                    HasSubstr("2026-03-27 10:00"), HasSubstr("Registro elettronico"),
                    HasSubstr("~25"), HasSubstr("Cifratura del disco")));
  // Not late yet: the reason for a delay does not apply.
  EXPECT_FALSE(Field(it, "delay_reason")->unknown());
  EXPECT_THAT(DraftSubject(it, &school_),
              AllOf(HasSubstr("NOTIFICA VIOLAZIONE DATI PERSONALI"),
                    HasSubstr("Ist. Amerigo Vespucci"), HasSubstr("completa")));
  EXPECT_THAT(drafts[1].document(), HasSubstr("**Phase:** complete"));
}

TEST_F(NotificationDraftsTest, PreliminaryWhileArt33FactsAreMissing) {
  auto* content = version_.mutable_assessment()->mutable_content();
  content->clear_likely_consequences();
  content->clear_record_categories();
  const auto drafts = Build(Inputs(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION));
  ASSERT_EQ(drafts.size(), 2u);
  for (const auto& draft : drafts) {
    EXPECT_EQ(draft.phase(), breach::v1::NOTIFICATION_PHASE_PRELIMINARY);
    EXPECT_THAT(draft.unknown_fields(), AllOf(Contains("likely_consequences"),
                                              Contains("record_categories")));
    EXPECT_TRUE(Field(draft, "likely_consequences")->unknown());
    EXPECT_EQ(Field(draft, "likely_consequences")->value(), "");
  }
  EXPECT_THAT(drafts[0].document(), AllOf(HasSubstr("**Fase:** preliminare"),
                                          HasSubstr("_da definire_"),
                                          HasSubstr("categorie di dati; probabili conseguenze")));
  EXPECT_THAT(drafts[1].document(),
              AllOf(HasSubstr("_not yet known_"),
                    HasSubstr("categories of personal data; likely consequences")));
}

TEST_F(NotificationDraftsTest, LateNotificationAsksWhy) {
  DutyDraftInputs in = Inputs(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  in.now = awareness_ + absl::Hours(80);
  const auto drafts = Build(in);
  ASSERT_EQ(drafts.size(), 2u);
  EXPECT_TRUE(Field(drafts[0], "delay_reason")->unknown());
}

TEST_F(NotificationDraftsTest, UnknownSchoolAndNoAssessmentAreMarked) {
  DutyDraftInputs in = Inputs(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  in.school = nullptr;
  in.assessment = nullptr;
  const auto drafts = Build(in);
  ASSERT_EQ(drafts.size(), 2u);
  for (const auto& draft : drafts) {
    EXPECT_THAT(draft.unknown_fields(),
                AllOf(Contains("controller_name"), Contains("processor_name"),
                      Contains("processor_awareness_time")));
    EXPECT_TRUE(Field(draft, "controller_name")->unknown());
    // From the Allegato A alone.
    EXPECT_FALSE(Field(draft, "discovery_time")->unknown());
  }
  EXPECT_THAT(drafts[0].document(), AllOf(HasSubstr("_da definire_"),
                                          HasSubstr("2026-11-20 08:15")));
  EXPECT_THAT(drafts[1].document(), HasSubstr("_not yet known_"));
}

TEST_F(NotificationDraftsTest, ControllerNoticeFromTheProviderWithItsFortyEightHours) {
  report_.set_reporter_role(breach::v1::REPORTER_ROLE_PROCESSOR);
  report_.mutable_reporter()->set_organization("Argo Software srl");
  report_.mutable_reporter()->set_external(true);
  DutyDraftInputs in = Inputs(breach::v1::DUTY_KIND_CONTROLLER_NOTICE);
  in.assessment = nullptr;
  const auto drafts = Build(in);
  ASSERT_EQ(drafts.size(), 2u);
  EXPECT_THAT(drafts[0].unknown_fields(), Not(Contains("processor_name")));
  // Discovered 2026-11-20 08:15 in Rome: the provider's 48 hours end on the 22nd.
  EXPECT_THAT(drafts[0].document(),
              AllOf(HasSubstr("Argo Software srl"), HasSubstr("2026-11-22 08:15"),
                    HasSubstr("72 ore"), HasSubstr("confermarne la ricezione")));
  EXPECT_THAT(drafts[1].document(), AllOf(HasSubstr("72-hour"), HasSubstr("acknowledge")));
  EXPECT_THAT(DraftSubject(drafts[1], &school_), HasSubstr("acknowledgement requested"));
}

TEST_F(NotificationDraftsTest, SupplementaryNeedsThePreviousProtocol) {
  DutyDraftInputs in = Inputs(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION);
  in.phase = breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY;
  EXPECT_THAT(BuildDutyDrafts(in, RepoNotificationTemplates(), testing::Rome()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("previous_protocol")));
  in.previous_protocol = "0012345/26";
  const auto drafts = Build(in);
  ASSERT_EQ(drafts.size(), 2u);
  EXPECT_EQ(drafts[0].phase(), breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY);
  EXPECT_THAT(drafts[0].document(), AllOf(HasSubstr("integrativa"), HasSubstr("0012345/26")));
  EXPECT_THAT(DraftSubject(drafts[0], &school_), HasSubstr("0012345/26"));
}

TEST_F(NotificationDraftsTest, RefusesOtherDutiesAndPhasesWhereThereAreNone) {
  DutyDraftInputs in = Inputs(breach::v1::DUTY_KIND_REGISTER_ENTRY);
  EXPECT_THAT(BuildDutyDrafts(in, RepoNotificationTemplates(), testing::Rome()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duty")));
  in.duty = breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION;
  in.phase = breach::v1::NOTIFICATION_PHASE_PRELIMINARY;
  EXPECT_THAT(BuildDutyDrafts(in, RepoNotificationTemplates(), testing::Rome()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("phase")));
}

TEST_F(NotificationDraftsTest, Sha256IsStableAndChangesWithAnyField) {
  const auto drafts = Build(Inputs(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION));
  const std::string sha = DraftSha256(drafts);
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_EQ(sha, DraftSha256(Build(Inputs(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION))));
  auto changed = drafts;
  changed[1].mutable_fields(0)->set_value("Ist. Amerigo Vespucci ");
  EXPECT_NE(DraftSha256(changed), sha);
  EXPECT_NE(DraftSha256({drafts[1], drafts[0]}), sha);
}

TEST_F(NotificationDraftsTest, PersonalLetterGreetsByNameInEachLanguage) {
  const auto drafts = Build(Inputs(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION));
  ASSERT_EQ(drafts.size(), 2u);
  const auto it = PersonalLetter(drafts[0], "Mario Rossi");
  ASSERT_THAT(it, IsOk());
  EXPECT_THAT(*it, AllOf(HasSubstr("Gentile Mario Rossi,"), Not(HasSubstr("interessata")),
                         HasSubstr("Diffidate di contatti inattesi")));
  const auto en = PersonalLetter(drafts[1], "Mario\r\nRossi");
  ASSERT_THAT(en, IsOk());
  EXPECT_THAT(*en, AllOf(HasSubstr("Dear Mario Rossi,"), Not(HasSubstr("Dear parent"))));
  EXPECT_THAT(PersonalLetter(drafts[0], " "), StatusIs(absl::StatusCode::kInvalidArgument));
  const auto authority = Build(Inputs(breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION));
  EXPECT_THAT(PersonalLetter(authority[0], "Mario Rossi"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(NotificationDraftsTest, PublicNoticeEscapesEveryValue) {
  school_.set_name("<script>alert(1)</script>");
  version_.mutable_assessment()->mutable_content()->set_measures_taken("Polfer & \"blocco\"");
  const auto drafts = Build(Inputs(breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION));
  const std::string html = PublicNoticeHtml(drafts, &school_);
  EXPECT_THAT(html, AllOf(HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"),
                          Not(HasSubstr("<script>")), HasSubstr("Polfer &amp; &quot;blocco&quot;"),
                          HasSubstr("<section lang=\"it\">"), HasSubstr("<section lang=\"en\">"),
                          HasSubstr("Che cosa potete fare"), HasSubstr("What you can do"),
                          HasSubstr("privacy@giusepperusso.biz"), HasSubstr("</html>")));
}

TEST_F(NotificationDraftsTest, SubjectLineIsOneLine) {
  school_.set_name("Vespucci\r\nBcc: victim@example.com");
  for (const DutyKind duty : kDuties) {
    for (const auto& draft : Build(Inputs(duty))) {
      EXPECT_THAT(DraftSubject(draft, &school_),
                  AllOf(Not(HasSubstr("\n")), Not(HasSubstr("\r")), HasSubstr("Vespucci Bcc")));
    }
  }
}

// Every value a draft shows is the value collected, even for facts looked up after others were
// added (a flat map's rehash once left views of freed memory in the document: garbage bytes
// that the gRPC client refused as invalid UTF-8). Before an assessment most facts are missing,
// which is when lookups add the most.
TEST_F(NotificationDraftsTest, DocumentsShowTheCollectedValuesBeforeAnyAssessment) {
  for (DutyKind duty : {breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION,
                        breach::v1::DUTY_KIND_CONTROLLER_NOTICE}) {
    DutyDraftInputs in = Inputs(duty);
    in.assessment = nullptr;
    for (const NotificationDraft& draft : Build(in)) {
      for (const auto& field : draft.fields()) {
        if (field.value().empty()) continue;
        EXPECT_TRUE(absl::StrContains(draft.document(), field.value()))
            << draft.language() << " " << field.name() << " = " << field.value();
      }
      EXPECT_TRUE(IsValidUtf8(draft.document())) << draft.language();
    }
  }
}

TEST(NotificationTemplatesTest, UnknownPlaceholderIsRefusedNamingTheFile) {
  auto set = LoadNotificationTemplateDirectory(testing::RepoPath("templates"));
  ASSERT_THAT(set, IsOk());
  TemplateSet broken = *set;
  broken.by_name["duty-controller-notice.en.md"] += "\n{{favourite_colour}}\n";
  EXPECT_THAT(NotificationTemplates::Compile(broken),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("duty-controller-notice.en.md"),
                             HasSubstr("{{favourite_colour}}"))));
  // A placeholder of another duty's draft is unknown here too.
  broken = *set;
  broken.by_name["duty-subject-communication.it.md"] += "{{controller_tax_code}}";
  EXPECT_THAT(NotificationTemplates::Compile(broken),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duty-subject-communication.it.md")));
  broken = *set;
  broken.by_name.erase("duty-authority-notification.it.md");
  EXPECT_THAT(NotificationTemplates::Compile(broken),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("duty-authority-notification.it.md")));

  // From a directory, as an operator would edit it.
  const breachd::testing::ScratchDir dir("templates");
  const std::filesystem::path root(dir.path());
  for (const auto& [name, text] : set->by_name) std::ofstream(root / name) << text;
  std::ofstream(root / "duty-authority-notification.en.md", std::ios::app) << "{{nome}}";
  EXPECT_THAT(LoadNotificationTemplateDirectory(dir.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("duty-authority-notification.en.md"),
                             HasSubstr("{{nome}}"))));
}

}  // namespace
}  // namespace breachd::regulation
