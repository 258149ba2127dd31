// A tiny "{{placeholder}}" renderer for the draft templates an operator may edit without
// recompiling. Only placeholders, no logic: the engine decides, the template only words it.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace breachd::regulation {

using TemplateValues = absl::flat_hash_map<std::string, std::string>;

// Replaces every {{name}} (spaces inside the braces allowed) with values[name]. A placeholder
// with no value or an unclosed "{{" is INVALID_ARGUMENT naming the template and the placeholder.
absl::StatusOr<std::string> RenderTemplate(absl::string_view template_name, absl::string_view text,
                                           const TemplateValues& values);

}  // namespace breachd::regulation
