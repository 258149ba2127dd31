// Early-return helpers for absl::Status, which Debian's Abseil (20220623) does not ship.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define BREACHD_STATUS_CONCAT_INNER(a, b) a##b
#define BREACHD_STATUS_CONCAT(a, b) BREACHD_STATUS_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    if (::absl::Status _breachd_status = (expr); !_breachd_status.ok()) \
      return _breachd_status;                                  \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; on error returns its status,
// otherwise moves the value into `lhs` (which may be a declaration: `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  BREACHD_ASSIGN_OR_RETURN_IMPL(BREACHD_STATUS_CONCAT(_breachd_statusor_, __LINE__), lhs, expr)

#define BREACHD_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
