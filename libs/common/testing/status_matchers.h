// gMock matchers for absl::Status / absl::StatusOr, which Debian's Abseil does not ship.
//   EXPECT_THAT(store.Append(req), IsOk());
//   EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("discovered_at")));
#pragma once

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace breachd::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::breachd::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& status = ::breachd::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + ::testing::PrintToString(code) + " and a matching message") {
  const absl::Status& status = ::breachd::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

// ASSERT_OK_AND_ASSIGN(auto value, expr): asserts expr is OK and binds its value.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  BREACHD_ASSERT_OK_AND_ASSIGN_IMPL(BREACHD_TEST_CONCAT(_breachd_or_, __LINE__), lhs, expr)
#define BREACHD_TEST_CONCAT_INNER(a, b) a##b
#define BREACHD_TEST_CONCAT(a, b) BREACHD_TEST_CONCAT_INNER(a, b)
#define BREACHD_ASSERT_OK_AND_ASSIGN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                     \
  ASSERT_TRUE(statusor.ok()) << statusor.status();            \
  lhs = std::move(statusor).value()

}  // namespace breachd::testing
