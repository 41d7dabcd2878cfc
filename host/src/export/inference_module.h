#pragma once
// The inference file of an export: the TorchScript module frozen (parameters and buffers become
// constants, submodules inlined) and run through LibTorch's frozen-graph optimisations (batch norm
// folded into the convolution before it, constant folding) — what a deployment loads. Python's
// torch.jit.load runs it; it cannot be trained any more (it has no parameters).
namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor::host {

/// A frozen, optimised copy of `scripted`, which is left as it is.
torch::jit::Module inference_module(const torch::jit::Module& scripted);

/// Largest output difference accepted between the inference file and the plain export: folding batch
/// norm into the convolution reorders floating-point operations.
inline constexpr double kMaxInferenceDiff = 1e-4;

}  // namespace razor::host
