// Quantization end to end through razor-host: a float ResNet trained on digits, made int8 by PTQ
// (calibrate, export) and by QAT (calibrate, train, export); the int8 inference.pt passes the gate,
// holds quantized kernels, and Python's torch.jit.load gives razor's outputs exactly.
#include <fstream>
#include <regex>
#include <string>

#include <torch/script.h>
#include <torch/serialize.h>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace {

const std::string kData = std::string("extends = \"") + RAZOR_SOURCE_DIR + "/configs/_base_/datasets/digits.toml\"\n";
const char* kArchitecture = R"(
[algorithm.architecture]
type = "resnet"
in_channels = 1
num_classes = 10
stem_channels = 8
widths = [8, 16]
blocks = [1, 1]
strides = [1, 2]
)";

// razor's own outputs of an exported file on the export's check images, written for Python to compare.
void write_outputs(const std::string& export_dir) {
  std::ifstream in(export_dir + "/check_input.pt", std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const at::Tensor x = torch::pickle_load(bytes).toTensor();
  torch::jit::Module m = torch::jit::load(export_dir + "/inference.pt");
  c10::NoGradGuard no_grad;
  const auto out = torch::pickle_save(m.forward({x}).toTensor());
  std::ofstream(export_dir + "/int8_output.pt", std::ios::binary).write(out.data(), static_cast<std::streamsize>(out.size()));
}

// Python's torch.jit.load runs an exported int8 inference.pt with razor's outputs exactly.
void check_python_runs_int8(const std::string& export_dir) {
  write_outputs(export_dir);
  auto check = run_in_source_dir("/usr/bin/python3 tests/sdk/check_torchscript.py " + export_dir + "/inference.pt " +
                                 export_dir + "/check_input.pt " + export_dir + "/int8_output.pt --tolerance 0");
  INFO(check.output);
  CHECK(check.exit_code == 0);
}

}  // namespace

TEST_CASE("PTQ and QAT from configs: int8 files that pass the gate and that Python runs with razor's outputs") {
  const std::string root = temp_dir("quantize_cli");
  std::ofstream(root + "/float.toml") << kData << "[algorithm]\ntype = \"classifier\"\n" << kArchitecture
                                      << "[train]\nepochs = 4\nval_interval = 4\n";
  auto trained = run_host("run " + root + "/float.toml --work-dir " + root + "/float");
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);

  const auto quantize = [&](const std::string& keys) {
    return kData + "[algorithm]\ntype = \"quantize\"\nfloat_weights = \"float/model.pt\"\n" + keys + kArchitecture;
  };
  std::ofstream(root + "/ptq.toml") << "stages = [\"calibrate\", \"export\"]\n" << quantize("") << "[calibrate]\nsamples = 512\n";
  auto ptq = run_host("run " + root + "/ptq.toml --work-dir " + root + "/ptq");
  INFO(ptq.output);
  REQUIRE(ptq.exit_code == 0);
  CHECK(ptq.output.find("calibrate: observed 512 training images") != std::string::npos);
  CHECK(ptq.output.find("inference.pt is int8 (onednn engine)") != std::string::npos);
  const std::string report = read_file(root + "/ptq/export/report.toml");
  INFO(report);
  CHECK(toml_number(report, "agreement") >= 0.995);
  CHECK(std::abs(toml_number(report, "top1_int8") - toml_number(report, "top1_simulated")) <= 0.1);
  CHECK(toml_number(report, "top1_int8") > 85);
  // int8 weights: the file is much smaller than the float model's weights.
  CHECK(toml_number(report, "\"inference.pt\"") < 0.5 * toml_number(report, "\"model.pt\""));

  // QAT: calibrated, then one epoch with int8 simulated in training; LSQ's scales learned.
  std::ofstream(root + "/qat.toml") << "stages = [\"calibrate\", \"train\", \"export\"]\n"
                                    << quantize("learnable_scales = true\n")
                                    << "[optimizer]\nlr = 0.01\n[schedule]\nwarmup_epochs = 0\n[train]\nepochs = 1\n";
  auto qat = run_host("run " + root + "/qat.toml --work-dir " + root + "/qat");
  INFO(qat.output);
  REQUIRE(qat.exit_code == 0);
  const std::string qat_report = read_file(root + "/qat/export/report.toml");
  CHECK(toml_number(qat_report, "agreement") >= 0.995);

  // QAT with a teacher: the quantize algorithm as a distillation's student, the float model teaching.
  std::ofstream(root + "/qat_kd.toml")
      << "stages = [\"calibrate\", \"train\", \"export\"]\n" << kData
      << "[algorithm]\ntype = \"single_teacher_distill\"\nteacher_weights = \"float/model.pt\"\n"
         "[algorithm.student]\ntype = \"quantize\"\nfloat_weights = \"float/model.pt\"\n"
      << std::regex_replace(kArchitecture, std::regex("algorithm.architecture"), "algorithm.student.architecture")
      << std::regex_replace(kArchitecture, std::regex("algorithm.architecture"), "algorithm.teacher")
      << "[algorithm.distiller]\ntype = \"configurable\"\nstudent_recorders = { logits = { type = \"output\" } }\n"
         "teacher_recorders = { logits = { type = \"output\" } }\n"
         "distill_losses = { kd = { type = \"kl_divergence\", tau = 4.0 } }\n"
         "[algorithm.distiller.loss_forward_mappings.kd]\n"
         "preds_S = { from_student = true, recorder = \"logits\" }\npreds_T = { from_student = false, recorder = \"logits\" }\n"
         "[optimizer]\nlr = 0.01\n[train]\nepochs = 1\n";
  auto qat_kd = run_host("run " + root + "/qat_kd.toml --work-dir " + root + "/qat_kd");
  INFO(qat_kd.output);
  REQUIRE(qat_kd.exit_code == 0);
  CHECK(qat_kd.output.find("calibrate: observed") != std::string::npos);
  CHECK(qat_kd.output.find("distill.kd") != std::string::npos);
  CHECK(toml_number(read_file(root + "/qat_kd/export/report.toml"), "agreement") >= 0.995);

  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  for (const char* run : {"ptq", "qat"}) {
    const std::string dir = root + "/" + run + "/export";
    check_python_runs_int8(dir);
    // The simulated model as TorchScript (float, fake-quantize ops): Python gives its outputs too.
    auto simulated = run_in_source_dir("/usr/bin/python3 tests/sdk/check_torchscript.py " + dir + "/subnet.pt " + dir +
                                       "/check_input.pt " + dir + "/check_output.pt --tolerance 1e-5");
    INFO(simulated.output);
    CHECK(simulated.exit_code == 0);
  }
}

