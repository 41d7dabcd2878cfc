#pragma once
// A teacher exported from Python as TorchScript (torch.jit.script or trace, saved with .save()), as a
// razor::Model. Its forward may return logits, or a dict of named tensors built as a literal
// ({"logits": ..., "feat": ...}): every key becomes a tap, and `output_key` is the model's output.
#include <string>

#include <torch/script.h>

#include "razor/model.h"
#include "razor/tap.h"

namespace razor::distill {

class TorchScriptTeacherImpl final : public Model {
 public:
  /// Throws razor::Error with one line when the file does not load or its forward does not fit.
  TorchScriptTeacherImpl(const std::string& path, const std::string& output_key, c10::Device device);
  at::Tensor forward(const at::Tensor& x) override;
  void train(bool on = true) override;
  using torch::nn::Module::to;
  void to(torch::Device device, bool non_blocking = false) override;

 private:
  std::string path_;
  std::string output_key_;  // empty when forward returns a tensor
  torch::jit::Module module_;
  razor::Taps taps_{nullptr};
};

}  // namespace razor::distill
