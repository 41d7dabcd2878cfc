// Knowledge distillation through the host's registry with the real plugins: taps and recorders, the
// configurable distiller's checks, the teacher's mode and gradients, a TorchScript teacher written by
// Python, and distillation around a whole student algorithm (SPOS).
#include "razor_doctest.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>

#include "build_from_config.hpp"
#include "razor/model_weights.h"
#include "razor/tap.h"
#include "single_teacher_distill.h"
#include "test_support.hpp"

using namespace razor;

namespace {

const char* kResNet = R"(type = "resnet"
in_channels = 1
num_classes = 10
stem_channels = 8
widths = [8, 16]
blocks = [1, 1]
strides = [1, 2]
)";

// The teacher: the same design, twice as wide.
const char* kTeacher = R"(type = "resnet"
in_channels = 1
num_classes = 10
stem_channels = 16
widths = [16, 32]
blocks = [1, 1]
strides = [1, 2]
)";

const char* kKdMapping = R"(
[algorithm.distiller.student_recorders]
logits = { type = "output" }
[algorithm.distiller.teacher_recorders]
logits = { type = "output" }
[algorithm.distiller.distill_losses.loss_kd]
type = "kl_divergence"
tau = 2.0
[algorithm.distiller.loss_forward_mappings.loss_kd]
preds_S = { from_student = true, recorder = "logits" }
preds_T = { from_student = false, recorder = "logits" }
)";

/// A student ResNet distilled from a teacher model (none when `teacher` is empty); `extra` ends the file.
std::string kd_config(const std::string& algorithm_keys = "", const std::string& extra = kKdMapping,
                      const std::string& teacher = kTeacher) {
  return "[algorithm]\ntype = \"single_teacher_distill\"\n" + algorithm_keys + "\n[algorithm.architecture]\n" +
         kResNet + (teacher.empty() ? "" : "\n[algorithm.teacher]\n" + teacher) +
         "\n[algorithm.distiller]\ntype = \"configurable\"\n" + extra;
}

test::BuiltAlgorithm build(const test::TempDir& dir, const std::string& toml) { return test::build_algorithm(dir, toml); }

std::string build_error(const test::TempDir& dir, const std::string& toml) {
  return test::error_of([&] { build(dir, toml); });
}

Batch batch(std::int64_t n = 4) {
  at::manual_seed(3);
  return {at::randn({n, 1, 8, 8}), at::randint(0, 10, {n}, at::kLong)};
}

at::Tensor kl(const at::Tensor& s, const at::Tensor& t, double tau) {
  const at::Tensor p = at::softmax(t / tau, 1);
  return (p * (at::log(p) - at::log_softmax(s / tau, 1))).sum() / s.size(0) * tau * tau;
}

}  // namespace

TEST_CASE("taps: zoo models expose their record points; recording happens only inside a scope") {
  test::TempDir dir("distill_taps");
  auto b = build(dir, kd_config());
  Model& student = b.algorithm->model();
  CHECK(tap_paths(student) == std::vector<std::string>{"stem", "stages.0", "stages.1", "pool", "fc"});
  CHECK(output_tap(student) == "fc");

  auto buffer = attach_tap(student, "stages.1");
  student.eval();
  const at::Tensor x = batch().inputs;
  student.forward(x);
  CHECK(buffer->tensors.empty());  // not recording: nothing kept
  buffer->recording = true;
  const at::Tensor logits = student.forward(x);
  CHECK(buffer->tensors.size() == 1);
  CHECK(buffer->tensors[0].sizes() == at::IntArrayRef({4, 16, 4, 4}));

  CHECK(test::error_of([&] { attach_tap(student, "stage.1"); }) ==
        "no tap 'stage.1'; did you mean 'stages.1'? (taps: stem, stages.0, stages.1, pool, fc)");
}

