// End to end through razor-host with a model trained in PyTorch: torchvision's resnet18, trained briefly
// by a Python script and saved with torch.save(state_dict), is evaluated by razor with Python's accuracy,
// teaches a razor student by config alone (its path relative to the config; its validation accuracy
// logged), and a wrong one is refused. A network scripted by Python is counted by razor-host flops.
#include <filesystem>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kBases = std::string("extends = [\"") + RAZOR_SOURCE_DIR + "/configs/_base_/datasets/fashion_mnist.toml\", \"" +
                           RAZOR_SOURCE_DIR + "/configs/_base_/schedules/sgd_cosine.toml\", \"" + RAZOR_SOURCE_DIR +
                           "/configs/_base_/default_runtime.toml\"]\n";

// The teacher's architecture: torchvision's resnet18 with one input channel, as the Python script has it.
const char* kTeacher = "type = \"torchvision.resnet18\"\nin_channels = 1\nnum_classes = 10\n";

}  // namespace

TEST_CASE("a PyTorch state_dict: evaluated with Python's accuracy, then a teacher by config alone") {
  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  const std::string root = temp_dir("pytorch_teacher");
  auto py = run_in_source_dir("/usr/bin/python3 tests/cli/train_pytorch_teacher.py " + root);
  INFO(py.output);
  REQUIRE(py.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(py.output, m, std::regex("python test top-1 ([0-9.]+)")));
  const double python_top1 = std::stod(m[1]);

  // razor-host eval: the same weights, the same 10,000 test images, the same normalisation.
  std::ofstream(root + "/teacher.toml") << kBases << "[algorithm]\ntype = \"classifier\"\n[algorithm.architecture]\n"
                                        << kTeacher;
  auto eval = run_host("eval " + root + "/teacher.toml --weights " + root + "/teacher.pt");
  INFO(eval.output);
  REQUIRE(eval.exit_code == 0);
  CHECK(eval.output.find("weights: loaded 122 tensors from '" + root + "/teacher.pt' (PyTorch state_dict)\n") !=
        std::string::npos);
  REQUIRE(std::regex_search(eval.output, m, std::regex("test split \\(10000 samples\\): top-1 ([0-9.]+) %")));
  CHECK(std::abs(std::stod(m[1]) - python_top1) <= 0.05);  // float rounding may flip a few pictures at most

  // The teacher of a KD run, its file named relative to the config that names it.
  fs::create_directories(root + "/configs");
  std::ofstream(root + "/configs/kd.toml")
      << "extends = [\"" << RAZOR_SOURCE_DIR << "/configs/distill/student_resnet_fashion_mnist.toml\"]\n"
      << R"([algorithm]
type = "single_teacher_distill"
teacher_weights = "../teacher.pt"
[algorithm.teacher]
)" << kTeacher << R"([algorithm.distiller]
type = "configurable"
student_recorders.logits = { type = "output" }
teacher_recorders.logits = { type = "output" }
distill_losses.loss_kd = { type = "kl_divergence", tau = 4.0 }
loss_forward_mappings.loss_kd = { preds_S = { from_student = true, recorder = "logits" }, preds_T = { from_student = false, recorder = "logits" } }
)";
  auto kd = run_host("run " + root + "/configs/kd.toml --work-dir " + root + "/kd --set train.epochs=1 --set train.max_steps=10"
                     " --set data.val_subset=500 --set runtime.log_interval=5");
  INFO(kd.output);
  CHECK(kd.exit_code == 0);
  CHECK(read_file(root + "/kd/log.txt").find("teacher weights: loaded 122 tensors from '" + root + "/teacher.pt'") !=
        std::string::npos);
  CHECK(lines_of(root + "/kd/metrics.jsonl", "\"distill.loss_kd\":").size() >= 1);
  // Before training, the log says how well the teacher does on the validation images: what eval says.
  auto val = run_host("eval " + root + "/teacher.toml --weights " + root + "/teacher.pt --split val --set data.val_subset=500");
  INFO(val.output);
  REQUIRE(std::regex_search(val.output, m, std::regex("val split \\(500 samples\\): top-1 ([0-9.]+) %, top-5 ([0-9.]+) %")));
  CHECK(read_file(root + "/kd/log.txt").find("teacher validation: top-1 " + std::string(m[1]) + "% top-5 " +
                                             std::string(m[2]) + "%\n") != std::string::npos);

  // A teacher of another shape: one line naming the file, the tensors and both shapes; nothing written.
  auto wrong = run_host("run " + root + "/configs/kd.toml --work-dir " + root + "/wrong --set algorithm.teacher.num_classes=100");
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.output.find("algorithm.teacher_weights: cannot load weights from '" + root +
                          "/teacher.pt' (PyTorch state_dict): 2 of another shape (fc.weight: [10, 512] in the file, [100, "
                          "512] in the model") != std::string::npos);
  CHECK(std::count(wrong.output.begin(), wrong.output.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(root + "/wrong"));
  fs::remove_all(root);
}

