#pragma once
/// Distiller: records student and teacher forward passes and turns the records into distillation
/// losses (through connectors and distillation losses it owns).
#include <torch/nn/module.h>

#include "razor/batch.h"
#include "razor/component.h"
#include "razor/model.h"
#include "razor/recorder.h"

namespace razor {

class RAZOR_API Distiller : public torch::nn::Module, public Component {
 public:
  static constexpr const char* kKind = "distiller";
  ~Distiller() override;
  /// Attaches the student's and the teacher's recorders; throws razor::ConfigError naming a
  /// recorder whose source a model lacks.
  virtual void prepare(Model& student, Model& teacher) = 0;
  /// Records the student's (or teacher's) forward pass of `batch` until the scope ends.
  virtual RecordingScope record_student(const Batch& batch) = 0;
  virtual RecordingScope record_teacher(const Batch& batch) = 0;
  /// The distillation losses, by configured name, from the last recorded forward passes.
  virtual Losses compute_losses() = 0;
};

}  // namespace razor
