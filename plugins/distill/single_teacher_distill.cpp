#include "single_teacher_distill.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>

#include "razor/errors.h"
#include "razor/model_weights.h"
#include "torchscript_teacher.h"

namespace razor::distill {
namespace {

std::shared_ptr<Model> build_teacher(const BuildContext& ctx) {
  const ConfigView& config = ctx.config();
  const auto script = config.get<std::string>("teacher_torchscript");
  if (config.has("teacher") == !script.empty()) {
    config.fail("teacher", "give exactly one of `teacher` (a model table) and `teacher_torchscript` (a file)");
  }
  if (!script.empty()) {
    if (config.get<bool>("teacher_trainable")) {
      config.fail("teacher_trainable", "a TorchScript teacher cannot be trained (its parameters are not razor's)");
    }
    if (!config.get<std::string>("teacher_weights").empty()) {
      config.fail("teacher_weights", "a TorchScript teacher carries its weights");
    }
    try {
      return std::make_shared<TorchScriptTeacherImpl>(script, config.get<std::string>("teacher_output"), ctx.device());
    } catch (const Error& e) {
      config.fail("teacher_torchscript", e.what());
    }
  }
  auto teacher = ctx.build<Model>("teacher");
  const auto weights = config.get<std::string>("teacher_weights");
  if (!weights.empty()) {
    try {
      load_weights(*teacher, weights);
    } catch (const Error& e) {
      config.fail("teacher_weights", e.what());
    }
  }
  return teacher;
}

}  // namespace

SingleTeacherDistill::SingleTeacherDistill(const BuildContext& ctx) {
  const ConfigView& config = ctx.config();
  if (config.has("architecture") == config.has("student")) {
    config.fail("architecture", "give exactly one of `architecture` (the student model) and `student` (an algorithm)");
  }
  if (config.has("student")) {
    if (config.has("loss")) config.fail("loss", "the student algorithm has its own loss");
    student_ = register_module("student", ctx.build<Algorithm>("student"));
  } else {
    architecture_ = register_module("architecture", ctx.build<Model>("architecture"));
    loss_ = register_module("loss", ctx.build<Loss>("loss"));
  }
  teacher_trainable_ = config.get<bool>("teacher_trainable");
  teacher_norm_eval_ = config.get<bool>("teacher_norm_eval");
  student_loss_ = config.get<bool>("calculate_student_loss");
  teacher_ = register_module("teacher", build_teacher(ctx));
  if (!teacher_trainable_) {
    for (auto& p : teacher_->parameters()) p.requires_grad_(false);
  }
  distiller_ = register_module("distiller", ctx.build<Distiller>("distiller"));
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

void SingleTeacherDistill::save_state(torch::serialize::OutputArchive& archive) const {
  if (student_) student_->save_state(archive);
}
void SingleTeacherDistill::load_state(torch::serialize::InputArchive& archive) {
  if (student_) student_->load_state(archive);
}

ComponentInfo single_teacher_distill_info() {
  return {"algorithm",
          "single_teacher_distill",
          "Trains a student (a model, or a one-pass algorithm such as spos) with a distiller's losses against one teacher",
          {{"architecture", "model", "{}", "the student network (or give `student`)"},
           {"loss", "loss", "{ type = 'cross_entropy' }", "the student's loss on labels (with `architecture`)"},
           {"student", "algorithm", "{}", "a whole student algorithm whose losses the distillation terms join"},
           {"teacher", "model", "{}", "the teacher network (or give `teacher_torchscript`)"},
           {"teacher_weights", "string", "''", "a model.pt written by `razor-host run` for the teacher"},
           {"teacher_torchscript", "string", "''", "a TorchScript teacher saved from Python"},
           {"teacher_output", "string", "'logits'", "the output key when the TorchScript forward returns a dict"},
           {"distiller", "distiller", nullptr, "recorders, connectors and losses, e.g. { type = 'configurable', ... }"},
           {"teacher_trainable", "bool", "false", "train the teacher too (a razor model teacher only)"},
           {"teacher_norm_eval", "bool", "true", "a trainable teacher keeps its batch-norm statistics frozen"},
           {"calculate_student_loss", "bool", "true", "add the student's own losses (false: distillation terms only)"}},
          &make_component<SingleTeacherDistill>};
}

}  // namespace razor::distill