TEST_CASE("a network scripted in Python: razor-host flops counts it per module; what does not fit is one line") {
  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  const std::string root = temp_dir("pytorch_flops");
  auto py = run_in_source_dir("/usr/bin/python3 plugins/models/tests/make_scripted_nets.py " + root);
  INFO(py.output);
  REQUIRE(py.exit_code == 0);

  // conv 3->8 3x3 with bias on 16x16 (8x16x16 outputs x 27 MACs, + 1 per output for the bias), batch
  // norm (2 per output), linear 8->10 with bias.
  for (const std::string name : {"tiny_scripted.pt", "tiny_traced.pt"}) {
    auto r = run_host("flops " + root + "/" + name + " --input 3,16,16");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output == root + "/" + name + ": input [1, 3, 16, 16]; MACs and parameters of each module that ran\n"
                      "module  type                            MACs        params\n"
                      "conv1   Conv2d                         57344           224\n"
                      "bn1     BatchNorm2d                     4096            16\n"
                      "head.2  Linear                            90            90\n"
                      "total: 61530 MACs (61.5 K), 330 parameters (330.0)\n");
  }
  CHECK(run_host("flops " + root + "/tiny_scripted.pt").output ==
        "error: flops: " + root + "/tiny_scripted.pt records no input shape; give --input C,H,W\n");
  CHECK(run_host("latency " + root + "/tiny_scripted.pt").output ==
        "error: latency: " + root + "/tiny_scripted.pt records no input shape; give --input C,H,W\n");
  CHECK(run_host("flops " + root + "/tiny_scripted.pt --input 3,16,16 --set x=1").output ==
        "error: flops: --subnet and --set apply to a config, not a TorchScript file\n");
  CHECK(run_host("flops " + root + "/keys.txt --input 3,16,16").output ==
        "error: flops: " + root + "/keys.txt: not a zip archive: no end-of-central-directory record\n");
  CHECK(run_host("flops " + root + "/frozen.pt --input 3,16,16").output ==
        "error: flops: " + root + "/frozen.pt has no parameters (a frozen module keeps its weights as constants); count "
        "the file it was frozen from (razor's export/subnet.pt for export/inference.pt)\n");
  CHECK(run_host("flops " + root + "/no_forward.pt --input 3,16,16").output ==
        "error: flops: " + root + "/no_forward.pt: the module has no forward method\n");
  CHECK(run_host("flops " + root + "/nope.pt --input 3,16,16").output ==
        "error: flops: no such file '" + root + "/nope.pt'\n");
  CHECK(run_host("flops configs/core/resnet_digits.toml --subnet x.toml").output ==
        "error: flops: configs/core/resnet_digits.toml: the model has no choices for --subnet\n");
  fs::remove_all(root);
}

