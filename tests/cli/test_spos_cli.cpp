// End to end through razor-host: SPOS on the digits (supernet, evolution search under a FLOPs limit,
// export that Python loads), a killed search resumed to the same result, retraining a subnet file,
// bad subnet files, and the ImageNet-size search space.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/wait.h>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kSpos = "configs/nas/spos_shufflenet_digits.toml";
// Small enough for a test: the pipeline and its invariants, not the accuracy.
const std::string kQuick =
    " --set train.epochs=3 --set train.val_interval=3 --set search.calibrate_samples=256"
    " --set search.searcher.generations=4 --set search.searcher.num_candidates=8 --set search.searcher.top_k=4"
    " --set search.searcher.num_mutation=3 --set search.searcher.num_crossover=3";

double json_number(const std::string& line, const std::string& key) {
  std::smatch m;
  REQUIRE(std::regex_search(line, m, std::regex("\"" + key + "\":([-0-9.eE+]+)")));
  return std::stod(m[1]);
}

double flops_limit() {
  std::smatch m;
  const std::string config = read_file(std::string(RAZOR_SOURCE_DIR) + "/" + kSpos);
  REQUIRE(std::regex_search(config, m, std::regex("\\nflops = ([-0-9.eE+]+)")));
  return std::stod(m[1]);
}

}  // namespace

TEST_CASE("SPOS on the digits: supernet, search within the FLOPs limit, export Python loads") {
  const std::string root = temp_dir("spos_e2e"), dir = root + "/run";
  auto r = run_host("run " + kSpos + " --work-dir " + dir + kQuick);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("search done: best") != std::string::npos);
  CHECK(r.output.find("result: subnet blocks.0=") != std::string::npos);

  // Every scored candidate meets the constraint, and there are as many as the searcher proposed.
  const double limit = flops_limit();
  const auto candidates = lines_of(dir + "/metrics.jsonl", "\"type\":\"search\"");
  CHECK(candidates.size() >= 4 * 4);
  CHECK(candidates.size() <= 4 * 8);
  for (const auto& line : candidates) CHECK(json_number(line, "flops") <= limit);
  CHECK(read_file(dir + "/subnet.toml") == read_file(dir + "/export/subnet.toml"));
  CHECK(read_file(dir + "/search/candidates.svg").find("<polyline") != std::string::npos);

  // The exported static model computes what the supernet with the chosen path computes.
  const std::string report = read_file(dir + "/export/report.toml");
  CHECK(toml_number(report, "max_abs_diff_static") == 0.0);
  CHECK(toml_number(report, "max_abs_diff_torchscript") <= 1e-5);
  CHECK(toml_number(report, "params") < toml_number(report, "supernet_params"));
  CHECK(toml_number(report, "flops") <= limit);

  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  {
    auto py = run_in_source_dir("/usr/bin/python3 tests/sdk/check_torchscript.py " + dir + "/export/subnet.pt " + dir +
                                "/export/check_input.pt " + dir + "/export/check_output.pt");
    INFO(py.output);
    CHECK(py.exit_code == 0);
    CHECK(py.output.find("input_shape [1, 8, 8] layout NCHW mean [") != std::string::npos);  // how to feed it
    MESSAGE("Python torch.jit.load check: " << py.output);
  }

  // Retrain the chosen subnet from the supernet's weights, then export it (no search needed).
  auto retrain = run_host("run configs/nas/spos_subnet_digits_retrain.toml --work-dir " + root + "/retrain" +
                          " --set train.epochs=1 --set \"algorithm.subnet='" + dir + "/subnet.toml'\"" +
                          " --set \"algorithm.init_weights='" + dir + "/model.pt'\"");
  INFO(retrain.output);
  CHECK(retrain.exit_code == 0);
  CHECK(retrain.output.find("search space:") == std::string::npos);  // fixed: no choices left
  CHECK(toml_number(read_file(root + "/retrain/export/report.toml"), "params") == toml_number(report, "params"));
  fs::remove_all(root);
}

TEST_CASE("a search killed mid-way and resumed ends with the uninterrupted search's result") {
  const std::string root = temp_dir("spos_resume");
  const std::string quick = kQuick + " --set search.searcher.generations=6";
  auto ref = run_host("run " + kSpos + " --work-dir " + root + "/ref" + quick + " --set \"stages=['train','search']\"");
  INFO(ref.output);
  REQUIRE(ref.exit_code == 0);

  std::vector<std::string> args{"run", kSpos, "--work-dir", root + "/killed", "--set", "stages=['train','search']"};
  std::istringstream sets(quick);
  for (std::string word; sets >> word;) args.push_back(word);
  const pid_t pid = spawn_host(args, root + "/killed.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(root + "/killed/search/state.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));

  auto resumed = run_host("run " + kSpos + " --work-dir " + root + "/killed --resume" + quick +
                          " --set \"stages=['train','search']\"");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(resumed.output, m, std::regex("search: resumed from .* after round ([0-9]+)")));
  MESSAGE("killed after search round " << m[1] << " of 6");
  CHECK(std::stoi(m[1]) < 6);  // killed mid-search
  CHECK(read_file(root + "/killed/subnet.toml") == read_file(root + "/ref/subnet.toml"));
  CHECK(lines_of(root + "/killed/metrics.jsonl", "\"type\":\"search\"") ==
        lines_of(root + "/ref/metrics.jsonl", "\"type\":\"search\""));
  fs::remove_all(root);
}