TEST_CASE("the KD loss is the KL divergence of the recorded logits; the teacher gets no gradient and keeps its statistics") {
  test::TempDir dir("distill_step");
  auto b = build(dir, kd_config());
  auto& algo = dynamic_cast<distill::SingleTeacherDistill&>(*b.algorithm);
  algo.train();
  Model& teacher = *algo.teacher();
  CHECK_FALSE(teacher.is_training());  // eval mode although the algorithm trains
  std::vector<at::Tensor> stats_before;
  for (const auto& buf : teacher.buffers()) stats_before.push_back(buf.clone());

  const Batch data = batch();
  const Losses losses = algo.train_step(data);
  CHECK(losses.size() == 2);
  REQUIRE(losses.count("student.loss") == 1);
  REQUIRE(losses.count("distill.loss_kd") == 1);

  // The same numbers by hand: the teacher in eval mode, the student in train mode (BN batch stats
  // were already updated by the step, so recompute the student's logits from a clone of its state).
  at::Tensor t_logits;
  {
    at::NoGradGuard g;
    t_logits = teacher.forward(data.inputs);
  }
  for (std::size_t i = 0; i < stats_before.size(); ++i) CHECK(at::equal(stats_before[i], teacher.buffers()[i]));
  for (const auto& p : teacher.parameters()) {
    CHECK_FALSE(p.requires_grad());
    CHECK_FALSE(p.grad().defined());
  }
  bool student_has_grad = false;
  for (const auto& p : algo.model().parameters()) student_has_grad |= p.grad().defined() && p.grad().abs().sum().item<double>() > 0;
  CHECK(student_has_grad);

  // A second step on the same batch with the student in eval mode gives exactly comparable numbers.
  algo.model().eval();
  at::Tensor s_logits;
  {
    at::NoGradGuard g;
    s_logits = algo.model().forward(data.inputs);
  }
  const Losses again = algo.forward_losses(data);
  CHECK(again.at("distill.loss_kd").item<double>() == doctest::Approx(kl(s_logits, t_logits, 2.0).item<double>()).epsilon(1e-5));
  CHECK(again.at("student.loss").item<double>() ==
        doctest::Approx(at::cross_entropy_loss(s_logits, data.targets).item<double>()).epsilon(1e-5));
}

TEST_CASE("a student identical to its teacher has zero KD loss (teacher weights from a model.pt)") {
  test::TempDir dir("distill_same");
  auto first = build(dir, kd_config());
  save_weights(first.algorithm->model(), dir.file("student.pt"));
  auto b = build(dir, kd_config("teacher_weights = \"" + dir.file("student.pt") + "\"\n", kKdMapping, kResNet));
  load_weights(b.algorithm->model(), dir.file("student.pt"));
  b.algorithm->eval();
  const Losses losses = b.algorithm->forward_losses(batch());
  CHECK(losses.at("distill.loss_kd").item<double>() == doctest::Approx(0.0).epsilon(1e-7));
}

TEST_CASE("teacher_trainable: the teacher trains too, with frozen batch-norm statistics by default") {
  test::TempDir dir("distill_trainable");
  // The KL loss detaches the teacher's logits by default; a trainable teacher needs teacher_detach off.
  std::string mapping = kKdMapping;
  mapping.replace(mapping.find("tau = 2.0"), 9, "tau = 2.0\nteacher_detach = false");
  auto b = build(dir, kd_config("teacher_trainable = true\n", mapping));
  auto& algo = dynamic_cast<distill::SingleTeacherDistill&>(*b.algorithm);
  algo.train();
  CHECK(algo.teacher()->is_training());
  std::int64_t batch_norms = 0;
  for (const auto& m : algo.teacher()->modules()) {
    if (!dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) continue;
    CHECK_FALSE(m->is_training());
    ++batch_norms;
  }
  CHECK(batch_norms > 0);  // the teacher (a ResNet) has batch norms: the check above is not vacuous
  algo.train_step(batch());
  bool teacher_has_grad = false;
  for (const auto& p : algo.teacher()->parameters()) teacher_has_grad |= p.grad().defined();
  CHECK(teacher_has_grad);
}

