#pragma once
// algorithm/quantize: a float model made int8. Post-training quantization: the run's `calibrate` stage
// shows it training images, then `export` writes the int8 TorchScript file. Quantization-aware
// training: the `train` stage trains the fake-quantized model (straight-through gradients), with
// observers stopped and batch norm frozen after given epochs, and learned scales (LSQ) as an option.
// The float model's weights come from float_weights (a razor model.pt, a PyTorch state_dict or a
// TorchScript file).
#include <memory>
#include <string>
#include <vector>

#include "fake_quant_model.h"
#include "razor/algorithm.h"
#include "razor/calibrated.h"
#include "razor/context.h"
#include "razor/epoch_listener.h"
#include "razor/loss.h"
#include "razor/observer.h"
#include "razor/plugin.h"

namespace spdlog {
class logger;
}

namespace razor::quantization {

struct QuantizeOptions : Options<QuantizeOptions> {
  RAZOR_OPTION(Nested<Model>, architecture, "the float network to quantize", required);
  RAZOR_OPTION(std::string, float_weights,
               "its trained weights: a model.pt of razor's, a PyTorch torch.save(state_dict) or a TorchScript file", "")
      .file_path();
  RAZOR_OPTION(Table, float_keys,
               "how float_weights' keys become the model's: { strip_prefix, rename = { regex = replacement }, "
               "add_prefix, strict = true }", "{}");
  RAZOR_OPTION(Nested<Loss>, loss, "the loss on labels, for quantization-aware training", "{ type = 'cross_entropy' }");
  RAZOR_OPTION(Nested<Observer>, weight_observer, "the range of each weight (after batch norm is folded in)",
               "{ type = 'per_channel_min_max' }");
  RAZOR_OPTION(Nested<Observer>, activation_observer, "the range of each quantized activation",
               "{ type = 'histogram' }");
  RAZOR_OPTION(std::string, engine, "the quantized engine the int8 file is packed for", "onednn")
      .one_of({"onednn", "qnnpack", "fbgemm"});
  RAZOR_OPTION(bool, reduce_range, "7-bit activations, for kernels whose 16-bit sums would overflow", false);
  RAZOR_OPTION(bool, learnable_scales, "learn the scales in training (LSQ), starting from the observers' ranges", false);
  RAZOR_OPTION(std::int64_t, disable_observer_after, "training: epochs after which the ranges stop following the data "
               "(-1: never)", -1).at_least(-1);
  RAZOR_OPTION(std::int64_t, freeze_bn_after, "training: epochs after which batch norm uses its running statistics "
               "(-1: never)", -1).at_least(-1);
};

class Quantize final : public Algorithm, public Calibrated, public EpochListener {
 public:
  using Options = QuantizeOptions;
  Quantize(const BuildContext& ctx, const Options& options);

  Losses forward_losses(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return *model_; }

  void begin_calibration() override {
    announce();
    model_->begin_calibration();
  }
  void calibrate(const at::Tensor& images) override { model_->calibrate(images); }
  void end_calibration() override { model_->end_calibration(); }
  void epoch_begins(std::int64_t epoch) override;
  /// Checkpoints record the engine and activation bits the scales were found for; resuming under
  /// others is refused (razor::Error).
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  std::shared_ptr<FakeQuantModel> model_;
  std::shared_ptr<Loss> loss_;
  std::int64_t disable_observer_after_, freeze_bn_after_;
  std::string grid_;  // "onednn, 8-bit activations": what the scales are for
  // What was loaded and what becomes int8, logged when calibration or training starts (not while the
  // run is being checked: a config error is then the only line).
  void announce();
  std::vector<std::string> summary_;
  spdlog::logger* logger_;
};

}  // namespace razor::quantization
