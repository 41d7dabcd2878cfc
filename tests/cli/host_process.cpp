#include "host_process.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

pid_t spawn_host(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(RAZOR_SOURCE_DIR) != 0) ::_exit(127);
    FILE* out = std::freopen(log.c_str(), "w", stderr);
    (void)out;
    std::vector<char*> argv{const_cast<char*>(RAZOR_HOST_EXE)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(RAZOR_HOST_EXE, argv.data());
    ::_exit(127);
  }
  return pid;
}

std::vector<std::string> lines_of(const std::string& file, const std::string& containing) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.find(containing) != std::string::npos) out.push_back(line);
  return out;
}

std::string read_file(const std::string& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool python_has_torch() { return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0; }
