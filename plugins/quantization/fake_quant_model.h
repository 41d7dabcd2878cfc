#pragma once
// FakeQuantModel: a float model as its int8 version computes it. The model's traced forward runs step
// by step (QuantPlan); convolutions with their batch norms, linear layers, additions and
// concatenations round their weights and outputs to int8 grids (FakeQuantize), the rest runs as
// traced. The model's own parameters are used live, so training this model (QAT) trains them.
//
// Phases: calibrating (observers watch float values, nothing is rounded), then simulating (rounded
// with the scales found). In training mode observers keep watching until stopped, and convolutions
// with batch norm train the way PyTorch's QAT does: the weight is scaled by gamma / running std
// before it is rounded, the output scaled back, and batch norm normalises with the batch's statistics
// (until frozen: then running statistics, the folded convolution exactly).
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/runtime/operator.h>
#include <torch/nn/modules/container/modulelist.h>

#include "fake_quantize.h"
#include "quant_plan.h"
#include "razor/calibrated.h"
#include "razor/int8_exportable.h"
#include "razor/model.h"
#include "razor/tap.h"

namespace razor::quantization {

struct FakeQuantSetup {
  std::shared_ptr<Model> model;                  // the float model; becomes the child "architecture"
  std::vector<std::int64_t> input_shape;         // [1, C, H, W], to trace it
  std::function<std::shared_ptr<Observer>()> weight_observer, activation_observer;
  bool reduce_range = false;                     // 7-bit activations
  bool learnable_scales = false;                 // LSQ
  std::string engine = "onednn";
};

class FakeQuantModel final : public Model, public Calibrated, public Int8Exportable {
 public:
  explicit FakeQuantModel(const FakeQuantSetup& setup);

  at::Tensor forward(const at::Tensor& x) override;
  void train(bool on = true) override;

  void begin_calibration() override;
  void calibrate(const at::Tensor& images) override;
  void end_calibration() override;

  /// Training: whether observers keep watching (on until stopped), and whether batch norm is frozen.
  void set_observing(bool on);
  void freeze_batch_norm(bool on);
  bool batch_norm_frozen() const;

  torch::jit::Module int8_module() const override;
  std::string int8_engine() const override { return engine_; }

  const QuantPlan& plan() const { return plan_; }
  const torch::jit::Module& traced() const { return traced_; }
  Model& float_model() override { return *model_; }
  const FakeQuantizeImpl& activation(std::int64_t i) const { return *activation_points_.at(i); }
  const FakeQuantizeImpl& weight(std::int64_t i) const { return *weight_points_.at(i); }
  /// Folded convolution weight and bias of a conv step (batch norm's running statistics), or a linear
  /// step's own: what the int8 kernel is given.
  std::pair<at::Tensor, at::Tensor> folded(const Step& step) const;

 private:
  at::Tensor run_conv(const Step& step, const at::Tensor& x);
  void train_mode_of_traced_op(const torch::jit::Node* n, torch::jit::Stack& stack) const;
  void set_points(bool observe, bool quantize);

  std::shared_ptr<Model> model_;
  torch::jit::Module traced_;
  QuantPlan plan_;
  std::vector<std::optional<torch::jit::Operation>> ops_;  // per step; empty where the step does not run its node
  std::unordered_map<const torch::jit::Value*, std::size_t> slot_;
  std::vector<FakeQuantize> activation_points_, weight_points_;  // also registered, as lists
  Taps taps_{nullptr};  // "output": what distillation's output recorder reads (the float model's own taps do not run)
  at::Tensor observing_, bn_frozen_;  // training flags, kept in checkpoints
  bool calibrating_ = false;
  std::string engine_;
};

}  // namespace razor::quantization
