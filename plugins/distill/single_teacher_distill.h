#pragma once
// algorithm/single_teacher_distill: trains a student with the losses of a distiller that compares it
// with one teacher. The teacher is a razor model (optionally with a model.pt from an earlier run) or a
// TorchScript file exported from Python; it runs in eval mode without gradients unless trainable. The
// student is a model trained on labels with `loss`, or a whole one-pass algorithm (e.g. SPOS), whose
// own losses the distillation terms join.
#include <memory>

#include "razor/algorithm.h"
#include "razor/context.h"
#include "razor/distiller.h"
#include "razor/loss.h"
#include "razor/plugin.h"

namespace razor::distill {

class SingleTeacherDistill final : public Algorithm {
 public:
  explicit SingleTeacherDistill(const BuildContext& ctx);
  Losses forward_losses(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return student_ ? student_->model() : *architecture_; }
  Mutator* mutator() override { return student_ ? student_->mutator() : nullptr; }
  void train(bool on = true) override;
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  Model& teacher() { return *teacher_; }

 private:
  std::shared_ptr<Model> architecture_;  // the student network, or null when `student` is an algorithm
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<Algorithm> student_;
  std::shared_ptr<Model> teacher_;
  std::shared_ptr<Distiller> distiller_;
  bool teacher_trainable_ = false;
  bool teacher_norm_eval_ = true;
  bool student_loss_ = true;
};

ComponentInfo single_teacher_distill_info();

}  // namespace razor::distill
