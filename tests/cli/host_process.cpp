#include "host_process.h"

#include "razor_doctest.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <chrono>
#include <random>
#include <regex>
#include <thread>

#include <signal.h>
#include <sys/prctl.h>
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

namespace {

// The pids a launcher announced ("rank 0: pid 123, rank 1: pid 124"), in rank order; none before it did.
std::vector<pid_t> announced_ranks(const std::string& log) {
  static const std::regex announced("rank [0-9]+: pid ([0-9]+)");
  std::vector<pid_t> pids;
  for (std::sregex_iterator it(log.begin(), log.end(), announced), end; it != end; ++it) pids.push_back(std::stoi((*it)[1]));
  return pids;
}

// Where a run is: the stage of its last log line that names one (start-up lines name none).
std::string phase_of(const std::string& log) {
  const auto has = [](const std::string& line, std::initializer_list<const char*> marks) {
    return std::any_of(marks.begin(), marks.end(), [&line](const char* m) { return line.find(m) != std::string::npos; });
  };
  std::string phase = "start-up";
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (has(line, {"search done", "search outputs", "search result", "] export", "] result"})) phase = "export";
    else if (has(line, {"search:", "search round", "training done", "final model weights"})) phase = "search";
    else if (has(line, {" step ", " validation", "resumed from"})) phase = "training";
  }
  return phase;
}

// SIGKILLs the run started as `pid`: that process, or for a launch run, drawn, the launcher (every rank
// dies with it) or one of the ranks it announced. Returns what it killed ("" for a single process).
std::string kill_run(pid_t pid, bool ranks, std::mt19937& rng, const std::string& log) {
  if (ranks && rng() % 2 == 0) {
    const auto pids = announced_ranks(read_file(log));
    if (!pids.empty()) {
      const std::size_t rank = rng() % pids.size();
      ::kill(pids[rank], SIGKILL);
      return "rank " + std::to_string(rank);
    }
  }
  ::kill(pid, SIGKILL);
  return ranks ? "launcher" : "";
}

// One line of KillReport::history.
std::string attempt_line(int attempt, long ms, bool succeeded, const std::string& phase, const std::string& victim, bool resumed) {
  std::ostringstream line;
  line << "attempt " << attempt << (resumed ? " (resumed)" : "") << ": ";
  if (succeeded) line << "finished after " << ms << " ms";
  else if (!phase.empty()) line << "killed " << (victim.empty() ? "" : victim + " ") << "after " << ms << " ms, in " << phase;
  else line << "failed after " << ms << " ms";
  line << "\n";
  return line.str();
}

}  // namespace