TEST_CASE("QAT killed at random moments (checkpoints, calibration, export) and resumed: the same results") {
  const std::string root = temp_dir("quantize_kill");
  std::ofstream(root + "/qat.toml") << "stages = [\"calibrate\", \"train\", \"export\"]\n" << kData
                                    << "[runtime]\ncheckpoint_interval = 7\n[algorithm]\ntype = \"quantize\"\n"
                                       "freeze_bn_after = 1\ndisable_observer_after = 2\n"
                                    << kArchitecture
                                    << "[optimizer]\nlr = 0.02\n[calibrate]\nsamples = 256\n[train]\nepochs = 3\n";
  KillPlan plan;
  plan.max_kills = 4;
  plan.at_writes = 1;
  const KillReport r = check_killed_run_matches("QAT", "run", root + "/qat.toml", {}, root, plan);
  CHECK(r.finished);
}

TEST_CASE("a network scripted in Python, made int8: its convolutions, depthwise one included, become int8 kernels") {
  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  const std::string root = temp_dir("quantize_script");
  auto made = run_in_source_dir("/usr/bin/python3 plugins/models/tests/make_scripted_nets.py " + root);
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  std::ofstream(root + "/ptq.toml") << "stages = [\"calibrate\", \"export\"]\n" << kData
                                    << "[algorithm]\ntype = \"quantize\"\n"
                                       "architecture = { type = \"torchscript\", file = \"small_cnn.pt\" }\n";
  auto r = run_host("run " + root + "/ptq.toml --work-dir " + root + "/ptq");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("quantize: 6 convolutions and 1 linear layers in int8") != std::string::npos);
  check_python_runs_int8(root + "/ptq/export");
}

TEST_CASE("the shipped quantization configs run: on subsets of Fashion-MNIST, with untrained float models") {
  const std::string root = temp_dir("quantize_shipped");
  const std::string quick = " --set data.train_subset=256 --set data.val_subset=200 --set calibrate.samples=64"
                            " --set train.max_steps=2";
  for (const std::string name : {"ptq_resnet_fashion_mnist", "ptq_mobilenet_v2_fashion_mnist", "qat_resnet_fashion_mnist"}) {
    auto r = run_host("run configs/quantization/" + name + ".toml --work-dir " + root + "/" + name + quick +
                      " --set \"algorithm.float_weights=''\"");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("inference.pt is int8") != std::string::npos);
  }
  auto r = run_host("run configs/quantization/qat_kd_resnet_fashion_mnist.toml --work-dir " + root + "/kd" + quick +
                    " --set \"algorithm.student.float_weights=''\" --set \"algorithm.teacher_weights=''\"");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("inference.pt is int8") != std::string::npos);
}
