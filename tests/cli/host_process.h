#pragma once
// Runs razor-host as a child process and captures what it prints, the way a user sees it.
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

/// The lines of `file` that contain `containing`.
std::vector<std::string> lines_of(const std::string& file, const std::string& containing);

/// The whole content of `file` ("" when it cannot be read).
std::string read_file(const std::string& file);

/// Whether Debian's /usr/bin/python3 can import torch (python3-torch), for the Python load checks.
bool python_has_torch();
