// End to end through razor-host: the channel units of a config's model, and AutoSlim on the digits
// (slimmable training, greedy search to two FLOPs targets, export of a physically smaller model that
// Python loads).
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

}  // namespace

TEST_CASE("razor-host units lists a config's channel units and the ops it cannot see through") {
  auto r = run_host("units configs/pruning/autoslim_resnet_digits.toml");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.rfind("channel units of configs/pruning/autoslim_resnet_digits.toml at input [1, 1, 8, 8]: 6 prunable of 8\n"
                       "  stem.conv_(0, 16)_16: 16 channels, prunable\n",
                       0) == 0);
  CHECK(r.output.find("  fc_(0, 10)_10: 10 channels, not prunable: network output\n") != std::string::npos);
  CHECK(r.output.find("\nbarriers: none\n") != std::string::npos);

  // ShuffleNet's channel shuffles are barriers, named; the plain classifier's model works too.
  auto shuffle = run_host("units configs/nas/spos_shufflenet_digits.toml");
  REQUIRE(shuffle.exit_code == 0);
  CHECK(shuffle.output.find("barriers (ops the analysis does not know; their channels stay):\n  ViewBackward0 after "
                            "'blocks.0.") != std::string::npos);
  auto plain = run_host("units configs/core/resnet_digits.toml --input 1,16,16");
  CHECK(plain.exit_code == 0);
  CHECK(plain.output.find("at input [1, 1, 16, 16]: 6 prunable of 8") != std::string::npos);
}

TEST_CASE("AutoSlim on the digits: two FLOPs targets, a slimmed export equal to the subnet, loaded by Python") {
  const std::string root = temp_dir("autoslim_e2e"), dir = root + "/run";
  auto r = run_host("run configs/pruning/autoslim_resnet_digits.toml --work-dir " + dir +
                    " --set train.epochs=2 --set train.val_interval=2 --set search.calibrate_samples=256" +
                    " --set \"export.inference_layout='channels_last'\"");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* target : {"flops_400000", "flops_250000"}) {
    CAPTURE(target);
    CHECK(fs::exists(dir + "/search/subnets/" + target + ".toml"));
  }
  CHECK(read_file(dir + "/subnet.toml") == read_file(dir + "/search/subnets/flops_400000.toml"));
  const std::string report = read_file(dir + "/export/report.toml");
  CHECK(toml_number(report, "max_abs_diff_static") <= 1e-5);
  CHECK(toml_number(report, "max_abs_diff_torchscript") <= 1e-5);
  CHECK(toml_number(report, "max_abs_diff_inference") <= 1e-4);
  CHECK(report.find("\ninference_layout = \"channels_last\"\n") != std::string::npos);
  CHECK(toml_number(report, "flops") <= 4.0e5);
  CHECK(toml_number(report, "params") < toml_number(report, "supernet_params"));
  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  {
    for (const char* file : {"subnet.pt --tolerance 1e-5", "inference.pt --tolerance 1e-4"}) {
      auto py = run_in_source_dir("/usr/bin/python3 tests/sdk/check_torchscript.py " + dir + "/export/" + file + " " +
                                  dir + "/export/check_input.pt " + dir + "/export/check_output.pt");
      INFO(py.output);
      CHECK(py.exit_code == 0);
    }
  }
  fs::remove_all(root);
}