KillReport kill_and_resume(const std::vector<std::string>& args, const std::string& dir, long reference_ms,
                           const KillPlan& plan, const std::string& log) {
  namespace fs = std::filesystem;
  // The ranks of a killed launcher become this process's children, so each attempt can wait for all of
  // them: a rank still alive would hold the work dir's lock and refuse the next attempt.
  if (plan.ranks) ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::mt19937 rng(plan.seed);
  const long earliest = std::max(reference_ms / 20, plan.earliest_ms);
  std::uniform_int_distribution<long> delay_ms(earliest, std::max(earliest, reference_ms / 3));
  std::uniform_int_distribution<long> export_delay_ms(20, 400);
  const std::vector<std::string> writing{dir + "/checkpoints/latest.pt.tmp", dir + "/search/state.pt.tmp"};
  const auto now = [] { return std::chrono::steady_clock::now(); };
  KillReport report;
  const auto killed_in = [&report](const char* phase) { return report.phases.count(phase) ? report.phases.at(phase) : 0; };
  for (int attempt = 0; attempt <= plan.max_kills; ++attempt) {
    std::vector<std::string> run = args;
    if (fs::exists(dir + "/checkpoints/latest.pt")) run.push_back("--resume");
    const auto started = now();
    // A file this process writes, not one an earlier killed process left behind.
    const auto files_since = fs::file_time_type::clock::now();
    const auto written_now = [&files_since](const std::string& f) {
      std::error_code gone;
      const auto at = fs::last_write_time(f, gone);
      return !gone && at >= files_since;
    };
    const pid_t pid = spawn_host(run, log);
    auto kill_at = now() + std::chrono::milliseconds(delay_ms(rng));
    bool export_seen = false;
    std::string phase, victim;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (attempt < plan.max_kills) {
        if (killed_in("checkpoint writing") < plan.at_writes && std::any_of(writing.begin(), writing.end(), written_now))
          phase = "checkpoint writing";
        if (plan.at_export && !killed_in("export") && !export_seen && written_now(dir + "/subnet.toml")) {
          export_seen = true;
          kill_at = now() + std::chrono::milliseconds(export_delay_ms(rng));
        }
        if (phase.empty() && now() >= kill_at) phase = phase_of(read_file(log));
        if (!phase.empty()) {
          victim = kill_run(pid, plan.ranks, rng, log);
          ::waitpid(pid, &status, 0);
          break;
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    if (plan.ranks)
      while (::waitpid(-1, nullptr, 0) > 0) {
      }
    report.last_log = read_file(log);
    const bool succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(now() - started).count();
    report.history += attempt_line(attempt, ms, succeeded, phase, victim, run.back() == "--resume");
    if (!succeeded && !phase.empty()) {
      ++report.kills;
      ++report.phases[phase];
      if (!victim.empty()) ++report.victims[victim];
      continue;
    }
    report.finished = succeeded;
    break;
  }
  if (plan.ranks) ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  return report;
}

std::vector<std::array<std::string, 3>> results_to_compare(const std::string& dir, const std::string& reference) {
  std::vector<std::array<std::string, 3>> out;
  const auto joined = [](const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  };
  // The inference module's layout is chosen by timing it, and its rounding follows the layout.
  const auto before_speed = [](const std::string& t) { return t.substr(0, t.find("\nmax_abs_diff_inference")); };
  // A run with a search stage (it has search/) has its results there and in subnet.toml as well.
  const bool searched = std::filesystem::is_directory(reference + "/search");
  std::vector<std::string> files{"export/check_output.pt"};
  // A model with choices exports its subnet (a classifier or a quantized model has none).
  if (std::filesystem::exists(reference + "/export/subnet.toml")) files.push_back("export/subnet.toml");
  if (searched) files.push_back("subnet.toml");
  if (std::filesystem::is_directory(reference + "/search/subnets"))
    for (const auto& e : std::filesystem::directory_iterator(reference + "/search/subnets"))
      files.push_back("search/subnets/" + e.path().filename().string());
  for (const auto& f : files) out.push_back({f, read_file(dir + "/" + f), read_file(reference + "/" + f)});
  out.push_back({"export/report.toml", before_speed(read_file(dir + "/export/report.toml")),
                 before_speed(read_file(reference + "/export/report.toml"))});
  for (const char* type : {"\"type\":\"val\"", "\"type\":\"search\""})
    if (searched || std::string(type) != "\"type\":\"search\"") out.push_back({type, joined(lines_of(dir + "/metrics.jsonl", type)), joined(lines_of(reference + "/metrics.jsonl", type))});
  return out;
}

KillReport check_killed_run_matches(const std::string& label, const std::string& command, const std::string& config,
                                    const std::vector<std::string>& sets, const std::string& root, const KillPlan& plan) {
  std::string quoted;
  for (const auto& s : sets) quoted += " \"" + s + "\"";
  const auto started = std::chrono::steady_clock::now();
  auto ref = run_host(command + " " + config + " --work-dir " + root + "/ref" + quoted);
  INFO(ref.output);
  REQUIRE(ref.exit_code == 0);
  const long ref_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

  std::vector<std::string> args;
  std::istringstream words(command);
  for (std::string w; words >> w;) args.push_back(w);
  args.insert(args.end(), {config, "--work-dir", root + "/killed"});
  args.insert(args.end(), sets.begin(), sets.end());
  const KillReport report = kill_and_resume(args, root + "/killed", ref_ms, plan, root + "/attempt.log");
  const auto counts = [](const std::map<std::string, int>& m) {
    std::string s;
    for (const auto& [what, n] : m) s += " " + what + " " + std::to_string(n);
    return s;
  };
  MESSAGE(label << " (uninterrupted: " << ref_ms << " ms) kill points survived: " << report.kills << " (" << counts(report.phases) << " )"
                << (report.victims.empty() ? "" : "; killed:" + counts(report.victims)));
  MESSAGE(report.history);
  INFO(report.last_log);
  REQUIRE(report.finished);
  CHECK(report.kills >= 3);  // a resumed run that has little left may finish before its kill moment
  for (const auto& [what, got, expected] : results_to_compare(root + "/killed", root + "/ref")) {
    CAPTURE(what);
    CHECK_FALSE(expected.empty());
    CHECK(got == expected);
  }
  return report;
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

double toml_number(const std::string& text, const std::string& key) {
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(text, m, std::regex("(^|\\n)" + key + " = ([-0-9.eE+]+)")), key);
  return std::stod(m[2]);
}
