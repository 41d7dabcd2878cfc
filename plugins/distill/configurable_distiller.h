#pragma once
// distiller/configurable: recorders on both sides, connectors, distillation losses and the mapping
// of recorded tensors to each loss's arguments, all from the config and all checked when built.
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/modules/container/moduledict.h>

#include "razor/connector.h"
#include "razor/context.h"
#include "razor/distill_loss.h"
#include "razor/distiller.h"
#include "razor/plugin.h"
#include "razor/recorder.h"

namespace razor::distill {

class ConfigurableDistiller final : public Distiller {
 public:
  explicit ConfigurableDistiller(const BuildContext& ctx);
  void prepare(Model& student, Model& teacher) override;
  RecordingScope record_student(const Batch& batch) override;
  RecordingScope record_teacher(const Batch& batch) override;
  Losses compute_losses() override;

 private:
  struct NamedRecorder {
    std::string name;
    std::shared_ptr<Recorder> recorder;
    std::shared_ptr<const ConfigView> table;  // for errors found when the models are known
  };
  /// One argument of one loss: which recorded tensor, through which connector.
  struct Argument {
    std::string name;
    Recorder* recorder;
    std::string recorder_name;
    bool from_student;
    std::int64_t record_idx;
    std::shared_ptr<Connector> connector;  // may be null
  };
  struct Term {
    std::string name;
    std::shared_ptr<DistillLoss> loss;
    std::vector<Argument> arguments;
  };

  std::vector<NamedRecorder> build_recorders(const BuildContext& ctx, const std::string& key) const;
  Argument read_argument(const ConfigView& entry, const std::string& argument) const;
  static void prepare_side(std::vector<NamedRecorder>& recorders, Model& model);
  static std::vector<Recorder*> pointers(const std::vector<NamedRecorder>& recorders);

  std::vector<NamedRecorder> student_recorders_, teacher_recorders_;
  torch::nn::ModuleDict connectors_{nullptr}, losses_{nullptr};
  std::vector<Term> terms_;
};

ComponentInfo configurable_distiller_info();

}  // namespace razor::distill
