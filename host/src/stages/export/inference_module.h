#pragma once
// The inference file of an export: the TorchScript module frozen (parameters and buffers become
// constants, submodules inlined) and run through LibTorch's frozen-graph optimisations (batch norm
// folded into the convolution before it, constant folding) — what a deployment loads. Python's
// torch.jit.load runs it; it cannot be trained any more (it has no parameters).
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor::host {

/// A frozen, optimised copy of `scripted`, which is left as it is; with `channels_last`, its 4-d
/// weights (and so the activations after the first convolution) in channels-last memory format.
torch::jit::Module inference_module(const torch::jit::Module& scripted, bool channels_last = false);

/// The memory layout of an inference module: "contiguous" (NCHW), "channels_last" (NHWC), or "auto":
/// both made and timed (median of `runs` calls) at each batch size, channels-last kept when its times
/// are lower in geometric mean.
struct LayoutChoice {
  std::string layout;                                // the one kept: contiguous or channels_last
  std::vector<std::int64_t> batches;                 // timed (auto only)
  std::vector<double> contiguous_ms, channels_last_ms;
};
torch::jit::Module inference_module(const torch::jit::Module& scripted, const std::string& layout,
                                    const std::vector<at::Tensor>& inputs, int runs, LayoutChoice& choice);

/// Largest output difference accepted between the inference file and the plain export, relative to the
/// largest output (at least 1): folding batch norm into the convolution reorders floating-point
/// operations, whose errors grow with the values.
inline constexpr double kMaxInferenceDiff = 1e-4;

}  // namespace razor::host
