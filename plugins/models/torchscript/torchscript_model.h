#pragma once
/// A network written in Python and saved with torch.jit.script(...).save() or torch.jit.trace(...).save(),
/// as a razor model: its forward is the scripted one, and its parameters and buffers are the scripted
/// module's own tensors, held again by a tree of plain modules with the scripted module's paths and
/// class names ("layer1.0.conv1", "Conv2d"). So the optimizer trains them, checkpoints save them by the
/// names Python uses, and estimators count them per module.
///
/// Example (config):  [algorithm.architecture]
///                    type = "torchscript"
///                    file = "my_net.pt"
#include <string>

#include <torch/csrc/jit/api/module.h>

#include "razor/context.h"
#include "razor/model.h"
#include "razor/options.h"

namespace razor::models {

struct TorchScriptModelOptions : razor::Options<TorchScriptModelOptions> {
  RAZOR_OPTION(std::string, file, "a TorchScript file saved from Python (torch.jit.script or torch.jit.trace)", "")
      .file_path();
  void validate(const ConfigView& cfg) const;
};

class TorchScriptModelImpl final : public razor::Model {
 public:
  using Options = TorchScriptModelOptions;
  TorchScriptModelImpl(const BuildContext& ctx, const Options& options);
  /// Throws razor::Error with one line naming the file when it does not load or does not fit.
  explicit TorchScriptModelImpl(const std::string& file, c10::Device device = c10::kCPU);
  at::Tensor forward(const at::Tensor& x) override;
  void train(bool on = true) override;
  using torch::nn::Module::to;
  void to(torch::Device device, bool non_blocking = false) override;

  /// The scripted module (its tensors are this model's parameters and buffers).
  torch::jit::Module& script() { return script_; }

 private:
  TorchScriptModelImpl(std::string file, torch::jit::Module script);
  std::string file_;
  torch::jit::Module script_;
};
TORCH_MODULE(TorchScriptModel);

}  // namespace razor::models
