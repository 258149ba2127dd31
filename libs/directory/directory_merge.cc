#include "libs/directory/directory_merge.h"

namespace breachd::directory {

DirectoryChanges MergeDirectory(const std::map<std::string, School>& current,
                                const std::vector<School>& imported) {
  DirectoryChanges changes;
  for (const School& school : imported) {
    auto known = current.find(school.code);
    if (known == current.end()) {
      changes.added.push_back(school);
    } else if (!(known->second == school)) {
      changes.updated.push_back(school);
    } else {
      ++changes.unchanged;
    }
  }
  return changes;
}

}  // namespace breachd::directory
