// A tiny "{{placeholder}}" renderer for the draft templates an operator may edit without
// recompiling. Only placeholders, no logic: the engine decides, the template only words it.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace breachd::regulation {

// A template parsed once into literal text and placeholder slots, so that rendering is only a
// few appends: the engine parses its templates when it is created, not on every evaluation.
class CompiledTemplate {
 public:
  // The slot of a placeholder name (an index into the values given to RenderTo), or -1 when the
  // template may not use that name.
  using SlotOf = absl::FunctionRef<int(absl::string_view name)>;

  CompiledTemplate() = default;

  // Parses every {{name}} (spaces inside the braces allowed). A name with no slot or an unclosed
  // "{{" is INVALID_ARGUMENT naming the template and the placeholder.
  static absl::StatusOr<CompiledTemplate> Compile(absl::string_view template_name,
                                                  absl::string_view text, SlotOf slot_of);

  // Replaces *out with the text, each placeholder replaced by values[its slot]. Reuses the
  // capacity *out already has.
  void RenderTo(absl::Span<const absl::string_view> values, std::string* out) const;

 private:
  // Literal text of the template, then the placeholder that follows it (-1 after the last).
  struct Piece {
    size_t literal_begin;
    size_t literal_size;
    int slot;
  };

  std::string text_;
  std::vector<Piece> pieces_;
  size_t literal_bytes_ = 0;
};

using TemplateValues = absl::flat_hash_map<std::string, std::string>;

// Parses and renders `text` in one go, with values[name] for each {{name}}. A placeholder with no
// value or an unclosed "{{" is INVALID_ARGUMENT naming the template and the placeholder.
absl::StatusOr<std::string> RenderTemplate(absl::string_view template_name, absl::string_view text,
                                           const TemplateValues& values);

}  // namespace breachd::regulation