TEST_CASE("L1 pruning on the digits from a trained model: three steps to half the channels, exported without a search") {
  const std::string root = temp_dir("l1_e2e");
  auto base = run_host("run configs/core/resnet_digits.toml --work-dir " + root + "/base --set train.epochs=4");
  REQUIRE(base.exit_code == 0);
  const std::string dir = root + "/pruned";
  auto r = run_host("run configs/pruning/l1_resnet_digits.toml --work-dir " + dir + " --set \"runtime.load_from='" + root +
                    "/base/model.pt'\" --set train.epochs=7");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("search space: 6 groups, 1 subnets") != std::string::npos);
  // The subnet: every unit at half its channels (16 -> 8, 32 -> 16, 64 -> 32), as channel counts.
  const std::string subnet = read_file(dir + "/export/subnet.toml");
  CHECK(subnet.find("\"stem.conv_(0, 16)_16\" = \"8\"") != std::string::npos);
  CHECK(subnet.find("\"stages.2.conv2.conv_(0, 64)_64\" = \"32\"") != std::string::npos);
  const std::string report = read_file(dir + "/export/report.toml");
  CHECK(toml_number(report, "max_abs_diff_static") <= 1e-5);
  CHECK(toml_number(report, "max_abs_diff_torchscript") <= 1e-5);
  CHECK(toml_number(report, "flops") < 0.3 * 774000);  // conv MACs scale with in x out channels
  CHECK(toml_number(report, "top1") > 80.0);
  // Is it faster? The original is the unpruned model: its FLOPs are the baseline's.
  CHECK(toml_number(report, "original_flops") == doctest::Approx(774282));
  CHECK(report.find("\nbatches = [1, 64]\n") != std::string::npos);
  CHECK(std::regex_search(report, std::regex("\nexport_inference_ms = \\[[0-9.e-]+, [0-9.e-]+\\]\n")));
  CHECK(r.output.find("export: is it faster? the export against the original (largest subnet)") != std::string::npos);

  // razor-host latency on the exported inference file, with LibTorch's inference passes, and on the config.
  auto lat = run_host("latency " + dir + "/export/inference.pt --input 1,8,8 --optimize --batch 1,4 --runs 3 --warmup 1");
  INFO(lat.output);
  CHECK(lat.exit_code == 0);
  CHECK(lat.output.find("(TorchScript, optimize_for_inference): input [1, 8, 8]") != std::string::npos);
  CHECK(std::regex_search(lat.output, std::regex("\n    1 +[0-9.]+ +[0-9.]+-[0-9.]+ +[0-9.]+ +[0-9]+\n    4 ")));
  auto cfg = run_host("latency configs/pruning/l1_resnet_digits.toml --batch 2 --runs 2 --threads 1");
  CHECK(cfg.exit_code == 0);
  CHECK(cfg.output.find("input [1, 8, 8], 1 threads") != std::string::npos);
  // Without --input: the shape the export recorded (report.toml says the same).
  auto recorded = run_host("latency " + dir + "/export/inference.pt --batch 1 --runs 2 --warmup 0");
  INFO(recorded.output);
  CHECK(recorded.exit_code == 0);
  CHECK(recorded.output.find("(TorchScript): input [1, 8, 8]") != std::string::npos);
  CHECK(report.find("\n[input]  # what the exported model takes\nshape = [1, 8, 8]  # C, H, W\nlayout = \"NCHW\"\n") !=
        std::string::npos);
  CHECK(report.find("\nclass_names = [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]\n") !=
        std::string::npos);
  auto not_script = run_host("latency " + dir + "/export/check_input.pt --input 1,8,8");
  CHECK(not_script.exit_code == 1);
  CHECK(not_script.output.rfind("error: latency: " + dir + "/export/check_input.pt is not a TorchScript file LibTorch can load: ", 0) == 0);
  CHECK(run_host("latency " + dir + "/export/inference.pt --input 1,8,8 --batch 0").output ==
        "error: latency: --batch: expected positive batch sizes, e.g. 1,8,64\n");
  CHECK(run_host("latency " + dir + "/export/inference.pt --input 1,8,8 --subnet x.toml").output ==
        "error: latency: --subnet, --weights and --set apply to a config, not a TorchScript file\n");
  CHECK(run_host("latency configs/pruning/l1_resnet_digits.toml --optimize").output ==
        "error: latency: --optimize applies to a TorchScript file, not a config\n");
  CHECK(run_host("latency configs/core/resnet_digits.toml --subnet x.toml").output ==
        "error: latency: configs/core/resnet_digits.toml has no choices for --subnet\n");
  CHECK(run_host("latency nope.pt --input 1,8,8").output == "error: latency: no such file 'nope.pt'\n");
  fs::remove_all(root);
}

TEST_CASE("AutoSlim killed at random moments through training, checkpoint writing, search and export, resumed each time: the same results") {
  const std::string root = temp_dir("autoslim_kill");
  const std::string config = "configs/pruning/autoslim_resnet_digits.toml";
  // One thread: the kill moments are drawn from the reference run's time, which threads on a busy machine blur.
  const std::vector<std::string> sets{"--set", "train.epochs=2",    "--set", "train.val_interval=2",
                                      "--set", "search.calibrate_samples=256", "--set", "runtime.checkpoint_interval=5",
                                      "--set", "runtime.threads=1", "--set", "export.speed_batches=[]"};
  check_killed_run_matches("AutoSlim", "run", config, sets, root, {8, 2027, 1, true});
  fs::remove_all(root);
}
