// Small helpers for the Italian/English texts that every reason and explanation carries.
#pragma once

#include <string>

#include "breach/v1/assessment.pb.h"

namespace breachd::regulation {

inline breach::v1::BilingualText Bilingual(std::string it, std::string en) {
  breach::v1::BilingualText text;
  text.set_it(std::move(it));
  text.set_en(std::move(en));
  return text;
}

// Fills `text` in place: cheaper than assigning a temporary message, and arena-friendly.
inline void SetBilingual(breach::v1::BilingualText* text, std::string it, std::string en) {
  text->set_it(std::move(it));
  text->set_en(std::move(en));
}

}  // namespace breachd::regulation
