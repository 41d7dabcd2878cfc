// End to end: the baseline digits run reaches its accuracy, writes its work dir, and a run killed
// mid-training then resumed ends bit-identical to the uninterrupted one.
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

const std::string kBaseline = "configs/baseline/resnet_digits.toml";

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

  // --resume without a checkpoint: one line, nothing written.
  auto none = run_host("run " + kBaseline + " --work-dir " + root + "/none --resume");
  CHECK(none.exit_code == 1);
  CHECK(none.output == "error: --resume: " + root + "/none/checkpoints/latest.pt does not exist\n");
  CHECK_FALSE(fs::exists(root + "/none"));
  fs::remove_all(root);
}
