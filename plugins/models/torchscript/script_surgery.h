#pragma once
/// Edits of a loaded TorchScript module that the `torchscript` architecture needs (see
/// tools/probes/jit-surgery/FINDINGS.md for what LibTorch 1.13 allows and why these are done this way).
/// Submodules whose constants are equal share one class type, and so one graph per method: every edit
/// here is per type and keeps what each instance holds in its own attributes.
#include <cstdint>
#include <string>

#include <torch/csrc/jit/api/module.h>

namespace razor::models::script_surgery {

/// The attribute a grouped convolution reads its groups from once expose_groups() has run.
inline constexpr const char* kGroups = "_razor_groups";
/// The attribute (Optional[Tensor]) a tapped module's forward stores its output in (add_tap).
inline constexpr const char* kTap = "_razor_tap";

/// Whether `module` is torch.nn's class `name` ("Conv2d", "BatchNorm2d", "Linear"), scripted or traced.
bool is_torch_nn(const torch::jit::Module& module, const std::string& name);

/// Makes each grouped convolution of `root` read its groups from its attribute kGroups instead of a
/// graph constant, so that slicing a depthwise convolution can change them between calls. Call it
/// before the module first runs (the graph executors cache what they ran).
void expose_groups(torch::jit::Module& root);

/// Whether `module`'s forward returns one tensor (what a tap can carry).
bool returns_tensor(const torch::jit::Module& module);

/// Makes `module`'s forward store its output in its attribute kTap (the type's other instances store
/// theirs too). Call refresh() before the next run.
void add_tap(torch::jit::Module& module);

/// Gives every method of every class in `root` a new function with the same graph: the executors made
/// before an edit of the graphs are dropped.
void refresh(const torch::jit::Module& root);

/// A copy of `root` with a class type of its own per instance (so per-instance sizes can be written
/// as class constants), copied tensors (requires_grad kept), razor's attributes folded back (groups
/// become constants again, taps are dropped), and torch.nn's size constants (in_channels, groups,
/// num_features, in_features, ...) set from the tensors' shapes: what Python reads back is consistent.
torch::jit::Module independent_copy(const torch::jit::Module& root);

}  // namespace razor::models::script_surgery
