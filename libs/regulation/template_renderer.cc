#include "libs/regulation/template_renderer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace breachd::regulation {

absl::StatusOr<CompiledTemplate> CompiledTemplate::Compile(absl::string_view template_name,
                                                           absl::string_view text,
                                                           SlotOf slot_of) {
  CompiledTemplate compiled;
  compiled.text_ = std::string(text);
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == absl::string_view::npos) {
      compiled.pieces_.push_back({pos, text.size() - pos, -1});
      break;
    }
    const size_t close = text.find("}}", open + 2);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(template_name, ": unclosed \"{{\" at offset ", open));
    }
    const absl::string_view name =
        absl::StripAsciiWhitespace(text.substr(open + 2, close - open - 2));
    const int slot = slot_of(name);
    if (slot < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(template_name, ": unknown placeholder {{", name, "}}"));
    }
    compiled.pieces_.push_back({pos, open - pos, slot});
    pos = close + 2;
  }
  for (const Piece& piece : compiled.pieces_) compiled.literal_bytes_ += piece.literal_size;
  return compiled;
}

void CompiledTemplate::RenderTo(absl::Span<const absl::string_view> values,
                                std::string* out) const {
  size_t size = literal_bytes_;
  for (const Piece& piece : pieces_) {
    if (piece.slot >= 0) size += values[piece.slot].size();
  }
  out->clear();
  out->reserve(size);
  for (const Piece& piece : pieces_) {
    out->append(text_, piece.literal_begin, piece.literal_size);
    if (piece.slot < 0) continue;
    const absl::string_view value = values[piece.slot];
    out->append(value.data(), value.size());
  }
}

absl::StatusOr<std::string> RenderTemplate(absl::string_view template_name, absl::string_view text,
                                           const TemplateValues& values) {
  std::vector<absl::string_view> slot_values;
  const auto compiled =
      CompiledTemplate::Compile(template_name, text, [&](absl::string_view name) {
        const auto it = values.find(name);
        if (it == values.end()) return -1;
        slot_values.push_back(it->second);
        return static_cast<int>(slot_values.size()) - 1;
      });
  if (!compiled.ok()) return compiled.status();
  std::string out;
  compiled->RenderTo(slot_values, &out);
  return out;
}

}  // namespace breachd::regulation