TEST_CASE("feature distillation through a connector: the connector trains with the student") {
  test::TempDir dir("distill_connector");
  // A FitNets hint: a student tap through a conv_bn connector to the teacher's stages.1 [N, 32, 4, 4].
  const auto hint = [&](const std::string& student_tap, int in_channels) {
    return build(dir, kd_config("", R"(
[algorithm.distiller.student_recorders]
feat = { type = "tap", source = ")" + student_tap + R"(" }
[algorithm.distiller.teacher_recorders]
feat = { type = "tap", source = "stages.1" }
[algorithm.distiller.connectors]
hint = { type = "conv_bn", in_channels = )" + std::to_string(in_channels) + R"(, out_channels = 32 }
[algorithm.distiller.distill_losses.loss_hint]
type = "l2"
[algorithm.distiller.loss_forward_mappings.loss_hint]
preds_S = { from_student = true, recorder = "feat", connector = "hint" }
preds_T = { from_student = false, recorder = "feat" }
)"));
  };
  // The student's stages.0 is [N, 8, 8, 8]: the connector maps the channels, not the spatial size,
  // which the loss reports.
  auto b = hint("stages.0", 8);
  CHECK(test::error_of([&] { b.algorithm->train_step(batch()); }).find("l2") != std::string::npos);

  // A connector built for other channels than the recorded feature has: one line naming both.
  auto wrong = hint("stages.1", 8);
  CHECK(test::error_of([&] { wrong.algorithm->train_step(batch()); }) ==
        "connector conv_bn: got a feature of shape [4, 16, 4, 4], expected [N, C, H, W] with 8 channels");

  auto ok = hint("stages.1", 16);
  const Losses losses = ok.algorithm->train_step(batch());
  CHECK(losses.count("distill.loss_hint") == 1);
  std::size_t with_grad = 0, connector_params = 0;
  for (const auto& p : ok.algorithm->named_parameters()) {
    if (p.key().rfind("distiller.connectors.hint.", 0) != 0) continue;
    ++connector_params;
    with_grad += p.value().grad().defined();
  }
  CHECK(connector_params == 3);  // conv weight, bn weight and bias
  CHECK(with_grad == 3);
}

TEST_CASE("the distiller's config is checked when built, one line naming the place") {
  test::TempDir dir("distill_errors");
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = kd_config();
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return build_error(dir, text.replace(at, from.size(), to));
  };
  const std::string file = dir.file("config.toml");
  CHECK(with("recorder = \"logits\" }\npreds_T", "recorder = \"logit\" }\npreds_T")
            .find(": algorithm.distiller.loss_forward_mappings.loss_kd.preds_S.recorder: no student recorder 'logit' "
                  "(student_recorders: logits)") != std::string::npos);
  CHECK(with("preds_T = {", "targets = {")
            .find("loss_kd.targets: the loss takes no argument 'targets' (arguments: preds_S, preds_T)") != std::string::npos);
  CHECK(with("recorder = \"logits\" }\npreds_T", "recorder = \"logits\", connector = \"adapter\" }\npreds_T")
            .find("preds_S.connector: no connector 'adapter' (connectors: none)") != std::string::npos);
  CHECK(with("logits = { type = \"output\" }\n[algorithm.distiller.teacher", "logits = { type = \"tap\", source = \"stage.1\" }\n[algorithm.distiller.teacher")
            .find("student_recorders.logits.source: no tap 'stage.1'; did you mean 'stages.1'?") != std::string::npos);
  CHECK(with("[algorithm.distiller.loss_forward_mappings.loss_kd]", "[algorithm.distiller.loss_forward_mappings.loss_xd]")
            .find("loss_forward_mappings.loss_xd: no distill loss 'loss_xd' (distill_losses: loss_kd)") != std::string::npos);
  CHECK(with("from_student = true, recorder", "from_student = true, recrd").find("unknown key (expected: recorder, from_student, record_idx, connector)") != std::string::npos);
  const std::string idx = with("recorder = \"logits\" }\npreds_T", "recorder = \"logits\", record_idx = 1 }\npreds_T");
  CHECK(idx == "(no error)");  // only the forward knows how often a tap fires
  std::string text = kd_config();
  const std::string plain = "recorder = \"logits\" }\npreds_T";
  auto b = build(dir, text.replace(text.find(plain), plain.size(), "recorder = \"logits\", record_idx = 1 }\npreds_T"));
  CHECK(test::error_of([&] { b.algorithm->train_step(batch()); }) ==
        "distiller: loss 'loss_kd' argument 'preds_S': student recorder 'logits' recorded 1 tensor(s) in the last "
        "forward, record_idx 1 is out of range");
  CHECK(build_error(dir, kd_config("student = { type = \"classifier\" }\n"))
            .find("give exactly one of `architecture` (the student model) and `student` (an algorithm)") != std::string::npos);
}

