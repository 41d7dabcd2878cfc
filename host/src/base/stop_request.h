#pragma once
// SIGINT and SIGTERM as a request to stop: the run finishes the step it is in, writes a checkpoint
// (training) or keeps the state of its last finished round (search), and exits with 128 + the signal.
// During start-up (before the stages begin) they stop the run at once: it has nothing to save, and a
// rank waiting at the rendezvous for one that died would otherwise wait out its timeout. A second signal
// stops at once (the default action).
#include <stdexcept>
#include <string>

namespace razor::host {

/// Installs the handlers (once per process); until stages_begin(), a signal ends the process at once
/// with one line ("stopped: SIGINT during start-up; nothing to save") and exit code 128 + signal.
void install_stop_handlers();

/// From here on a signal is a request the stages honour at their next step or round.
void stages_begin();

/// The signal that asked the run to stop, or 0.
int stop_requested();

/// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int signal);

/// Thrown where a run stops on request; main() prints it and exits with 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& what) : std::runtime_error(what), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

}  // namespace razor::host
