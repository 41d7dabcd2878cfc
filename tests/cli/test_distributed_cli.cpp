// End to end through razor-host on loopback process groups: data-parallel training equals one process,
// a supernet trains on two ranks without drifting apart, the distributed search equals the single one,
// a killed worker stops the others promptly, SIGINT and resume (and a resume with another world size),
// SIGKILLs at any moment with resumes, and the faults a rank's environment or config can have.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/wait.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kMlp = "configs/core/mlp_digits.toml";
const std::string kSpos = "configs/nas/spos_shufflenet_digits.toml";

// Every tensor of a saved module (model.pt), by its dotted name.
void read_tensors(torch::serialize::InputArchive& archive, const std::string& prefix, std::map<std::string, at::Tensor>& out) {
  for (const auto& key : archive.keys()) {
    at::Tensor t;
    torch::serialize::InputArchive sub;
    if (archive.try_read(key, t)) out[prefix + key] = t;
    else if (archive.try_read(key, sub)) read_tensors(sub, prefix + key + ".", out);
  }
}

std::map<std::string, at::Tensor> weights(const std::string& file) {
  torch::serialize::InputArchive archive;
  archive.load_from(file);
  std::map<std::string, at::Tensor> out;
  read_tensors(archive, "", out);
  return out;
}

// The largest absolute difference between two saved models of the same layout.
double max_difference(const std::string& a, const std::string& b) {
  const auto wa = weights(a), wb = weights(b);
  REQUIRE(wa.size() == wb.size());
  REQUIRE(!wa.empty());
  double worst = 0;
  for (const auto& [name, t] : wa) {
    CAPTURE(name);
    REQUIRE(wb.count(name) == 1);
    worst = std::max(worst, (t - wb.at(name)).abs().max().item<double>());
  }
  return worst;
}

// Waits until `file` contains `text` (or `seconds` pass); returns the content.
std::string wait_for(const std::string& file, const std::string& text, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string content;
  while ((content = read_file(file)).find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return content;
}

// Waits for `pid` to end; returns its exit code (128 + signal) and how long it took.
std::pair<int, double> wait_exit(pid_t pid) {
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), seconds};
}

// Whether a process listens on TCP `port`, IPv4 or IPv6 (/proc/net/tcp*: local address, state 0A = LISTEN).
bool listening(int port) {
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream tcp(table);
    for (std::string line; std::getline(tcp, line);) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (local.size() > 5 && local.compare(local.size() - 5, 5, hex) == 0 && state == "0A") return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("data parallel on 2 and 3 processes trains the weights one process trains, within 1e-5") {
  const std::string root = temp_dir("dp_equal");
  const std::string quick = " --set train.epochs=3 --set train.val_interval=3";
  auto one = run_host("run " + kMlp + " --work-dir " + root + "/one" + quick);
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  std::ostringstream figures;
  for (int n : {1, 2, 3}) {
    CAPTURE(n);
    const std::string dir = root + "/n" + std::to_string(n);
    auto r = run_host("launch --nproc " + std::to_string(n) + " " + kMlp + " --work-dir " + dir + quick);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("[rank 0] [") != std::string::npos);
    if (n > 1) CHECK(r.output.find("data parallel: " + std::to_string(n) + " processes (gloo") != std::string::npos);
    // Only rank 0 speaks and writes.
    CHECK(r.output.find("[rank 1] [") == std::string::npos);
    const double diff = max_difference(root + "/one/model.pt", dir + "/model.pt");
    figures << " " << n << ": " << diff << ";";
    if (n == 1) CHECK(diff == 0.0);  // the same arithmetic
    CHECK(diff < 1e-5);              // float sums in another order, over 69 steps
    CHECK(lines_of(dir + "/metrics.jsonl", "\"type\":\"val\"") == lines_of(root + "/one/metrics.jsonl", "\"type\":\"val\""));
  }
  MESSAGE("largest weight difference from one process, by process count:" << figures.str());
  fs::remove_all(root);
}

TEST_CASE("supernets train on two ranks (SPOS one path, AutoSlim's sandwich): the copies never drift apart") {
  const std::string root = temp_dir("dp_supernets");
  // The epoch-end check (check_ranks_agree) fails the run if any rank took another subnet or step.
  for (const std::string config : {kSpos, std::string("configs/pruning/autoslim_resnet_digits.toml")}) {
    CAPTURE(config);
    const std::string dir = root + "/" + fs::path(config).stem().string();
    auto r = run_host("launch --nproc 2 " + config + " --work-dir " + dir +
                      " --set train.epochs=2 --set train.val_interval=1 --set \"stages=['train']\""
                      " --set runtime.checkpoint_interval=7 --set \"distributed.batch_norm_stats='rank0'\"");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("epoch 2/2 validation") != std::string::npos);
    CHECK(r.output.find("differ") == std::string::npos);
    CHECK(fs::exists(dir + "/model.pt"));
  }
  fs::remove_all(root);
}

