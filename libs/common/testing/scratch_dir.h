// Scratch folders for tests. Every folder a test process makes lies under one root of its own,
// <TEST_TMPDIR, or the system temp dir>/breachd-test-<pid>, which is removed with everything in it
// when the process exits; each ScratchDir also removes itself when it goes. Nothing is left in
// the system temp folder after a run, and parallel test processes never share a folder.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace breachd::testing {

// This process's scratch root, created on first use.
inline const std::filesystem::path& ScratchRoot() {
  struct Root {
    pid_t owner = getpid();
    std::filesystem::path path;
    Root() {
      const char* base = std::getenv("TEST_TMPDIR");
      path = std::filesystem::path(base != nullptr && *base != '\0'
                                       ? std::filesystem::path(base)
                                       : std::filesystem::temp_directory_path()) /
             ("breachd-test-" + std::to_string(owner));
      std::filesystem::create_directories(path);
    }
    ~Root() {
      // A forked child that exits must not take its parent's folders with it.
      if (getpid() != owner) return;
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static Root root;
  return root.path;
}

// A fresh, empty folder <ScratchRoot()>/<name>-XXXXXX, removed when the object goes.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name = "scratch") {
    std::string pattern = (ScratchRoot() / (name + "-XXXXXX")).string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace breachd::testing
