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

/// How kill_and_resume kills: up to `max_kills` SIGKILLs, each at a moment drawn from `seed` between a
/// twentieth and a third of the uninterrupted run's time; the first `at_writes` of them aimed instead at a
/// checkpoint or search state being written (its `.tmp` file is on disk), and, with `at_export`, one
/// soon after the search result (`subnet.toml`) appears. For a `launch` run (`ranks`), each kill is drawn
/// between the launcher (every rank dies with it at once) and one rank (the others are stopped by the
/// launcher, which is what a crashed worker looks like).
struct KillPlan {
  int max_kills = 8;
  unsigned seed = 1;
  int at_writes = 0;
  bool at_export = false;
  bool ranks = false;
  long earliest_ms = 0;  // no timed kill before this (to kill fewer slow start-ups)
};

/// What kill_and_resume did: how many processes it killed, in which phase of the run (start-up,
/// training, search, checkpoint writing, export), which process (for `launch` runs), and whether the
/// last run finished.
struct KillReport {
  int kills = 0;
  std::map<std::string, int> phases;
  std::map<std::string, int> victims;
  bool finished = false;
  std::string last_log;  // the log of the last run
  std::string history;   // a line per run: how long it ran, and how it ended
};

/// Runs `razor-host ARGS` (which name the work dir `dir`) again and again, adding --resume once a
/// checkpoint exists, killing each process as `plan` says until its kills are done; the last run finishes.
KillReport kill_and_resume(const std::vector<std::string>& args, const std::string& dir, long reference_ms,
                           const KillPlan& plan, const std::string& log);

/// The results of two runs of the same config that must be equal, as (what, this run's, the other's):
/// subnet files, export/check_output.pt, export/report.toml up to its timed parts (the inference layout and
/// its difference), and the val records of
/// metrics.jsonl; for a run with a search stage (`reference` has search/), its search records too.
std::vector<std::array<std::string, 3>> results_to_compare(const std::string& dir, const std::string& reference);

/// A pipeline survives being killed: runs `razor-host COMMAND CONFIG SETS` once to the end in ROOT/ref
/// (COMMAND: "run", or "launch --nproc N" with `plan.ranks`), then again in ROOT/killed under
/// kill_and_resume, and checks (doctest) that it finishes with the reference's results
/// (results_to_compare); reports the kills as "LABEL kill points survived". Returns the report.
KillReport check_killed_run_matches(const std::string& label, const std::string& command, const std::string& config,
                                    const std::vector<std::string>& sets, const std::string& root, const KillPlan& plan);

/// The lines of `file` that contain `containing`.
std::vector<std::string> lines_of(const std::string& file, const std::string& containing);

/// The number a TOML text (a report.toml) gives `key` at the start of a line; requires (doctest) that it has one.
double toml_number(const std::string& text, const std::string& key);

/// The whole content of `file` ("" when it cannot be read).
std::string read_file(const std::string& file);

/// Whether Debian's /usr/bin/python3 can import torch (python3-torch), for the Python load checks.
bool python_has_torch();
