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

}  // namespace breachd::regulation
