#include "libs/regulation/template_renderer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace breachd::regulation {

absl::StatusOr<std::string> RenderTemplate(absl::string_view template_name, absl::string_view text,
                                           const TemplateValues& values) {
  std::string out;
  out.reserve(text.size() * 2);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == absl::string_view::npos) {
      absl::StrAppend(&out, text.substr(pos));
      break;
    }
    absl::StrAppend(&out, text.substr(pos, open - pos));
    const size_t close = text.find("}}", open + 2);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(template_name, ": unclosed \"{{\" at offset ", open));
    }
    const absl::string_view name = absl::StripAsciiWhitespace(text.substr(open + 2, close - open - 2));
    const auto it = values.find(name);
    if (it == values.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(template_name, ": unknown placeholder {{", name, "}}"));
    }
    out.append(it->second);
    pos = close + 2;
  }
  return out;
}

}  // namespace breachd::regulation
