#pragma once
// QuantPlan: how each node of a model's traced forward runs once the model is quantized. Made from
// the live trace (razor::trace_live: the graph reads the model's own tensors), it finds the patterns
// int8 kernels compute in one call, and which values are quantized and with which scale:
//   conv     conv2d [+ batch_norm] [+ relu or a clamp (relu6, hardtanh)] -> quantized::conv2d(_relu)
//            (+ the clamp), batch norm folded in
//   linear   linear [+ relu or clamp]        -> quantized::linear(_relu) (+ the clamp)
//   add      add [+ relu or clamp] of two quantized -> quantized::add(_relu), its own output scale
//   cat      cat of quantized tensors        -> quantized::cat, its own output scale
//   keep     data movement and relu on a quantized tensor (max_pool2d, flatten, view, ...): the
//            input's scale, exact
//   requant  average pools, mean, hardtanh: the input's scale, values rounded to it again
//   float    anything else with a quantized input and a tensor output: computed in float on the
//            dequantized input, its outputs quantized with scales of their own
//   plain    constants, attribute reads, lists, sizes, and float work on float values
// A value is quantized at the input, at each step's output, and, when a pattern needs a float value
// quantized, where it is first needed.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

namespace razor::quantization {

enum class StepKind { plain, conv, linear, add, cat, keep, requant, float_op, fused };

struct ConvArgs {
  std::vector<std::int64_t> stride, padding, dilation;
  std::int64_t groups = 1;
};

struct Step {
  StepKind kind = StepKind::plain;
  torch::jit::Node* node = nullptr;   // the first node of the step
  torch::jit::Value* output = nullptr;  // what it produces (after a fused batch norm and relu)
  torch::jit::Value* input = nullptr;   // conv and linear: the activation they take
  bool relu = false;
  // A clamp that follows (hardtanh, relu6: ReLU6 in MobileNets): applied before the output is observed,
  // so the output's range is the clamped one; the int8 module clamps the quantized output as traced.
  torch::jit::Node* clamp = nullptr;
  double clamp_min = 0, clamp_max = 6;
  // conv and linear: the model's live tensors (undefined where absent) and the weight's point.
  at::Tensor weight, bias;
  at::Tensor bn_weight, bn_bias, bn_mean, bn_var;
  double bn_eps = 1e-5, bn_momentum = 0.1;
  bool has_bn = false;
  ConvArgs conv;
  std::string module;                 // "layer1.0.conv1": where the weight lives, for names
  std::int64_t weight_point = -1;
  std::vector<std::int64_t> points;   // activation points its outputs get (conv...cat: one; float: each)
  std::vector<torch::jit::Value*> quantize_first;  // float values a pattern needs quantized, in order
};

struct ActivationPoint {
  std::string name;  // "input", "layer1.0.conv1", "add", "float aten::sigmoid", ...
};

struct QuantPlan {
  std::shared_ptr<torch::jit::Graph> graph;
  std::vector<Step> steps;
  std::vector<ActivationPoint> activations;  // 0: the input
  std::int64_t weights = 0;                  // weight points (conv and linear steps)
  /// The point each quantized value's scale comes from.
  std::unordered_map<const torch::jit::Value*, std::int64_t> source;
  /// Op names computed in float between int8 kernels, with their counts ("aten::sigmoid x2").
  std::vector<std::string> float_ops;
};

/// The model's tensor a value of the traced graph reads (a chain of attribute reads from the graph's
/// `self`), or undefined when it is not one.
at::Tensor traced_tensor(const torch::jit::Module& traced, const torch::jit::Value* v);

/// Plans the quantization of `traced` (razor::trace_live of the model). Throws razor::Error for a
/// graph it cannot run (a forward that returns no tensor).
QuantPlan plan_quantization(const torch::jit::Module& traced);

}  // namespace razor::quantization
