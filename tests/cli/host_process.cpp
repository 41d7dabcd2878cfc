#include "host_process.h"

#include "razor_doctest.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <chrono>
#include <random>
#include <thread>

#include <signal.h>
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

KillReport kill_and_resume(const std::vector<std::string>& args, const std::string& dir, long reference_ms, int max_kills,
                           unsigned seed, const std::string& log) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<long> delay_ms(reference_ms / 20, reference_ms / 3);
  KillReport report;
  for (int attempt = 0; attempt <= max_kills; ++attempt) {
    std::vector<std::string> run = args;
    if (std::filesystem::exists(dir + "/checkpoints/latest.pt")) run.push_back("--resume");
    const pid_t pid = spawn_host(run, log);
    const auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(rng));
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (attempt < max_kills && std::chrono::steady_clock::now() >= kill_at) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    report.last_log = read_file(log);
    if (WIFSIGNALED(status)) {
      ++report.kills;
      const std::string& l = report.last_log;
      ++report.phases[l.find("search round") != std::string::npos ? "search"
                      : l.find("step ") != std::string::npos     ? "training"
                                                                 : "start-up"];
      continue;
    }
    report.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    break;
  }
  return report;
}

std::vector<std::array<std::string, 3>> results_to_compare(const std::string& dir, const std::string& reference) {
  std::vector<std::array<std::string, 3>> out;
  const auto joined = [](const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  };
  const auto before_speed = [](const std::string& t) { return t.substr(0, t.find("\ninference_layout")); };
  std::vector<std::string> files{"subnet.toml", "export/subnet.toml", "export/check_output.pt"};
  if (std::filesystem::is_directory(reference + "/search/subnets"))
    for (const auto& e : std::filesystem::directory_iterator(reference + "/search/subnets"))
      files.push_back("search/subnets/" + e.path().filename().string());
  for (const auto& f : files) out.push_back({f, read_file(dir + "/" + f), read_file(reference + "/" + f)});
  out.push_back({"export/report.toml", before_speed(read_file(dir + "/export/report.toml")),
                 before_speed(read_file(reference + "/export/report.toml"))});
  for (const char* type : {"\"type\":\"val\"", "\"type\":\"search\""})
    out.push_back({type, joined(lines_of(dir + "/metrics.jsonl", type)), joined(lines_of(reference + "/metrics.jsonl", type))});
  return out;
}

void check_killed_run_matches(const std::string& label, const std::string& config, const std::vector<std::string>& sets,
                              const std::string& root, int max_kills, unsigned seed) {
  std::string quoted;
  for (const auto& s : sets) quoted += " \"" + s + "\"";
  const auto started = std::chrono::steady_clock::now();
  auto ref = run_host("run " + config + " --work-dir " + root + "/ref" + quoted);
  INFO(ref.output);
  REQUIRE(ref.exit_code == 0);
  const long ref_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

  std::vector<std::string> args{"run", config, "--work-dir", root + "/killed"};
  args.insert(args.end(), sets.begin(), sets.end());
  const KillReport report = kill_and_resume(args, root + "/killed", ref_ms, max_kills, seed, root + "/attempt.log");
  std::string where;
  for (const auto& [phase, n] : report.phases) where += " " + phase + " " + std::to_string(n);
  MESSAGE(label << " kill points survived: " << report.kills << " (" << where << " )");
  INFO(report.last_log);
  REQUIRE(report.finished);
  CHECK(report.kills >= 3);  // a resumed run that has little left may finish before its kill moment
  for (const auto& [what, got, expected] : results_to_compare(root + "/killed", root + "/ref")) {
    CAPTURE(what);
    CHECK_FALSE(expected.empty());
    CHECK(got == expected);
  }
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
