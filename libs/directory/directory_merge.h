// Importing a directory again updates it instead of duplicating it: schools are matched by
// code; a school missing from a later import stays (a partial file must not drop schools).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libs/directory/school.h"

namespace breachd::directory {

struct DirectoryChanges {
  std::vector<School> added;
  std::vector<School> updated;  // the new version of each school that changed
  int unchanged = 0;
};

// What `imported` changes in `current` (keyed by code). Pure: the caller stores the changes.
DirectoryChanges MergeDirectory(const std::map<std::string, School>& current,
                                const std::vector<School>& imported);

}  // namespace breachd::directory
