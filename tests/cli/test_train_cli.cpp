// End to end: the baseline digits run reaches its accuracy, writes its work dir, and a run killed
// (SIGKILL) or stopped (SIGINT) mid-training then resumed ends bit-identical to the uninterrupted one;
// a second run on a busy work dir is refused; SIGTERM stops a run with a checkpoint.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kBaseline = "configs/core/resnet_digits.toml";

double number_after(const std::string& line, const std::string& key) {
  std::smatch m;
  REQUIRE(std::regex_search(line, m, std::regex("\"" + key + "\":([-0-9.eE+]+)")));
  return std::stod(m[1]);
}

// Every tensor of two archives, recursively; returns the number compared, or -1 on a difference.
long compare_archives(torch::serialize::InputArchive& a, torch::serialize::InputArchive& b, const std::string& path) {
  long compared = 0;
  for (const auto& key : a.keys()) {
    at::Tensor ta, tb;
    if (a.try_read(key, ta)) {
      if (!b.try_read(key, tb) || !at::equal(ta, tb)) {
        MESSAGE("differs: " << path << key);
        return -1;
      }
      ++compared;
      continue;
    }
    torch::serialize::InputArchive sa, sb;
    if (a.try_read(key, sa) && b.try_read(key, sb)) {
      const long sub = compare_archives(sa, sb, path + key + ".");
      if (sub < 0) return -1;
      compared += sub;
    }
  }
  return compared;
}

// Waits until a run has logged its first training record.
void wait_for_training(const std::string& metrics) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (lines_of(metrics, "\"type\":\"train\"").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace

TEST_CASE("baseline digits run; kill and resume is bit-identical") {
  const std::string root = temp_dir("train");
  const std::string ref = root + "/reference";

  // Uninterrupted run of the README's main job.
  auto r = run_host("run " + kBaseline + " --work-dir " + ref);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"config.toml", "log.txt", "metrics.jsonl", "model.pt", "checkpoints/latest.pt", "checkpoints/best.pt"})
    CHECK(fs::exists(ref + "/" + f));
  const auto val = lines_of(ref + "/metrics.jsonl", "\"type\":\"val\"");
  REQUIRE_FALSE(val.empty());
  const double top1 = number_after(val.back(), "top1");
  MESSAGE("baseline digits validation top-1: " << top1 << "%");
  CHECK(top1 >= 90.0);
  CHECK(number_after(val.back(), "top5") >= top1);
  CHECK(lines_of(ref + "/log.txt", "threads").size() == 1);

  // Run again into the same work dir without --resume: refused, the run's files left as they were.
  const std::string log_before = read_file(ref + "/log.txt"), metrics_before = read_file(ref + "/metrics.jsonl");
  auto again = run_host("run " + kBaseline + " --work-dir " + ref);
  CHECK(again.exit_code == 2);
  CHECK(again.output == "error: " + ref + ": holds a run already (its checkpoints/latest.pt); continue it with --resume, "
                        "or choose another --work-dir\n");
  CHECK(read_file(ref + "/log.txt") == log_before);
  CHECK(read_file(ref + "/metrics.jsonl") == metrics_before);

  // Same config, checkpoints every 7 steps; killed (SIGKILL) as soon as the first one lands.
  const std::string killed = root + "/killed";
  const pid_t pid = spawn_host({"run", kBaseline, "--work-dir", killed, "--set", "runtime.checkpoint_interval=7"},
                               root + "/killed.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(killed + "/checkpoints/latest.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  CHECK_FALSE(fs::exists(killed + "/model.pt"));

  auto resumed = run_host("run " + kBaseline + " --work-dir " + killed + " --resume --set runtime.checkpoint_interval=7");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("resumed from") != std::string::npos);
  CHECK(resumed.output.find("config differs") == std::string::npos);  // same config: no warning
  CHECK_FALSE(fs::exists(killed + "/config.previous.toml"));

  torch::serialize::InputArchive a, b;
  a.load_from(ref + "/model.pt");
  b.load_from(killed + "/model.pt");
  const long tensors = compare_archives(a, b, "");
  MESSAGE("tensors compared bit for bit: " << tensors);
  CHECK(tensors > 10);
  // The metrics log of the resumed run matches too (records written after the checkpoint are dropped).
  CHECK(lines_of(killed + "/metrics.jsonl", "\"type\":\"val\"") == val);

  // SIGINT mid-training: a final checkpoint, exit 128 + 2, and the resumed run ends as the uninterrupted one.
  const std::string stopped = root + "/stopped";
  const pid_t spid = spawn_host({"run", kBaseline, "--work-dir", stopped}, root + "/stopped.log");
  wait_for_training(stopped + "/metrics.jsonl");
  ::kill(spid, SIGINT);
  ::waitpid(spid, &status, 0);
  const std::string stop_log = read_file(root + "/stopped.log");
  INFO(stop_log);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(stop_log.find("stopped: SIGINT during training: checkpoint " + stopped + "/checkpoints/latest.pt written at epoch ") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(stopped + "/model.pt"));
  // The line that ends the run is in its log too.
  CHECK(read_file(stopped + "/log.txt").find("stopped: SIGINT during training: checkpoint " + stopped) != std::string::npos);
  auto continued = run_host("run " + kBaseline + " --work-dir " + stopped + " --resume");
  REQUIRE(continued.exit_code == 0);
  torch::serialize::InputArchive c;
  c.load_from(stopped + "/model.pt");
  a.load_from(ref + "/model.pt");
  CHECK(compare_archives(a, c, "") == tensors);
  CHECK(lines_of(stopped + "/metrics.jsonl", "\"type\":\"val\"") == val);

  // --resume without a checkpoint: one line, nothing written.
  auto none = run_host("run " + kBaseline + " --work-dir " + root + "/none --resume");
  CHECK(none.exit_code == 1);
  CHECK(none.output == "error: --resume: " + root + "/none/checkpoints/latest.pt does not exist\n");
  CHECK_FALSE(fs::exists(root + "/none"));
  fs::remove_all(root);
}

