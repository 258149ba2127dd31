#include "libs/regulation/drafts.h"

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/testing/status_matchers.h"
#include "libs/regulation/template_loader.h"
#include "libs/regulation/template_renderer.h"
#include "libs/regulation/tests/test_inputs.h"

namespace breachd::regulation {
namespace {

using ::breachd::testing::IsOk;
using ::breachd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Assessment;

struct RenderCase {
  std::string name;
  std::string text;
  std::string expected;  // empty: an error is expected
  std::string error;
};

// Names the case in test listings instead of gtest's raw bytes.
void PrintTo(const RenderCase& c, std::ostream* os) { *os << c.name; }

class TemplateRendererTest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(TemplateRendererTest, Renders) {
  const TemplateValues values{{"school", "Vespucci"}, {"n", "25"}};
  const auto out = RenderTemplate("t.md", GetParam().text, values);
  if (GetParam().error.empty()) {
    ASSERT_THAT(out, IsOk());
    EXPECT_EQ(*out, GetParam().expected);
  } else {
    EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument,
                              ::testing::AllOf(HasSubstr("t.md"), HasSubstr(GetParam().error))));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TemplateRendererTest,
    ::testing::Values(RenderCase{"plain", "no placeholders", "no placeholders", ""},
                      RenderCase{"two", "{{school}}: {{ n }} alunni", "Vespucci: 25 alunni", ""},
                      RenderCase{"adjacent", "{{n}}{{n}}", "2525", ""},
                      RenderCase{"single_braces_untouched", "{n} {{n}}", "{n} 25", ""},
                      RenderCase{"unknown", "{{nome}}", "", "unknown placeholder {{nome}}"},
                      RenderCase{"unclosed", "ciao {{school", "", "unclosed"}),
    [](const auto& info) { return info.param.name; });

constexpr char kHighRiskWithContent[] = R"(
  breach_id: "01J0TEST" tenant: "RGIS00800A"
  awareness_time { seconds: 1774602000 }
  allegato_b { exposure_types: EXPOSURE_TYPE_THEFT data_nature: DATA_NATURE_SPECIAL_CATEGORY
               vulnerable_subjects: true people_affected: 25 }
  facts { records_approx: 40 }
  content {
    controller_name: "Ist. Amerigo Vespucci"
    dpo { name: "Giuseppe Russo" email: "privacy@giusepperusso.biz" }
    nature_of_breach: "Furto di un portatile non cifrato"
    subject_categories: "Alunni della 3B"
    record_categories: "Certificati medici"
    measures_taken: "Denuncia ai Carabinieri, cambio password"
  })";

const breach::v1::NotificationDraft* FindDraft(const breach::v1::AssessmentResult& r,
                                               breach::v1::DutyKind duty, const std::string& lang) {
  for (const auto& d : r.drafts()) {
    if (d.duty() == duty && d.language() == lang) return &d;
  }
  return nullptr;
}

TEST(DraftsTest, AuthorityNotificationMarksUnknownsAndIsPreliminary) {
  const RegulationEngine engine = testing::RepoEngine();
  const auto result = engine.Evaluate(Assessment(kHighRiskWithContent), absl::FromUnixSeconds(1774602000));
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->drafts_size(), 4);  // authority + subjects, in Italian and English

  const auto* it = FindDraft(*result, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "it");
  ASSERT_NE(it, nullptr);
  EXPECT_EQ(it->phase(), breach::v1::NOTIFICATION_PHASE_PRELIMINARY);
  EXPECT_THAT(it->unknown_fields(), ::testing::UnorderedElementsAre("likely_consequences"));
  EXPECT_THAT(it->document(), HasSubstr("Furto di un portatile non cifrato"));
  EXPECT_THAT(it->document(), HasSubstr("_non ancora noto_"));
  EXPECT_THAT(it->document(), HasSubstr("~25"));
  EXPECT_THAT(it->document(), HasSubstr("2026-03-30T11:00:00+02:00"));
  EXPECT_THAT(it->document(), Not(HasSubstr("{{")));
  EXPECT_EQ(it->template_name(), "authority-notification.it.md");

  const auto* en = FindDraft(*result, breach::v1::DUTY_KIND_SUBJECT_COMMUNICATION, "en");
  ASSERT_NE(en, nullptr);
  EXPECT_THAT(en->document(), HasSubstr("privacy@giusepperusso.biz"));
  EXPECT_THAT(en->document(), HasSubstr("_not yet known_"));
  EXPECT_THAT(en->unknown_fields(), ::testing::Contains("advice_to_subjects"));
}

TEST(DraftsTest, CompleteWhenEverythingIsKnownAndSupplementaryNeedsAReference) {
  const RegulationEngine engine = testing::RepoEngine();
  auto input = Assessment(kHighRiskWithContent);
  input.mutable_content()->set_likely_consequences("Diffusione di dati sulla salute di minori");
  auto complete = engine.Evaluate(input, absl::FromUnixSeconds(1774602000));
  ASSERT_THAT(complete, IsOk());
  EXPECT_EQ(FindDraft(*complete, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "en")->phase(),
            breach::v1::NOTIFICATION_PHASE_COMPLETE);

  input.mutable_content()->set_phase(breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY);
  EXPECT_THAT(engine.Evaluate(input, absl::FromUnixSeconds(1774602000)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("content.previous_notification_reference")));
  input.mutable_content()->set_previous_notification_reference("Prot. 12345/2026");
  auto supplementary = engine.Evaluate(input, absl::FromUnixSeconds(1774602000));
  ASSERT_THAT(supplementary, IsOk());
  const auto* draft = FindDraft(*supplementary, breach::v1::DUTY_KIND_AUTHORITY_NOTIFICATION, "it");
  EXPECT_EQ(draft->phase(), breach::v1::NOTIFICATION_PHASE_SUPPLEMENTARY);
  EXPECT_THAT(draft->document(), HasSubstr("Prot. 12345/2026"));
}

TEST(DraftsTest, NoDraftsWhenNothingIsToBeNotified) {
  const RegulationEngine engine = testing::RepoEngine();
  const auto result = engine.Evaluate(
      Assessment("awareness_time { seconds: 1774602000 } allegato_b { exposure_types: "
                 "EXPOSURE_TYPE_READ data_nature: DATA_NATURE_SIMPLE } facts { recipient: "
                 "RECIPIENT_TRUST_TRUSTED }"),
      absl::FromUnixSeconds(1774602000));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->drafts_size(), 0);
}

TEST(TemplateLoaderTest, BrokenTemplateIsRejectedWhenLoaded) {
  TemplateSet templates = testing::RepoTemplates();
  templates.by_name["data-subject-communication.en.md"] += "\n{{favourite_colour}}\n";
  EXPECT_THAT(ValidateTemplates(templates),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("data-subject-communication.en.md"),
                                        HasSubstr("{{favourite_colour}}"))));
  templates.by_name.erase("authority-notification.it.md");
  EXPECT_THAT(ValidateTemplates(templates), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(LoadTemplateDirectory("/nonexistent"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace breachd::regulation
