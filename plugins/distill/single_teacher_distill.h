#pragma once
// algorithm/single_teacher_distill: trains a student with the losses of a distiller that compares it
// with one teacher. The teacher is a razor model (optionally with a model.pt from an earlier run) or a
// TorchScript file exported from Python; it runs in eval mode without gradients unless trainable. The
// student is a model trained on labels with `loss`, or a whole one-pass algorithm (e.g. SPOS), whose
// own losses the distillation terms join.
#include <memory>
#include <string>

#include "razor/algorithm.h"
#include "razor/calibrated.h"
#include "razor/epoch_listener.h"
#include "razor/context.h"
#include "razor/distiller.h"
#include "razor/loss.h"
#include "razor/plugin.h"

namespace razor::distill {

struct SingleTeacherDistillOptions : Options<SingleTeacherDistillOptions> {
  RAZOR_OPTION(Nested<Model>, architecture, "the student network (or give `student`)", "{}");
  RAZOR_OPTION(Nested<Loss>, loss, "the student's loss on labels (with `architecture`)", "{ type = 'cross_entropy' }");
  RAZOR_OPTION(Nested<Algorithm>, student, "a whole student algorithm whose losses the distillation terms join", "{}");
  RAZOR_OPTION(Nested<Model>, teacher, "the teacher network (or give `teacher_torchscript`)", "{}");
  RAZOR_OPTION(std::string, teacher_weights,
               "the teacher's weights: a model.pt of razor's, a PyTorch torch.save(state_dict) or a TorchScript file", "")
      .file_path();
  RAZOR_OPTION(Table, teacher_keys,
               "how teacher_weights' keys become the teacher's: { strip_prefix, rename = { regex = replacement }, "
               "add_prefix, strict = true }", "{}");
  RAZOR_OPTION(std::string, teacher_torchscript, "a TorchScript teacher saved from Python", "").file_path();
  RAZOR_OPTION(std::string, teacher_output, "the output key when the TorchScript forward returns a dict", "logits");
  RAZOR_OPTION(Nested<Distiller>, distiller,
               "recorders, connectors and losses, e.g. { type = 'configurable', ... }", required);
  RAZOR_OPTION(bool, teacher_trainable, "train the teacher too (a razor model teacher only)", false);
  RAZOR_OPTION(bool, teacher_norm_eval, "a trainable teacher keeps its batch-norm statistics frozen", true);
  RAZOR_OPTION(bool, calculate_student_loss, "add the student's own losses (false: distillation terms only)", true);
  /// Exactly one student (architecture or student) and one teacher (teacher or teacher_torchscript).
  void validate(const ConfigView& cfg) const;
};

// A student algorithm that calibrates (quantize) or follows epochs (QAT) is calibrated and told the
// epochs through this one.
class SingleTeacherDistill final : public Algorithm, public Calibrated, public EpochListener {
 public:
  using Options = SingleTeacherDistillOptions;
  SingleTeacherDistill(const BuildContext& ctx, const Options& options);
  Losses forward_losses(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return student_ ? student_->model() : *architecture_; }
  Mutator* mutator() override { return student_ ? student_->mutator() : nullptr; }
  void train(bool on = true) override;
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  Model* teacher() override { return teacher_.get(); }

  bool calibrates() const override;
  void begin_calibration() override;
  void calibrate(const at::Tensor& images) override;
  void end_calibration() override;
  void epoch_begins(std::int64_t epoch) override;

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

}  // namespace razor::distill