TEST_CASE("the distributed search scores the same candidates and finds the subnet the single-process search finds") {
  const std::string root = temp_dir("dp_search");
  auto trained = run_host("run " + kSpos + " --work-dir " + root + "/supernet --set train.epochs=2 --set \"stages=['train']\"");
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const std::string search = " --set \"stages=['search']\" --set \"runtime.load_from='" + root + "/supernet/model.pt'\"" +
                             " --set search.calibrate_samples=256 --set search.searcher.generations=3"
                             " --set search.searcher.num_candidates=8 --set search.searcher.top_k=4"
                             " --set search.searcher.num_mutation=3 --set search.searcher.num_crossover=3";
  auto single = run_host("run " + kSpos + " --work-dir " + root + "/single" + search);
  INFO(single.output);
  REQUIRE(single.exit_code == 0);
  for (int n : {2, 3}) {
    CAPTURE(n);
    const std::string dir = root + "/n" + std::to_string(n);
    auto r = run_host("launch --nproc " + std::to_string(n) + " " + kSpos + " --work-dir " + dir + search);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(dir + "/subnet.toml") == read_file(root + "/single/subnet.toml"));
    const auto scored = lines_of(dir + "/metrics.jsonl", "\"type\":\"search\"");
    CHECK(scored.size() == 24);
    CHECK(scored == lines_of(root + "/single/metrics.jsonl", "\"type\":\"search\""));
  }
  fs::remove_all(root);
}

TEST_CASE("a killed worker stops the others within seconds, and the launcher names it") {
  const std::string root = temp_dir("dp_kill");
  const pid_t launcher = spawn_host({"launch", "--nproc", "3", kMlp, "--work-dir", root + "/run", "--set", "train.epochs=500"},
                                    root + "/launch.log");
  const std::string log = wait_for(root + "/launch.log", "epoch 1/500 step 20/", 60);
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(log, m, std::regex("rank 1: pid ([0-9]+)")), log);
  ::kill(std::stoi(m[1]), SIGKILL);
  const auto [code, seconds] = wait_exit(launcher);
  const std::string out = read_file(root + "/launch.log");
  INFO(out);
  MESSAGE("launcher ended " << seconds << " s after rank 1 was killed");
  CHECK(code == 128 + SIGKILL);
  CHECK(seconds < 30);
  CHECK(out.find("razor-host launch: rank 1 was killed by SIGKILL; stopping the other ranks") != std::string::npos);
  CHECK(std::regex_search(out, std::regex("\\[rank [02]\\] error: rank [02]: [a-z-]+ failed \\(another rank stopped")));
  CHECK_FALSE(fs::exists(root + "/run/model.pt"));

  // Without the launcher (torchrun's way): rank 0 alone notices, and says so.
  const std::string port = std::to_string(20000 + ::getpid() % 20000);
  std::vector<pid_t> ranks;
  for (int r = 0; r < 2; ++r) {
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("RANK", std::to_string(r).c_str(), 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", port.c_str(), 1);
    ranks.push_back(spawn_host({"run", kMlp, "--work-dir", root + "/env", "--set", "train.epochs=500"},
                               root + "/rank" + std::to_string(r) + ".log"));
  }
  for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(name);
  wait_for(root + "/rank0.log", "epoch 1/500 step 20/", 60);
  ::kill(ranks[1], SIGKILL);
  const auto [code0, seconds0] = wait_exit(ranks[0]);
  wait_exit(ranks[1]);
  const std::string out0 = read_file(root + "/rank0.log");
  INFO(out0);
  CHECK(code0 == 1);
  CHECK(seconds0 < 30);
  CHECK(std::regex_search(out0, std::regex("error: rank 0: [a-z-]+ failed \\(another rank stopped or did not answer in time\\)")));
  fs::remove_all(root);
}

TEST_CASE("a stop signal during start-up ends the run at once: a rank waiting at the rendezvous for a missing one") {
  const std::string root = temp_dir("dp_startup_stop");
  const int port = 21000 + ::getpid() % 20000;
  for (const auto& [name, value] : {std::pair{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "127.0.0.1"}})
    ::setenv(name, value, 1);
  ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  const pid_t rank0 = spawn_host({"run", kMlp, "--work-dir", root + "/run"}, root + "/rank0.log");
  for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(name);
  // Rank 0 listens for the others (its store); rank 1 never comes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!listening(port) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!listening(port)) ::kill(rank0, SIGKILL);
  REQUIRE(listening(port));
  ::kill(rank0, SIGTERM);
  const auto [code, seconds] = wait_exit(rank0);
  MESSAGE("rank 0 ended " << seconds << " s after SIGTERM (its rendezvous timeout: 300 s)");
  CHECK(code == 128 + SIGTERM);
  CHECK(seconds < 10);
  CHECK(read_file(root + "/rank0.log") == "stopped: SIGTERM during start-up; nothing to save\n");
  CHECK_FALSE(fs::exists(root + "/run"));
  fs::remove_all(root);
}

