#include "single_teacher_distill.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>
#include <spdlog/spdlog.h>

#include "razor/errors.h"
#include "razor/model_weights.h"
#include "torchscript_teacher.h"

namespace razor::distill {
namespace {

std::shared_ptr<Model> build_teacher(const BuildContext& ctx, const SingleTeacherDistillOptions& options) {
  const ConfigView& config = ctx.config();
  if (!options.teacher_torchscript.empty()) {
    try {
      return std::make_shared<TorchScriptTeacherImpl>(options.teacher_torchscript, options.teacher_output,
                                                      ctx.device());
    } catch (const Error& e) {
      config.fail("teacher_torchscript", e.what());
    }
  }
  auto teacher = ctx.build(options.teacher);
  if (!options.teacher_weights.empty()) {
    const KeyMap keys = read_key_map(*options.teacher_keys);
    try {
      ctx.logger().info("teacher weights: {}", load_weights(*teacher, options.teacher_weights, keys).summary());
    } catch (const Error& e) {
      config.fail("teacher_weights", e.what());
    }
  }
  return teacher;
}

}  // namespace

void SingleTeacherDistillOptions::validate(const ConfigView& cfg) const {
  if (cfg.has("architecture") == cfg.has("student")) {
    cfg.fail("architecture", "give exactly one of `architecture` (the student model) and `student` (an algorithm)");
  }
  if (cfg.has("student") && cfg.has("loss")) cfg.fail("loss", "the student algorithm has its own loss");
  if (cfg.has("teacher") == !teacher_torchscript.empty()) {
    cfg.fail("teacher", "give exactly one of `teacher` (a model table) and `teacher_torchscript` (a file)");
  }
  if (!teacher_torchscript.empty()) {
    if (teacher_trainable) {
      cfg.fail("teacher_trainable", "a TorchScript teacher cannot be trained (its parameters are not razor's)");
    }
    if (!teacher_weights.empty()) cfg.fail("teacher_weights", "a TorchScript teacher carries its weights");
  }
  if (cfg.has("teacher_keys") && teacher_weights.empty()) {
    cfg.fail("teacher_keys", "maps the keys of `teacher_weights`, which is not given");
  }
}

SingleTeacherDistill::SingleTeacherDistill(const BuildContext& ctx, const Options& options)
    : teacher_trainable_(options.teacher_trainable),
      teacher_norm_eval_(options.teacher_norm_eval),
      student_loss_(options.calculate_student_loss) {
  if (ctx.config().has("student")) {
    student_ = register_module("student", ctx.build(options.student));
  } else {
    architecture_ = register_module("architecture", ctx.build(options.architecture));
    loss_ = register_module("loss", ctx.build(options.loss));
  }
  teacher_ = register_module("teacher", build_teacher(ctx, options));
  if (!teacher_trainable_) {
    for (auto& p : teacher_->parameters()) p.requires_grad_(false);
  }
  distiller_ = register_module("distiller", ctx.build(options.distiller));
  distiller_->prepare(model(), *teacher_);
  train(is_training());
}

Losses SingleTeacherDistill::forward_losses(const Batch& batch) {
  {
    RecordingScope recording = distiller_->record_teacher(batch);
    if (teacher_trainable_) {
      teacher_->forward(batch.inputs);
    } else {
      torch::NoGradGuard no_grad;
      teacher_->forward(batch.inputs);
    }
  }
  Losses losses;
  {
    RecordingScope recording = distiller_->record_student(batch);
    if (student_) {
      for (auto& [name, value] : student_->forward_losses(batch)) {
        if (student_loss_) losses["student." + name] = value;
      }
    } else {
      at::Tensor logits = architecture_->forward(batch.inputs);
      if (student_loss_) losses["student.loss"] = loss_->forward(logits, batch.targets);
    }
  }
  for (auto& [name, value] : distiller_->compute_losses()) losses["distill." + name] = value;
  return losses;
}

at::Tensor SingleTeacherDistill::predict(const at::Tensor& inputs) {
  return student_ ? student_->predict(inputs) : architecture_->forward(inputs);
}

// The teacher stays in eval mode unless trainable; a trainable teacher keeps its batch-norm
// statistics frozen when teacher_norm_eval is set.
void SingleTeacherDistill::train(bool on) {
  Algorithm::train(on);
  if (!teacher_) return;
  if (!teacher_trainable_) {
    teacher_->eval();
  } else if (teacher_norm_eval_) {
    for (auto& m : teacher_->modules()) {
      if (dynamic_cast<torch::nn::BatchNormImplBase<2, torch::nn::BatchNorm2dImpl>*>(m.get()) ||
          dynamic_cast<torch::nn::BatchNormImplBase<1, torch::nn::BatchNorm1dImpl>*>(m.get())) {
        m->eval();
      }
    }
  }
}

bool SingleTeacherDistill::calibrates() const {
  const auto* inner = dynamic_cast<const Calibrated*>(student_.get());
  return inner && inner->calibrates();
}
void SingleTeacherDistill::begin_calibration() { dynamic_cast<Calibrated&>(*student_).begin_calibration(); }
void SingleTeacherDistill::calibrate(const at::Tensor& images) { dynamic_cast<Calibrated&>(*student_).calibrate(images); }
void SingleTeacherDistill::end_calibration() { dynamic_cast<Calibrated&>(*student_).end_calibration(); }
void SingleTeacherDistill::epoch_begins(std::int64_t epoch) {
  if (auto* inner = dynamic_cast<EpochListener*>(student_.get())) inner->epoch_begins(epoch);
}

void SingleTeacherDistill::save_state(torch::serialize::OutputArchive& archive) const {
  if (student_) student_->save_state(archive);
}
void SingleTeacherDistill::load_state(torch::serialize::InputArchive& archive) {
  if (student_) student_->load_state(archive);
}

}  // namespace razor::distill
