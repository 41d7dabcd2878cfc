#pragma once
/// Taps: named record points inside a model. LibTorch modules have no forward hooks, so a model
/// passes the tensors worth recording through a Taps child; a recorder attaches to one tap and
/// collects what passes while it records. Tap names are the module paths whose outputs they carry
/// ("stem", "stages.2", "fc"); a Taps module nested in a submodule contributes "<submodule>.<name>".
/// The last name of the outermost Taps is the model's output.
///
/// Example:
///   taps = register_module("taps", razor::Taps(std::vector<std::string>{"stem", "fc"}));
///   at::Tensor forward(const at::Tensor& x) { return taps->record("fc", fc(taps->record("stem", stem(x)))); }
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "razor/export.h"

namespace razor {

/// What one attached recorder collects from one tap.
struct TapBuffer {
  bool recording = false;
  std::vector<at::Tensor> tensors;  // one per call of the tap while recording, in call order
};

class RAZOR_API TapsImpl : public torch::nn::Module {
 public:
  /// Unique, non-empty names; the last one carries the model's output.
  explicit TapsImpl(std::vector<std::string> names);
  /// Returns x; a recorder attached to `name` and recording also keeps it. Free when none is attached.
  const at::Tensor& record(const std::string& name, const at::Tensor& x) {
    return attached_ == 0 ? x : keep(name, x);
  }
  const std::vector<std::string>& names() const { return names_; }
  /// Whether a recorder is attached to `name` (for a model whose taps cost something to feed).
  bool attached(const std::string& name) const { return buffers_.count(name) > 0; }
  /// A new buffer fed by tap `name`; throws razor::Error if there is no such tap.
  std::shared_ptr<TapBuffer> attach(const std::string& name);

 private:
  const at::Tensor& keep(const std::string& name, const at::Tensor& x);

  std::vector<std::string> names_;
  std::map<std::string, std::vector<std::shared_ptr<TapBuffer>>> buffers_;
  std::size_t attached_ = 0;
};
TORCH_MODULE(Taps);

/// Every tap path of `model`, outermost Taps first (empty when the model has no taps).
RAZOR_API std::vector<std::string> tap_paths(const torch::nn::Module& model);

/// The path of the tap carrying `model`'s output; throws razor::Error when the model has no taps.
RAZOR_API std::string output_tap(const torch::nn::Module& model);

/// Attaches a new buffer to the tap at `path`; throws razor::Error naming the path and listing the
/// taps that exist (or saying the model has none).
RAZOR_API std::shared_ptr<TapBuffer> attach_tap(torch::nn::Module& model, const std::string& path);

}  // namespace razor
