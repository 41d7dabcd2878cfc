#pragma once
// Runs razor-host as a child process and captures what it prints, the way a user sees it.
#include <array>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

struct HostResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

/// Runs `razor-host ARGS` from the source tree (so config paths in messages are relative), with
/// optional `NAME=value` environment assignments.
HostResult run_host(const std::string& args, const std::string& env = "");

/// Runs a shell command line from the source tree.
HostResult run_in_source_dir(const std::string& command);

/// Test fixture plugin folder: build/tests/fixtures/<name>.
std::string fixture_dir(const std::string& name);

/// A fresh empty temporary folder, removed by the caller when done.
std::string temp_dir(const std::string& tag);

/// Starts `razor-host ARGS` in the background (from the source tree), stderr to `log`; returns its pid.
pid_t spawn_host(const std::vector<std::string>& args, const std::string& log);

/// What kill_and_resume did: how many processes it killed, in which phase of the run (start-up,
/// training, search, from the log), and whether the last run finished.
struct KillReport {
  int kills = 0;
  std::map<std::string, int> phases;
  bool finished = false;
  std::string last_log;  // the log of the last run
};

/// Runs `razor-host ARGS` (which name the work dir `dir`) again and again, adding --resume once a
/// checkpoint exists, and SIGKILLs each process at a moment drawn from `seed` within a third of
/// `reference_ms` (the uninterrupted run's time), until `max_kills` were done; the last run finishes.
KillReport kill_and_resume(const std::vector<std::string>& args, const std::string& dir, long reference_ms, int max_kills,
                           unsigned seed, const std::string& log);

/// The results of two runs of the same config that must be equal, as (what, this run's, the other's):
/// subnet files, export/check_output.pt, export/report.toml up to its timings, and the val and search
/// records of metrics.jsonl.
std::vector<std::array<std::string, 3>> results_to_compare(const std::string& dir, const std::string& reference);

/// A pipeline survives being killed: runs `razor-host run CONFIG SETS` once to the end in ROOT/ref, then
/// again in ROOT/killed under kill_and_resume (up to `max_kills`, seeded), and checks (doctest) that it
/// finishes with the reference's results (results_to_compare); reports the kills as "LABEL kill points survived".
void check_killed_run_matches(const std::string& label, const std::string& config, const std::vector<std::string>& sets,
                              const std::string& root, int max_kills, unsigned seed);

/// The lines of `file` that contain `containing`.
std::vector<std::string> lines_of(const std::string& file, const std::string& containing);

/// The whole content of `file` ("" when it cannot be read).
std::string read_file(const std::string& file);

/// Whether Debian's /usr/bin/python3 can import torch (python3-torch), for the Python load checks.
bool python_has_torch();
