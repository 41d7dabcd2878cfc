#include "host_process.h"

#include <array>
#include <cstdio>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

HostResult run_host(const std::string& args, const std::string& env) {
  return run_in_source_dir(env + " " + RAZOR_HOST_EXE + " " + args);
}

HostResult run_in_source_dir(const std::string& command) {
  const std::string cmd = std::string("cd ") + RAZOR_SOURCE_DIR + " && " + command + " 2>&1";
  HostResult result;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string fixture_dir(const std::string& name) { return std::string(RAZOR_BINARY_DIR) + "/tests/fixtures/" + name; }

std::string temp_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("razor_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}