TEST_CASE("bad subnet files: one line naming file, place and fault; exit 2; nothing written") {
  const std::string root = temp_dir("spos_bad_subnet");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"[subnet]\n\"blocks.0\" = \"shuffle_3x3\"\n\"blocks.9\" = \"shuffle_3x3\"\n",
       ":3:14: unknown search group 'blocks.9'"},
      {"[subnet]\n\"blocks.0\" = \"shuffle_3x3\"\n", ":1:1: missing search group 'blocks.1'"},
      {"[subnet]\n\"blocks.0\" = \"conv_9x9\"\n", ":2:14: 'blocks.0': 'conv_9x9' is not a choice of this group"},
      {"[subnet\n", ":1:8: "},
  };
  int i = 0;
  for (const auto& [text, expected] : cases) {
    const std::string file = root + "/subnet" + std::to_string(i++) + ".toml";
    std::ofstream(file) << text;
    auto r = run_host("run " + kSpos + " --work-dir " + root + "/out --set \"stages=['export']\" --set \"export.subnet='" +
                      file + "'\"");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.rfind("error: " + file + expected, 0) == 0);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(root + "/out"));
  }
  fs::remove_all(root);
}

TEST_CASE("the SPOS space at ImageNet size builds and reports its FLOPs range") {
  auto r = run_host("space configs/nas/spos_shufflenet_imagenet.toml --input 3,224,224");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("20 groups, 1.1e+12 subnets") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(r.output, m, std::regex("flops at input \\[1, 3, 224, 224\\]: min ([0-9.e+]+), max ([0-9.e+]+)")));
  const double lo = std::stod(m[1]), hi = std::stod(m[2]);
  MESSAGE("ImageNet-size SPOS space MACs: " << lo << " .. " << hi);
  CHECK(lo > 1e8);
  CHECK(hi < 1e9);
  CHECK(lo < hi);
}

TEST_CASE("unreadable weights, search state and shapes: one line each, non-zero exit") {
  const std::string root = temp_dir("spos_bad_inputs");
  auto load = run_host("run " + kSpos + " --work-dir " + root + "/a --set \"runtime.load_from='" + root + "/none.pt'\"");
  CHECK(load.exit_code == 2);
  CHECK(load.output.rfind("error: --set runtime.load_from='" + root + "/none.pt': runtime.load_from: cannot load weights from '" +
                              root + "/none.pt': ", 0) == 0);
  CHECK(std::count(load.output.begin(), load.output.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(root + "/a"));

  std::ofstream subnet(root + "/subnet.toml");
  subnet << "[subnet]\n";
  for (int i = 0; i < 6; ++i) subnet << "\"blocks." << i << "\" = \"shuffle_3x3\"\n";
  subnet.close();
  auto inherit = run_host("run configs/nas/spos_subnet_digits_retrain.toml --work-dir " + root + "/b" +
                          " --set \"algorithm.subnet='" + root + "/subnet.toml'\"" +
                          " --set \"algorithm.init_weights='" + root + "/none.pt'\"");
  CHECK(inherit.exit_code == 2);
  CHECK(inherit.output.find("algorithm.init_weights: cannot load weights from '" + root + "/none.pt'") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(root + "/b"));

  fs::create_directories(root + "/c/search");
  std::ofstream(root + "/c/search/state.pt") << "not an archive";
  auto state = run_host("run " + kSpos + " --work-dir " + root + "/c --resume --set \"stages=['search']\"");
  CHECK(state.exit_code == 1);
  CHECK(state.output.find("error: " + root + "/c/search/state.pt: not a razor search state (no 'razor-sealed 1' header)\n") !=
        std::string::npos);

  auto shape = run_host("space configs/nas/spos_shufflenet_imagenet.toml --input 3,224");
  CHECK(shape.exit_code == 2);
  CHECK(shape.output == "error: --input: expected C,H,W (e.g. 3,224,224)\n");
  fs::remove_all(root);
}

TEST_CASE("killed at random moments through training, search and export, resumed each time: the same results") {
  const std::string root = temp_dir("spos_kill_anywhere");
  // Up to twenty kills until a run gets to the end, each process resuming what the last one left; three
  // aimed at a checkpoint or search state being written, one at the export.
  std::vector<std::string> sets;
  std::istringstream words(kQuick + " --set runtime.checkpoint_interval=5");
  for (std::string w; words >> w;) sets.push_back(w);
  const auto report = check_killed_run_matches("SPOS", "run", kSpos, sets, root, {20, 2026, 3, true});
  CHECK(report.phases.count("export") == 1);
  CHECK(report.phases.count("checkpoint writing") == 1);
  fs::remove_all(root);
}
