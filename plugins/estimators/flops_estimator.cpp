#include "flops_estimator.h"

#include "razor/int8_exportable.h"
#include "razor/module_type_name.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace razor::estimators {
namespace {

using torch::autograd::Edge;
using torch::autograd::Node;

enum class Kind { other, conv, linear, batchnorm };

// What a parameter is to the module that registered it.
struct Owner {
  Kind kind;
  bool is_weight;
  bool is_bias;
  std::size_t module;  // index into the tally
};

// One module's count.
struct Tally {
  std::string path, type;
  double flops = 0;
  std::unordered_map<const c10::TensorImpl*, std::int64_t> used;  // elements used of each parameter
};

double params_of(const Tally& t) {
  double n = 0;
  for (const auto& [impl, used] : t.used) n += static_cast<double>(used);
  return n;
}

// By class, or by class name for a module that stands for another library's (a scripted
// module's Conv2d, see models/torchscript).
Kind kind_of(torch::nn::Module& m) {
  if (m.as<torch::nn::Conv1d>() || m.as<torch::nn::Conv2d>() || m.as<torch::nn::Conv3d>()) return Kind::conv;
  if (m.as<torch::nn::Linear>()) return Kind::linear;
  if (m.as<torch::nn::BatchNorm1d>() || m.as<torch::nn::BatchNorm2d>() || m.as<torch::nn::BatchNorm3d>()) {
    return Kind::batchnorm;
  }
  const std::string type = razor::module_type_name(m);
  if (type == "Conv1d" || type == "Conv2d" || type == "Conv3d") return Kind::conv;
  if (type == "Linear") return Kind::linear;
  if (type == "BatchNorm1d" || type == "BatchNorm2d" || type == "BatchNorm3d") return Kind::batchnorm;
  return Kind::other;
}

// Sizes of the tensor that fed input `nr` of `node` (for an op node, input 0 is its forward output).
// InputMetadata's shape accessor is private in LibTorch 1.13 and public in 2.x; zeros_like() is
// public in both, so it is used even though it allocates.
std::vector<std::int64_t> sizes_of(const Node& node, std::uint32_t nr) {
  return node.input_metadata(nr).zeros_like().sizes().vec();
}

std::int64_t numel(const std::vector<std::int64_t>& sizes) {
  std::int64_t n = 1;
  for (auto s : sizes) n *= s;
  return n;
}

// The single differentiable input of `node`, or nullptr if it has none or several.
const Edge* only_input(const Node& node) {
  const Edge* only = nullptr;
  for (const auto& e : node.next_edges()) {
    if (!e.function) continue;
    if (only) return nullptr;
    only = &e;
  }
  return only;
}

// The parameter an edge leads to, directly (AccumulateGrad) or through the chain of one-input nodes
// a weight may pass before its operation: Linear's transpose, a supernet's slice of a shared weight,
// a pruning mask product. nullptr when the edge leads to an activation.
const at::Tensor* parameter_of(const Edge& edge) {
  Node* fn = edge.function.get();
  for (int depth = 0; fn && depth < 16; ++depth) {
    if (auto* acc = dynamic_cast<torch::autograd::AccumulateGrad*>(fn)) return &acc->variable;
    const Edge* next = only_input(*fn);
    if (!next) return nullptr;
    fn = next->function.get();
  }
  return nullptr;
}

// Restores training mode and requires_grad flags however estimate() leaves.
struct ModelStateGuard {
  razor::Model& model;
  bool training;
  std::vector<std::pair<at::Tensor, bool>> flags;
  explicit ModelStateGuard(razor::Model& m) : model(m), training(m.is_training()) {
    for (auto& p : m.parameters()) {
      flags.emplace_back(p, p.requires_grad());
      p.requires_grad_(true);  // frozen parameters must still show up as AccumulateGrad nodes
    }
    m.eval();
  }
  ~ModelStateGuard() {
    model.train(training);
    for (auto& [p, flag] : flags) p.requires_grad_(flag);
  }
};

// Every module's flops and parameters used, in module order (the model itself first, path "").
std::vector<Tally> count(razor::Model& model, const std::vector<std::int64_t>& input_shape) {
  ModelStateGuard guard(model);
  std::unordered_map<const c10::TensorImpl*, Owner> owners;
  // The model itself may live on the stack, so it is not asked for a shared_ptr to itself
  // (named_modules() with include_self would need one).
  std::vector<std::pair<std::string, torch::nn::Module*>> modules{{"", &model}};
  for (auto& m : model.named_modules("", /*include_self=*/false)) modules.emplace_back(m.key(), m.value().get());
  std::vector<Tally> tally;
  for (auto& [path, module] : modules) {
    const Kind kind = kind_of(*module);
    tally.push_back({path, razor::module_type_name(*module)});
    for (auto& p : module->named_parameters(/*recurse=*/false)) {
      owners[p.value().unsafeGetTensorImpl()] = {kind, p.key() == "weight", p.key() == "bias", tally.size() - 1};
    }
  }

  auto like = at::TensorOptions();
  if (const auto params = model.parameters(); !params.empty()) {
    like = like.device(params.front().device()).dtype(params.front().dtype());
  }
  c10::AutoGradMode grad(true);
  // The input requires grad so that every operation on activations has a differentiable activation
  // input; this is what tells an operation apart from a chain of views of a weight.
  at::Tensor input = at::zeros(input_shape, like).requires_grad_(true);
  at::Tensor output = model.forward(input);

  std::unordered_set<Node*> visited;
  std::vector<Node*> stack;
  if (output.grad_fn()) stack.push_back(output.grad_fn().get());
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    if (!visited.insert(node).second) continue;
    for (const auto& edge : node->next_edges()) {
      if (edge.function) stack.push_back(edge.function.get());
    }
    // A view of a weight (transpose, slice) is counted at the operation that consumes it.
    if (const Edge* only = only_input(*node); only && parameter_of(*only)) continue;

    std::vector<std::int64_t> out;  // this operation's output sizes, read once if needed
    for (const auto& edge : node->next_edges()) {
      const at::Tensor* p = parameter_of(edge);
      if (!p) continue;
      const auto it = owners.find(p->unsafeGetTensorImpl());
      if (it == owners.end()) continue;  // the input, or a tensor that is not a module parameter
      // The tensor as the operation received it: a slice of a shared weight counts as its slice.
      const Owner& owner = it->second;
      Tally& t = tally[owner.module];
      // Elements used of each parameter: the largest slice any operation took (the whole tensor normally).
      const auto taken = sizes_of(*edge.function, edge.input_nr);
      auto& n = t.used[p->unsafeGetTensorImpl()];
      n = std::max(n, std::min(numel(taken), p->numel()));

      if (owner.kind == Kind::other || !(owner.is_weight || owner.is_bias)) continue;
      if (out.empty()) out = sizes_of(*node, 0);
      const auto out_numel = static_cast<double>(numel(out));
      if (owner.kind == Kind::batchnorm) {
        if (owner.is_weight) t.flops += 2.0 * out_numel;  // scale and shift per element, when affine
      } else if (owner.is_bias) {
        t.flops += out_numel;
      } else {
        // Each output element takes weight.numel() / out_channels MACs: (Cin/groups)*kh*kw for a
        // convolution (channels in dim 1), in_features for a linear layer (features last).
        const auto channels = owner.kind == Kind::conv ? out.at(1) : out.back();
        t.flops += out_numel * static_cast<double>(numel(taken)) / static_cast<double>(channels);
      }
    }
  }
  return tally;
}

// A quantized model counts as the float model it simulates (razor::Int8Exportable).
razor::Model& counted(razor::Model& model) {
  auto* int8 = dynamic_cast<razor::Int8Exportable*>(&model);
  return int8 ? int8->float_model() : model;
}

}  // namespace

razor::Costs FlopsEstimator::estimate(razor::Model& model, const std::vector<std::int64_t>& input_shape) {
  double flops = 0, params = 0;
  for (const Tally& t : count(counted(model), input_shape)) {
    flops += t.flops;
    params += params_of(t);
  }
  return {{"flops", flops}, {"params", params}};
}

std::vector<razor::LayerCosts> FlopsEstimator::estimate_layers(razor::Model& model,
                                                               const std::vector<std::int64_t>& input_shape) {
  std::vector<razor::LayerCosts> layers;
  for (const Tally& t : count(counted(model), input_shape)) {
    if (t.used.empty()) continue;  // held no parameters the pass used
    layers.push_back({t.path.empty() ? "(model)" : t.path, t.type, {{"flops", t.flops}, {"params", params_of(t)}}});
  }
  return layers;
}

}  // namespace razor::estimators