TEST_CASE("a busy work dir refuses a second run; SIGTERM stops the first with a checkpoint, and the lock goes with it") {
  const std::string root = temp_dir("work_dir_lock"), dir = root + "/run";
  const pid_t pid = spawn_host({"run", kBaseline, "--work-dir", dir, "--set", "train.epochs=500"}, root + "/first.log");
  wait_for_training(dir + "/metrics.jsonl");
  auto second = run_host("run " + kBaseline + " --work-dir " + dir + " --resume");
  CHECK(second.exit_code == 1);
  CHECK(second.output == "error: " + dir + ": in use by another razor-host run (pid " + std::to_string(pid) +
                             "); wait for it to end, or choose another --work-dir\n");
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string log = read_file(root + "/first.log");
  INFO(log);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  CHECK(log.find("stopped: SIGTERM during training: checkpoint " + dir + "/checkpoints/latest.pt written") != std::string::npos);
  // The lock went with the process: the run continues (here cut short to the epoch it stopped in).
  auto resumed = run_host("run " + kBaseline + " --work-dir " + dir + " --resume --set train.epochs=1");
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.output.find("resumed from") != std::string::npos);

  // A checkpoint changed on disk after it was written: refused by name, not loaded.
  const std::string checkpoint = dir + "/checkpoints/latest.pt";
  std::string bytes = read_file(checkpoint);
  bytes[bytes.size() / 2] ^= 0x10;
  std::ofstream(checkpoint, std::ios::binary | std::ios::trunc) << bytes;
  const std::string config = read_file(dir + "/config.toml"), log_before = read_file(dir + "/log.txt");
  const std::string previous = read_file(dir + "/config.previous.toml");  // from the resume above (another epochs)
  for (int attempt = 0; attempt < 2; ++attempt) {  // twice: a failed try must not lose the run's config
    auto damaged = run_host("run " + kBaseline + " --work-dir " + dir + " --resume --set train.epochs=2");
    CHECK(damaged.exit_code == 1);
    CHECK(damaged.output == "error: " + checkpoint + ": damaged checkpoint: its SHA-256 does not match the one written with it\n");
  }
  // Nothing changed: the config, the one before it, the log.
  CHECK(read_file(dir + "/config.toml") == config);
  CHECK(read_file(dir + "/config.previous.toml") == previous);
  CHECK(read_file(dir + "/log.txt") == log_before);
  fs::remove_all(root);
}
