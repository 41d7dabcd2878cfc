#pragma once
// `razor-host launch --nproc N CONFIG ...`: N local workers of `razor-host run CONFIG ...`, meeting on
// a loopback rendezvous. Their output comes through line by line, prefixed "[rank R] "; when one
// fails, the others are stopped (SIGTERM, then SIGKILL after a grace period); SIGINT and SIGTERM are
// passed on, so the run stops with a checkpoint as a single process does.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/run.h"

namespace razor::host {

struct LaunchOptions {
  int nproc = 0;
  std::uint16_t port = 0;   // rendezvous port; 0: a free one
  double grace_s = 10.0;    // after one worker fails, how long the others get to stop before SIGKILL
};

/// Returns the exit code: 0 when all workers succeed, else the first failing worker's (128 + signal
/// when it was killed).
int launch_command(const LaunchOptions& launch, const RunOptions& run);

}  // namespace razor::host
