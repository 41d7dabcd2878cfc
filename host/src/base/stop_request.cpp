#include "base/stop_request.h"

#include <csignal>

#include <unistd.h>

namespace razor::host {
namespace {

volatile std::sig_atomic_t requested = 0;
volatile std::sig_atomic_t stages_running = 0;

// Only async-signal-safe calls here: write and _exit.
template <std::size_t N>
void stop_now(const char (&line)[N], int signal) {
  const ssize_t written = ::write(STDERR_FILENO, line, N - 1);
  (void)written;
  ::_exit(128 + signal);
}

extern "C" void on_stop_signal(int signal) {
  if (!stages_running) {  // start-up's files are written atomically; nothing is left half-done
    if (signal == SIGINT) stop_now("stopped: SIGINT during start-up; nothing to save\n", signal);
    stop_now("stopped: SIGTERM during start-up; nothing to save\n", signal);
  }
  requested = signal;
  std::signal(signal, SIG_DFL);  // a second one stops at once
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void stages_begin() { stages_running = 1; }

int stop_requested() { return requested; }

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

}  // namespace razor::host
