// End to end through razor-host: knowledge distillation composed with SPOS by config alone (the
// supernet learns from a razor teacher's model.pt, then search and export run as usual), a teacher
// scripted in Python, and the one-line errors of a teacher that cannot be loaded.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

/// A digits teacher trained briefly with the baseline config; returns its model.pt.
std::string train_teacher(const std::string& root) {
  auto r = run_host("run configs/core/resnet_digits.toml --work-dir " + root +
                    "/teacher --set train.epochs=2 --set train.val_interval=2");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return root + "/teacher/model.pt";
}

}  // namespace

TEST_CASE("SPOS + KD by config alone: the supernet trains on labels and teacher logits, then search and export") {
  const std::string root = temp_dir("distill_spos");
  const std::string teacher = train_teacher(root), dir = root + "/spos_kd";
  auto r = run_host("run configs/distill/spos_kd_shufflenet_digits.toml --work-dir " + dir +
                    " --set \"algorithm.teacher_weights='" + teacher + "'\"" +
                    " --set train.epochs=3 --set train.val_interval=3 --set search.calibrate_samples=256"
                    " --set search.searcher.generations=2 --set search.searcher.num_candidates=6"
                    " --set search.searcher.top_k=3 --set search.searcher.num_mutation=2"
                    " --set search.searcher.num_crossover=2");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("search space:") != std::string::npos);  // the student algorithm's mutator
  CHECK(r.output.find("search done: best") != std::string::npos);
  const auto train_lines = lines_of(dir + "/metrics.jsonl", "\"type\":\"train\"");
  REQUIRE_FALSE(train_lines.empty());
  CHECK(train_lines.front().find("\"distill.loss_kd\":") != std::string::npos);
  CHECK(train_lines.front().find("\"student.loss\":") != std::string::npos);
  // The export is the student's chosen subnet alone: no teacher weights in it.
  CHECK(fs::exists(dir + "/export/subnet.pt"));
  CHECK(read_file(dir + "/export/report.toml").find("max_abs_diff_static = 0\n") != std::string::npos);
  fs::remove_all(root);
}

TEST_CASE("a teacher scripted in Python distils a razor student from the command line") {
  REQUIRE_MESSAGE(python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  const std::string root = temp_dir("distill_python");
  auto py = run_in_source_dir("/usr/bin/python3 plugins/distill/tests/make_teacher.py " + root);
  INFO(py.output);
  REQUIRE(py.exit_code == 0);
  std::ofstream(root + "/kd.toml") << "extends = [\"" << RAZOR_SOURCE_DIR << "/configs/core/resnet_digits.toml\"]\n"
                                   << R"([algorithm]
type = "single_teacher_distill"
teacher_torchscript = ")" << root << R"(/teacher.pt"
[algorithm.distiller]
type = "configurable"
[algorithm.distiller.student_recorders]
logits = { type = "output" }
feat = { type = "tap", source = "stem" }
[algorithm.distiller.teacher_recorders]
logits = { type = "output" }
feat = { type = "tap", source = "feat" }
[algorithm.distiller.connectors]
to_teacher = { type = "conv_bn", in_channels = 16, out_channels = 12 }
[algorithm.distiller.distill_losses.loss_kd]
type = "kl_divergence"
tau = 4.0
[algorithm.distiller.distill_losses.loss_cwd]
type = "channel_wise_divergence"
tau = 2.0
[algorithm.distiller.loss_forward_mappings.loss_kd]
preds_S = { from_student = true, recorder = "logits" }
preds_T = { from_student = false, recorder = "logits" }
[algorithm.distiller.loss_forward_mappings.loss_cwd]
preds_S = { from_student = true, recorder = "feat", connector = "to_teacher" }
preds_T = { from_student = false, recorder = "feat" }
)";
  auto r = run_host("run " + root + "/kd.toml --work-dir " + root + "/run --set train.epochs=1 --set train.val_interval=1");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto train_lines = lines_of(root + "/run/metrics.jsonl", "\"type\":\"train\"");
  REQUIRE_FALSE(train_lines.empty());
  CHECK(train_lines.front().find("\"distill.loss_cwd\":") != std::string::npos);
  CHECK(train_lines.front().find("\"distill.loss_kd\":") != std::string::npos);
  CHECK(fs::exists(root + "/run/model.pt"));

  // A truncated teacher file: one line naming the config place and the file, exit 2, no work dir.
  {
    std::ifstream in(root + "/teacher.pt", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(root + "/teacher.pt", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  auto bad = run_host("run " + root + "/kd.toml --work-dir " + root + "/bad");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.rfind("error: " + root + "/kd.toml:", 0) == 0);
  CHECK(bad.output.find("algorithm.teacher_torchscript: " + root + "/teacher.pt: not a zip archive: no "
                        "end-of-central-directory record\n") != std::string::npos);
  CHECK(std::count(bad.output.begin(), bad.output.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(root + "/bad"));
  fs::remove_all(root);
}

TEST_CASE("a missing teacher model.pt is one line naming the config place") {
  // Without a trained teacher in work_dirs/, the shipped config stops at the teacher_weights line.
  const std::string root = temp_dir("distill_missing");
  auto r = run_host("run configs/distill/kd_resnet_fashion_mnist.toml --work-dir " + root + "/run"
                    " --set \"algorithm.teacher_weights='" + root + "/teacher.pt'\"");
  CHECK(r.exit_code == 2);
  CHECK(r.output == "error: --set algorithm.teacher_weights='" + root + "/teacher.pt': algorithm.teacher_weights: "
                    "cannot load weights from '" + root + "/teacher.pt': no such file\n");
  CHECK_FALSE(fs::exists(root + "/run"));
  fs::remove_all(root);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
}

TEST_CASE("SPOS + KD killed at random moments through training, checkpoint writing, search and export, resumed each time: the same results") {
  const std::string root = temp_dir("distill_kill");
  const std::string config = "configs/distill/spos_kd_shufflenet_digits.toml";
  const std::vector<std::string> sets{"--set", "algorithm.teacher_weights='" + train_teacher(root) + "'",
                                      "--set", "train.epochs=2", "--set", "train.val_interval=2",
                                      "--set", "runtime.checkpoint_interval=5", "--set", "runtime.threads=1",
                                      "--set", "search.calibrate_samples=256", "--set", "search.searcher.generations=3",
                                      "--set", "search.searcher.num_candidates=6", "--set", "search.searcher.top_k=3",
                                      "--set", "search.searcher.num_mutation=2", "--set", "search.searcher.num_crossover=2",
                                      "--set", "export.speed_batches=[]"};
  check_killed_run_matches("SPOS + KD", "run", config, sets, root, {8, 2028, 1, true});
  fs::remove_all(root);
}

