#pragma once
/// A network written in Python and saved with torch.jit.script(...).save() or torch.jit.trace(...).save(),
/// as a razor model: its forward is the scripted one, and its parameters and buffers are the scripted
/// module's own tensors, held again by a tree of plain modules with the scripted module's paths and
/// class names ("layer1.0.conv1", "Conv2d"). So the optimizer trains them, checkpoints save them by the
/// names Python uses, and estimators count them per module. torch.nn's Conv2d, BatchNorm2d and Linear
/// submodules are razor::SliceableLayer: channel pruning narrows them, and export writes the scripted
/// module itself (razor::ScriptBacked) with its narrowed tensors. Every submodule whose forward returns
/// a tensor is a tap by its path (distillation records its output), and "output" is the model's output.
///
/// Example (config):  [algorithm.architecture]
///                    type = "torchscript"
///                    file = "my_net.pt"
#include <map>
#include <string>

#include <torch/csrc/jit/api/module.h>

#include "razor/context.h"
#include "razor/model.h"
#include "razor/options.h"
#include "razor/script_backed.h"
#include "razor/tap.h"

namespace razor::models {

struct TorchScriptModelOptions : razor::Options<TorchScriptModelOptions> {
  RAZOR_OPTION(std::string, file, "a TorchScript file saved from Python (torch.jit.script or torch.jit.trace)", "")
      .file_path();
  void validate(const ConfigView& cfg) const;
};

class TorchScriptModelImpl final : public razor::Model, public razor::ScriptBacked {
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
  torch::jit::Module script_copy() const override;

 private:
  TorchScriptModelImpl(std::string file, torch::jit::Module script);
  /// Makes the submodules a recorder attached to since the last call store their outputs.
  void tap_attached();

  std::string file_;
  torch::jit::Module script_;
  razor::Taps taps_{nullptr};
  std::string output_tap_;
  std::map<std::string, torch::jit::Module> tapped_;  // by path: submodules whose forward stores its output
};
TORCH_MODULE(TorchScriptModel);

}  // namespace razor::models
