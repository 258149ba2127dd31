// Shared helpers for the regulation tests: assessments as text protos, the repository's regime
// and template files.
#pragma once

#include <string>
#include <vector>

#include "breach/v1/assessment.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libs/regulation/engine.h"
#include "libs/regulation/regime_loader.h"
#include "libs/regulation/template_loader.h"

namespace breachd::regulation::testing {

inline breach::v1::RiskAssessment Assessment(const std::string& text_proto) {
  breach::v1::RiskAssessment assessment;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text_proto, &assessment))
      << text_proto;
  return assessment;
}

inline breach::v1::Regime RegimeFromText(const std::string& text_proto) {
  breach::v1::Regime regime;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text_proto, &regime)) << text_proto;
  return regime;
}

inline std::string RepoPath(const std::string& relative) {
  return std::string(BREACHD_SOURCE_DIR) + "/" + relative;
}

inline std::vector<breach::v1::Regime> RepoRegimes() {
  auto regimes = LoadRegimeDirectory(RepoPath("regimes"));
  EXPECT_TRUE(regimes.ok()) << regimes.status();
  return regimes.ok() ? *regimes : std::vector<breach::v1::Regime>{};
}

inline TemplateSet RepoTemplates() {
  auto templates = LoadTemplateDirectory(RepoPath("templates"));
  EXPECT_TRUE(templates.ok()) << templates.status();
  return templates.ok() ? *templates : TemplateSet{};
}

inline absl::TimeZone Rome() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Rome", &zone)) << "install Debian package tzdata";
  return zone;
}

inline RegulationEngine RepoEngine() {
  auto engine = RegulationEngine::Create(RepoRegimes(), RepoTemplates(), Rome());
  EXPECT_TRUE(engine.ok()) << engine.status();
  return *std::move(engine);
}

}  // namespace breachd::regulation::testing