TEST_CASE("a network scripted in Python: trained, pruned to about half its MACs, distilled from itself, exported") {
  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  const std::string root = temp_dir("pytorch_scripted_chain");
  auto py = run_in_source_dir("/usr/bin/python3 plugins/models/tests/make_scripted_nets.py " + root);
  INFO(py.output);
  REQUIRE(py.exit_code == 0);
  const std::string bases = std::string("extends = [\"") + RAZOR_SOURCE_DIR + "/configs/_base_/datasets/digits.toml\", \"" +
                            RAZOR_SOURCE_DIR + "/configs/_base_/schedules/sgd_cosine.toml\", \"" + RAZOR_SOURCE_DIR +
                            "/configs/_base_/default_runtime.toml\"]\nstages = [\"train\", \"export\"]\n";
  // Writes NAME.toml, runs it into NAME/, and checks the export: the scripted module itself, run by Python.
  const auto run_exported = [&](const std::string& name, const std::string& config) {
    std::ofstream(root + "/" + name + ".toml") << config;
    const std::string dir = root + "/" + name;
    auto r = run_host("run " + dir + ".toml --work-dir " + dir);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const std::string report = read_file(dir + "/export/report.toml");
    CHECK(report.find("torchscript_path = \"script\"\n") != std::string::npos);
    auto check = run_in_source_dir("/usr/bin/python3 tests/sdk/check_torchscript.py " + dir + "/export/subnet.pt " + dir +
                                   "/export/check_input.pt " + dir + "/export/check_output.pt --tolerance 1e-5");
    INFO(check.output);
    CHECK(check.exit_code == 0);
    return report;
  };

  // 1. Trained from scratch: the export is the scripted module itself, with the trained tensors.
  const std::string trained = run_exported("train", bases + R"([algorithm]
type = "classifier"
architecture = { type = "torchscript", file = "small_cnn.pt" }
[train]
epochs = 3
val_interval = 3
)");
  CHECK(toml_number(trained, "top1") > 50);
  // Data parallel: two processes train the scripted network and export it.
  auto parallel = run_host("launch --nproc 2 " + root + "/train.toml --work-dir " + root + "/train_dp --set train.epochs=1"
                           " --set train.val_interval=1");
  INFO(parallel.output);
  CHECK(parallel.exit_code == 0);
  CHECK(read_file(root + "/train_dp/export/report.toml").find("torchscript_path = \"script\"\n") != std::string::npos);

  // 2. L1 pruning of that file to half of every unit, fine-tuned, slimmed and exported.
  const std::string pruned = run_exported("prune", bases + R"([algorithm]
type = "iterative_prune"
keep_ratio = 0.5
architecture = { type = "torchscript", file = "train/export/subnet.pt" }
mutator = { type = "channel", input_shape = [1, 8, 8] }
[optimizer]
lr = 0.02
[schedule]
warmup_epochs = 0
[train]
epochs = 2
val_interval = 2
)");
  CHECK(toml_number(pruned, "flops") < 0.45 * toml_number(pruned, "original_flops"));
  CHECK(toml_number(pruned, "max_abs_diff_static") <= 1e-4);
  // Killed (at a checkpoint being written, and at random moments) and resumed: the same pruned export.
  const std::vector<std::string> sets = {"--set", "runtime.checkpoint_interval=5", "--set", "train.epochs=8",
                                         "--set", "export.speed_batches=[]"};
  check_killed_run_matches("torchscript pruning", "run", root + "/prune.toml", sets, root + "/prune_kills",
                           {4, 2030, 1, true, false, 700});

  // AutoSlim on the same file: trained as a slimmable network, searched to a MACs target, exported.
  // The base's ResNet options do not belong to the torchscript architecture: `_delete_` replaces its table.
  const std::string slimmed = run_exported("autoslim", std::string("extends = [\"") + RAZOR_SOURCE_DIR +
                                                           "/configs/pruning/autoslim_resnet_digits.toml\"]\n" + R"([algorithm]
architecture = { _delete_ = true, type = "torchscript", file = "train/export/subnet.pt" }
[train]
epochs = 2
val_interval = 2
[search.searcher]
targets = [5.0e5]
)");
  CHECK(toml_number(slimmed, "flops") <= 5.0e5);

  // 3. The pruned file as the student of the unpruned one (a TorchScript teacher), by config alone.
  const std::string distilled = run_exported("kd", bases + R"([algorithm]
type = "single_teacher_distill"
architecture = { type = "torchscript", file = "prune/export/subnet.pt" }
teacher = { type = "torchscript", file = "train/export/subnet.pt" }
[algorithm.distiller]
type = "configurable"
student_recorders.logits = { type = "output" }
teacher_recorders.logits = { type = "output" }
distill_losses.loss_kd = { type = "kl_divergence", tau = 4.0 }
loss_forward_mappings.loss_kd = { preds_S = { from_student = true, recorder = "logits" }, preds_T = { from_student = false, recorder = "logits" } }
[schedule]
warmup_epochs = 0
[optimizer]
lr = 0.02
[train]
epochs = 1
val_interval = 1
)");
  CHECK(read_file(root + "/kd/log.txt").find("teacher validation: top-1 ") != std::string::npos);
  CHECK(lines_of(root + "/kd/metrics.jsonl", "\"distill.loss_kd\":").size() >= 1);
  CHECK(toml_number(distilled, "flops") == toml_number(pruned, "flops"));
  fs::remove_all(root);
}