TEST_CASE("a TorchScript teacher saved from Python: its dict's keys become taps, its logits match Python's") {
  REQUIRE_MESSAGE(test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  test::TempDir dir("distill_torchscript");
  REQUIRE(std::system(("/usr/bin/python3 " RAZOR_DISTILL_TESTS_DIR "/make_teacher.py " + dir.path.string()).c_str()) == 0);
  const auto script_config = [&](const std::string& file, const std::string& keys = "") {
    return kd_config("teacher_torchscript = \"" + file + "\"\n" + keys, kKdMapping, "");
  };
  const std::string text = script_config(dir.file("teacher.pt"));
  auto b = build(dir, text);
  auto& algo = dynamic_cast<distill::SingleTeacherDistill&>(*b.algorithm);
  CHECK(tap_paths(*algo.teacher()) == std::vector<std::string>{"feat", "logits"});

  const at::Tensor x = at::linspace(-1.0, 1.0, 128).reshape({2, 1, 8, 8});
  at::Tensor logits;
  {
    at::NoGradGuard g;
    logits = algo.teacher()->forward(x);
  }
  std::ifstream in(dir.file("teacher_logits.txt"));
  std::vector<float> expected;
  for (float v; in >> v;) expected.push_back(v);
  REQUIRE(expected.size() == 20);
  CHECK(at::allclose(logits.flatten(), at::tensor(expected), 1e-5, 1e-5));

  algo.train();
  const Losses losses = algo.train_step(batch(2));
  CHECK(losses.count("distill.loss_kd") == 1);
  CHECK(std::isfinite(losses.at("distill.loss_kd").item<double>()));

  CHECK(build_error(dir, script_config(dir.file("teacher.pt"), "teacher_output = \"scores\"\n")).find("teacher_torchscript: " + dir.file("teacher.pt") +
                                   ": the teacher's dict has no output key 'scores' (keys: feat, logits)") != std::string::npos);
  dir.write("junk.pt", "not a zip file");
  CHECK(build_error(dir, script_config(dir.file("junk.pt"))).find(dir.file("junk.pt") + ": not a zip archive: no "
                                                                  "end-of-central-directory record") != std::string::npos);
}

TEST_CASE("composition: SPOS as the student algorithm, distilled by config alone") {
  test::TempDir dir("distill_spos");
  const std::string toml = R"([algorithm]
type = "single_teacher_distill"
[algorithm.student]
type = "spos"
[algorithm.student.architecture]
type = "spos_shufflenet"
in_channels = 1
num_classes = 10
stem_channels = 8
widths = [16, 32]
repeats = [1, 2]
strides = [1, 2]
last_channels = 0
[algorithm.teacher]
)" + std::string(kTeacher) + "\n[algorithm.distiller]\ntype = \"configurable\"\n" + kKdMapping;
  auto b = build(dir, toml);
  REQUIRE(b.algorithm->mutator() != nullptr);
  CHECK(b.algorithm->mutator()->groups().size() == 3);
  CHECK(tap_paths(b.algorithm->model()).front() == "stem");
  b.algorithm->train();
  const Losses losses = b.algorithm->train_step(batch());
  CHECK(losses.count("student.loss") == 1);
  CHECK(losses.count("distill.loss_kd") == 1);
  CHECK(losses.at("distill.loss_kd").item<double>() > 0);
}