TEST_CASE("SIGINT stops every rank at the same step with one checkpoint; resume needs the same world size") {
  const std::string root = temp_dir("dp_sigint");
  const std::string epochs = "train.epochs=40";
  auto ref = run_host("launch --nproc 2 " + kMlp + " --work-dir " + root + "/ref --set " + epochs);
  INFO(ref.output);
  REQUIRE(ref.exit_code == 0);

  const pid_t launcher = spawn_host({"launch", "--nproc", "2", kMlp, "--work-dir", root + "/run", "--set", epochs},
                                    root + "/launch.log");
  wait_for(root + "/launch.log", "epoch 3/40 step", 60);
  ::kill(launcher, SIGINT);
  const auto [code, seconds] = wait_exit(launcher);
  const std::string out = read_file(root + "/launch.log");
  INFO(out);
  CHECK(code == 128 + SIGINT);
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("\\[rank 0\\] stopped: SIGINT during training: .* \\(step ([0-9]+)\\)")));
  const std::string step = m[1];
  CHECK(out.find("[rank 1] stopped: SIGINT during training: ") != std::string::npos);
  CHECK(out.find("(step " + step + ")") != std::string::npos);
  CHECK(std::regex_search(out, std::regex("\\[rank 1\\] stopped: .*\\(step " + step + "\\)")));  // the same step

  auto other = run_host("launch --nproc 3 " + kMlp + " --work-dir " + root + "/run --resume --set " + epochs);
  CHECK(other.exit_code == 1);
  CHECK(other.output.find("checkpoints/latest.pt: written by a run of 2 processes, this one has 3: resume with the same "
                          "number (razor-host launch --nproc 2, or WORLD_SIZE=2)") != std::string::npos);
  auto single = run_host("run " + kMlp + " --work-dir " + root + "/run --resume --set " + epochs);
  CHECK(single.exit_code == 1);
  CHECK(single.output.find("written by a run of 2 processes, this one has 1") != std::string::npos);

  auto resumed = run_host("launch --nproc 2 " + kMlp + " --work-dir " + root + "/run --resume --set " + epochs);
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(max_difference(root + "/run/model.pt", root + "/ref/model.pt") == 0.0);
  CHECK(lines_of(root + "/run/metrics.jsonl", "\"type\":\"val\"") == lines_of(root + "/ref/metrics.jsonl", "\"type\":\"val\""));
  fs::remove_all(root);
}

TEST_CASE("two ranks killed again and again (the launcher, or one rank) and resumed: the uninterrupted run's results") {
  // The SPOS pipeline on two processes: training, the distributed search, the export on rank 0.
  const std::string root = temp_dir("dp_kill_anywhere");
  std::vector<std::string> sets;
  std::istringstream words(
      "--set train.epochs=3 --set train.val_interval=3 --set runtime.checkpoint_interval=5 --set search.calibrate_samples=256"
      " --set search.searcher.generations=6 --set search.searcher.num_candidates=8 --set search.searcher.top_k=4"
      " --set search.searcher.num_mutation=3 --set search.searcher.num_crossover=3 --set export.speed_batches=[]");
  for (std::string w; words >> w;) sets.push_back(w);
  // Two ranks take about 2 s to start: most kills come later.
  const auto report = check_killed_run_matches("2 ranks", "launch --nproc 2", kSpos, sets, root, {16, 2029, 2, true, true, 2000});
  CHECK(report.victims.count("launcher") == 1);
  CHECK(report.victims.size() >= 2);  // a rank alone was killed too
  CHECK(max_difference(root + "/killed/model.pt", root + "/ref/model.pt") == 0.0);
  fs::remove_all(root);
}

TEST_CASE("a rank's faults: environment, backend, batch size, process count") {
  const std::string root = temp_dir("dp_faults");
  auto bad_rank = run_host("run " + kMlp + " --work-dir " + root, "WORLD_SIZE=2 RANK=two MASTER_ADDR=127.0.0.1 MASTER_PORT=29400");
  CHECK(bad_rank.exit_code == 1);
  CHECK(bad_rank.output == "error: environment: RANK='two': expected an integer from 0 to WORLD_SIZE-1 = 1\n");
  auto no_port = run_host("run " + kMlp + " --work-dir " + root, "WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1");
  CHECK(no_port.output == "error: environment: WORLD_SIZE is set but MASTER_PORT is not\n");

  auto nccl = run_host("launch --nproc 2 " + kMlp + " --work-dir " + root + " --set \"distributed.backend='nccl'\"");
  CHECK(nccl.exit_code == 2);
  CHECK(nccl.output.find("distributed.backend: this LibTorch build has no nccl (a CPU-only build); use gloo") != std::string::npos);

  auto odd = run_host("launch --nproc 3 " + kMlp + " --work-dir " + root + " --set data.batch_size=64");
  CHECK(odd.exit_code == 2);
  CHECK(odd.output.find("data.batch_size: batch size 64 does not split evenly over 3 processes") != std::string::npos);
  CHECK(odd.output.find("razor-host launch: rank ") != std::string::npos);

  auto zero = run_host("launch --nproc 0 " + kMlp);
  CHECK(zero.exit_code == 1);
  CHECK(zero.output == "error: launch --nproc 0: expected a positive number of processes\n");
  CHECK_FALSE(fs::exists(root + "/model.pt"));
  fs::remove_all(root);
}
