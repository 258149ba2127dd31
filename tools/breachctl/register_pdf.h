// The register export as a PDF in Italian, laid out like a register a school prints: one table
// of every breach, then one page (or more) per breach with its columns, its timeline and its
// chain proof. Drawn with cairo and pango (Debian's libcairo2, libpango-1.0).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "breach/v1/register.pb.h"

namespace breachd::breachctl {

// The PDF's bytes.
absl::StatusOr<std::string> RegisterPdf(const breach::v1::RegisterExport& exported);

}  // namespace breachd::breachctl
