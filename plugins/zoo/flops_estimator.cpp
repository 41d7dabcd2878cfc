#include "flops_estimator.h"

#include <unordered_map>
#include <unordered_set>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace razor::zoo {
namespace {

using torch::autograd::Node;

struct Owner {
  torch::nn::Module* module;
  bool is_weight;
};

// The parameter an edge leads to: directly (AccumulateGrad) or through Linear's transpose of its weight.
const at::Tensor* parameter_of(const torch::autograd::Edge& edge) {
  Node* fn = edge.function.get();
  if (fn && fn->num_outputs() == 1 && fn->name() == "TBackward0") fn = fn->next_edges()[0].function.get();
  if (auto* acc = dynamic_cast<torch::autograd::AccumulateGrad*>(fn)) return &acc->variable;
  return nullptr;
}

double op_flops(torch::nn::Module& m, double out) {
  if (auto* conv = m.as<torch::nn::Conv2d>()) {
    return out * static_cast<double>(conv->weight[0].numel()) + (conv->options.bias() ? out : 0.0);
  }
  if (auto* fc = m.as<torch::nn::Linear>()) {
    return out * static_cast<double>(fc->options.in_features()) + (fc->options.bias() ? out : 0.0);
  }
  if (auto* bn = m.as<torch::nn::BatchNorm2d>()) return bn->options.affine() ? 2.0 * out : 0.0;
  return 0.0;
}

// Restores training mode and requires_grad flags however estimate() leaves.
struct ModelStateGuard {
  razor::Model& model;
  bool training;
  std::vector<std::pair<at::Tensor, bool>> flags;
  explicit ModelStateGuard(razor::Model& m) : model(m), training(m.is_training()) {
    for (auto& p : m.parameters()) {
      flags.emplace_back(p, p.requires_grad());
      p.requires_grad_(true);
    }
    m.eval();
  }
  ~ModelStateGuard() {
    model.train(training);
    for (auto& [p, flag] : flags) p.requires_grad_(flag);
  }
};

}  // namespace

razor::Costs FlopsEstimator::estimate(razor::Model& model, const std::vector<std::int64_t>& input_shape) {
  ModelStateGuard guard(model);
  std::unordered_map<const c10::TensorImpl*, Owner> owners;
  // The model itself may live on the stack, so it is not asked for a shared_ptr to itself.
  std::vector<torch::nn::Module*> modules{&model};
  for (auto& m : model.modules(/*include_self=*/false)) modules.push_back(m.get());
  for (auto* module : modules) {
    for (auto& p : module->named_parameters(/*recurse=*/false)) {
      owners[p.value().unsafeGetTensorImpl()] = {module, p.key() == "weight"};
    }
  }

  c10::AutoGradMode grad(true);
  const auto device = model.parameters().empty() ? at::kCPU : model.parameters().front().device();
  at::Tensor input = at::zeros(input_shape, at::TensorOptions().device(device)).requires_grad_(true);
  at::Tensor output = model.forward(input);

  double flops = 0, params = 0;
  std::unordered_set<const c10::TensorImpl*> used;
  std::unordered_set<Node*> visited;
  std::vector<Node*> stack;
  if (output.grad_fn()) stack.push_back(output.grad_fn().get());
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    if (!visited.insert(node).second) continue;
    // Linear's weight reaches its matmul through a transpose; count at the matmul only.
    const bool transpose = node->name() == "TBackward0";
    for (const auto& edge : node->next_edges()) {
      if (!edge.function) continue;
      stack.push_back(edge.function.get());
      const at::Tensor* p = parameter_of(edge);
      if (!p || transpose) continue;
      auto it = owners.find(p->unsafeGetTensorImpl());
      if (it == owners.end()) continue;
      if (used.insert(p->unsafeGetTensorImpl()).second) params += static_cast<double>(p->numel());
      // The node that consumes a module's weight is that module's operation; its output shape is
      // the shape of the gradient it receives.
      if (it->second.is_weight) {
        flops += op_flops(*it->second.module, static_cast<double>(node->input_metadata(0).zeros_like().numel()));
      }
    }
  }
  return {{"flops", flops}, {"params", params}};
}

}  // namespace razor::zoo
