#pragma once
// Small helpers shared by the unit tests.
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <unistd.h>

#include "razor/errors.h"

namespace razor::test {

/// A fresh temporary folder, removed with everything in it when the object goes.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag)
      : path(std::filesystem::temp_directory_path() / ("razor_" + tag + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  /// Writes `bytes` to `name` (folders created as needed) and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << bytes;
    return file(name);
  }
};

/// The message of the razor::Error that `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const razor::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace razor::test
