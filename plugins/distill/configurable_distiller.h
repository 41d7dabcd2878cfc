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

struct ConfigurableDistillerOptions : Options<ConfigurableDistillerOptions> {
  RAZOR_OPTION(Table, student_recorders, "name = { type = 'tap', source = '...' } | { type = 'output' } | ...", "{}");
  RAZOR_OPTION(Table, teacher_recorders, "the same for the teacher", "{}");
  RAZOR_OPTION(Table, connectors, "name = { type = 'conv_bn', ... }: adapters trained with the student", "{}");
  RAZOR_OPTION(Table, distill_losses, "name = { type = 'kl_divergence', ... }; names containing 'loss' are trained",
               required)
      .check([](const Table& t) { return !t->keys().empty(); }, "no distillation loss is configured");
  RAZOR_OPTION(Table, loss_forward_mappings,
               "loss name = { argument = { recorder = '...', from_student = true, record_idx = 0, connector = '...' } }",
               "{}");
};

class ConfigurableDistiller final : public Distiller {
 public:
  using Options = ConfigurableDistillerOptions;
  ConfigurableDistiller(const BuildContext& ctx, const Options& options);
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

  static std::vector<NamedRecorder> build_recorders(const BuildContext& ctx, const Table& tables);
  Argument read_argument(const ConfigView& entry, const std::string& argument) const;
  static void prepare_side(std::vector<NamedRecorder>& recorders, Model& model);
  static std::vector<Recorder*> pointers(const std::vector<NamedRecorder>& recorders);

  std::vector<NamedRecorder> student_recorders_, teacher_recorders_;
  torch::nn::ModuleDict connectors_{nullptr}, losses_{nullptr};
  std::vector<Term> terms_;
};

}  // namespace razor::distill
