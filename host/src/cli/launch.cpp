#include "cli/launch.h"
#include <CLI/CLI.hpp>
#include "cli/verbs.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "parallel/world.h"
#include "razor/errors.h"
#include "base/stop_request.h"

namespace razor::host {
namespace {

volatile std::sig_atomic_t received = 0;
extern "C" void on_launcher_signal(int signal) { received = signal; }

struct Stream {
  int fd = -1;
  std::FILE* to = nullptr;
  std::string pending;  // a line not yet complete
};

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  bool running = true;
  int code = 0;  // exit status, or 128 + signal
  Stream out, err;
};

std::vector<std::string> worker_args(const std::string& self, const RunOptions& run) {
  std::vector<std::string> args{self};
  for (const auto& p : run.plugin_paths) args.insert(args.end(), {"--plugin-path", p});
  args.insert(args.end(), {"run", run.config});
  for (const auto& s : run.overrides) args.insert(args.end(), {"--set", s});
  if (!run.work_dir.empty()) args.insert(args.end(), {"--work-dir", run.work_dir});
  if (run.resume) args.push_back("--resume");
  if (!run.device.empty()) args.insert(args.end(), {"--device", run.device});
  return args;
}

void start(Worker& w, const std::vector<std::string>& args, int nproc, std::uint16_t port) {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) throw Error(fmt::format("launch: cannot create pipes: {}", std::strerror(errno)));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(fmt::format("launch: cannot start rank {}: {}", w.rank, std::strerror(errno)));
  if (pid == 0) {
    // The worker's own process group: a Ctrl-C reaches the launcher alone, which passes it on once
    // (a second SIGINT would stop a worker without its checkpoint). It dies with the launcher.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
    ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
    ::setenv("RANK", std::to_string(w.rank).c_str(), 1);
    ::setenv("LOCAL_RANK", std::to_string(w.rank).c_str(), 1);
    ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "error: cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  w.pid = pid;
  w.out = {out[0], stdout, {}};
  w.err = {err[0], stderr, {}};
}

// Forwards what is readable; returns false at end of file.
bool forward(Stream& s, int rank) {
  char buf[4096];
  const ssize_t n = ::read(s.fd, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return true;
  if (n > 0) {
    s.pending.append(buf, static_cast<std::size_t>(n));
    for (std::size_t eol; (eol = s.pending.find('\n')) != std::string::npos; s.pending.erase(0, eol + 1)) {
      fmt::print(s.to, "[rank {}] {}\n", rank, s.pending.substr(0, eol));
    }
    std::fflush(s.to);
    return true;
  }
  if (!s.pending.empty()) fmt::print(s.to, "[rank {}] {}\n", rank, s.pending);
  std::fflush(s.to);
  ::close(s.fd);
  s.fd = -1;
  return false;
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) return fmt::format("was killed by SIG{}", sigabbrev_np(WTERMSIG(status)));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

}  // namespace

int launch_command(const LaunchOptions& launch, const RunOptions& run) {
  if (launch.nproc < 1) throw Error(fmt::format("launch --nproc {}: expected a positive number of processes", launch.nproc));
  const std::uint16_t port = launch.port ? launch.port : free_local_port();
  const auto args = worker_args(std::filesystem::read_symlink("/proc/self/exe").string(), run);

  struct sigaction action {};
  action.sa_handler = on_launcher_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::vector<Worker> workers(static_cast<std::size_t>(launch.nproc));
  for (int r = 0; r < launch.nproc; ++r) {
    workers[static_cast<std::size_t>(r)].rank = r;
    start(workers[static_cast<std::size_t>(r)], args, launch.nproc, port);
  }
  std::string pids;
  for (const auto& w : workers) pids += fmt::format("{}rank {}: pid {}", w.rank ? ", " : "", w.rank, w.pid);
  std::cerr << fmt::format("razor-host launch: {} workers on 127.0.0.1:{} ({})", launch.nproc, port, pids) << std::endl;

  using clock = std::chrono::steady_clock;
  int result = 0, forwarded = 0;
  bool stopping = false;
  clock::time_point kill_at = clock::time_point::max();
  const auto signal_all = [&](int signal) {
    for (auto& w : workers)
      if (w.running) ::kill(w.pid, signal);
  };

  for (;;) {
    // Output first, so that a worker's last words come before the launcher's verdict.
    std::vector<pollfd> fds;
    std::vector<Stream*> streams;
    std::vector<int> ranks;
    for (auto& w : workers) {
      for (Stream* s : {&w.out, &w.err}) {
        if (s->fd < 0) continue;
        fds.push_back({s->fd, POLLIN, 0});
        streams.push_back(s);
        ranks.push_back(w.rank);
      }
    }
    if (::poll(fds.data(), fds.size(), 100) > 0) {  // with no pipes left: a 100 ms pause
      for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents) forward(*streams[i], ranks[i]);
    }

    if (const int signal = received; signal && signal != forwarded) {
      received = 0;
      if (forwarded) {
        signal_all(SIGKILL);  // a second one: stop at once
      } else {
        signal_all(signal);
        forwarded = signal;
      }
    }

    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
      for (auto& w : workers) {
        if (w.pid != pid) continue;
        w.running = false;
        w.code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        if (w.code != 0 && !stopping && !forwarded) {
          std::cerr << fmt::format("razor-host launch: rank {} {}; stopping the other ranks", w.rank, how_it_ended(status))
                    << std::endl;
          stopping = true;
          result = w.code;
          signal_all(SIGTERM);
          kill_at = clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(launch.grace_s * 1000));
        } else if (w.code != 0 && result == 0) {
          result = w.code;
        }
      }
    }
    if (clock::now() >= kill_at) {
      signal_all(SIGKILL);
      kill_at = clock::time_point::max();
    }
    const bool any_running = std::any_of(workers.begin(), workers.end(), [](const Worker& w) { return w.running; });
    if (!any_running && fds.empty()) break;
    if (!any_running) {  // drain what the pipes still hold
      for (auto& w : workers)
        for (Stream* s : {&w.out, &w.err})
          while (s->fd >= 0 && forward(*s, w.rank)) {
          }
    }
  }
  return result;
}

void cli::add_launch(CLI::App& app, const Globals& globals, Action& action) {
  auto launch = std::make_shared<LaunchOptions>();
  auto run = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("launch", "`run` in N local processes, data parallel (c10d Gloo on loopback)");
  cmd->add_option("--nproc", launch->nproc, "number of worker processes")->required();
  cmd->add_option("--port", launch->port, "rendezvous port on 127.0.0.1 (default: a free one)");
  add_run_options(cmd, *run);
  cmd->callback([&action, &globals, launch, run] {
    action = [&globals, launch, run] {
      run->plugin_paths = globals.plugin_paths;
      return launch_command(*launch, *run);
    };
  });
}

}  // namespace razor::host
