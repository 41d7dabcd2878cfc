#include "fake_quant_model.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <torch/csrc/jit/ir/constants.h>

#include "razor/errors.h"
#include "razor/torchscript_export.h"

namespace razor::quantization {
namespace {

namespace prim = c10::prim;
using torch::jit::Node;
using torch::jit::Value;

bool runs_node(StepKind kind) {
  return kind == StepKind::plain || kind == StepKind::keep || kind == StepKind::requant || kind == StepKind::float_op;
}

// Nodes the interpreter evaluates itself (the JIT runs them as instructions, not operators).
bool structural(const Node* n) {
  const auto k = n->kind();
  return k == prim::Constant || k == prim::GetAttr || k == prim::ListConstruct || k == prim::ListUnpack ||
         k == prim::TupleConstruct || k == prim::TupleUnpack;
}

// A convolution weight's per-output-channel factor: [O] -> [O, 1, 1, 1].
at::Tensor per_output_channel(const at::Tensor& t) { return t.reshape({-1, 1, 1, 1}); }

}  // namespace

// The trace was taken in eval mode: a batch norm that is not folded into a convolution, and dropout,
// have their training flag as a constant false. In training (QAT) they train as in the float model.
void FakeQuantModel::train_mode_of_traced_op(const Node* n, torch::jit::Stack& stack) const {
  if (!is_training() || calibrating_) return;
  if (n->kind() == c10::aten::batch_norm && !batch_norm_frozen()) stack.at(5) = true;
  if (n->kind() == c10::aten::dropout || n->kind() == c10::aten::feature_dropout) stack.at(2) = true;
}

FakeQuantModel::FakeQuantModel(const FakeQuantSetup& setup) : model_(setup.model), engine_(setup.engine) {
  register_module("architecture", model_);
  taps_ = register_module("taps", Taps(std::vector<std::string>{"output"}));
  traced_ = trace_live(*model_, at::zeros(setup.input_shape));
  plan_ = plan_quantization(traced_);
  auto activations = register_module("activation_quant", torch::nn::ModuleList());
  auto weights = register_module("weight_quant", torch::nn::ModuleList());
  const QuantRange act_range = activation_range(setup.reduce_range);
  for (std::size_t i = 0; i < plan_.activations.size(); ++i) {
    activation_points_.push_back(FakeQuantize(setup.activation_observer(), act_range, 0, setup.learnable_scales));
    activations->push_back(activation_points_.back());
  }
  for (const Step& step : plan_.steps) {
    if (step.weight_point < 0) continue;
    FakeQuantize point(setup.weight_observer(), weight_range(), step.weight.size(0), setup.learnable_scales);
    // Weights are known now: their observers see them once, so per-channel state has its final shape.
    point->observer().observe(folded(step).first);
    weight_points_.push_back(point);
    weights->push_back(point);
  }
  observing_ = register_buffer("observing", at::ones({}, at::kLong));
  bn_frozen_ = register_buffer("batch_norm_frozen", at::zeros({}, at::kLong));
  std::size_t next = 0;
  for (const Value* v : plan_.graph->inputs()) slot_[v] = next++;
  for (const Node* n : plan_.graph->nodes())
    for (const Value* v : n->outputs()) slot_[v] = next++;
  for (const Step& step : plan_.steps)
    ops_.push_back(runs_node(step.kind) && !structural(step.node) ? std::optional(step.node->getOperation()) : std::nullopt);
  train(is_training());
}

std::pair<at::Tensor, at::Tensor> FakeQuantModel::folded(const Step& step) const {
  at::Tensor w = step.weight, b = step.bias;
  if (!step.has_bn) return {w, b};
  const at::Tensor factor = step.bn_weight / at::sqrt(step.bn_var + step.bn_eps);
  const at::Tensor bias = b.defined() ? b : at::zeros_like(step.bn_mean);
  return {w * per_output_channel(factor), (bias - step.bn_mean) * factor + step.bn_bias};
}

void FakeQuantModel::set_points(bool observe, bool quantize) {
  for (auto& p : activation_points_) p->set_observing(observe), p->set_quantizing(quantize);
  for (auto& p : weight_points_) p->set_observing(observe), p->set_quantizing(quantize);
}

void FakeQuantModel::train(bool on) {
  Model::train(on);
  if (calibrating_ || activation_points_.empty()) return;
  set_points(on && observing_.item<std::int64_t>() != 0, true);
}

void FakeQuantModel::set_observing(bool on) {
  observing_.fill_(on ? 1 : 0);
  train(is_training());
}

void FakeQuantModel::freeze_batch_norm(bool on) { bn_frozen_.fill_(on ? 1 : 0); }

bool FakeQuantModel::batch_norm_frozen() const { return bn_frozen_.item<std::int64_t>() != 0; }

void FakeQuantModel::begin_calibration() {
  calibrating_ = true;
  Model::train(false);
  set_points(true, false);
}

void FakeQuantModel::calibrate(const at::Tensor& images) {
  c10::NoGradGuard no_grad;
  forward(images);
}

void FakeQuantModel::end_calibration() {
  calibrating_ = false;
  for (std::size_t i = 0; i < activation_points_.size(); ++i) {
    if (!activation_points_[i]->observer().observed())
      throw Error(fmt::format("calibration saw no values at '{}': no images were calibrated on",
                              plan_.activations[i].name));
    activation_points_[i]->update_qparams();
  }
  for (auto& p : weight_points_) p->update_qparams();
  train(is_training());
}

at::Tensor FakeQuantModel::run_conv(const Step& step, const at::Tensor& x) {
  const ConvArgs& c = step.conv;
  FakeQuantizeImpl& wq = *weight_points_[static_cast<std::size_t>(step.weight_point)];
  if (step.has_bn && is_training() && !batch_norm_frozen() && !calibrating_) {
    // QAT with live batch norm: round the weight as it will be folded, then undo the scale and let
    // batch norm normalise with the batch's statistics (and update its running ones).
    const at::Tensor factor = step.bn_weight / at::sqrt(step.bn_var + step.bn_eps);
    at::Tensor y = at::conv2d(x, wq.forward(step.weight * per_output_channel(factor)), {}, c.stride, c.padding,
                              c.dilation, c.groups);
    y = y / factor.reshape({1, -1, 1, 1});
    if (step.bias.defined()) y = y + step.bias.reshape({1, -1, 1, 1});
    return at::batch_norm(y, step.bn_weight, step.bn_bias, step.bn_mean, step.bn_var, /*training=*/true,
                          step.bn_momentum, step.bn_eps, /*cudnn_enabled=*/true);
  }
  auto [w, b] = folded(step);
  return at::conv2d(x, wq.forward(w), b, c.stride, c.padding, c.dilation, c.groups);
}

at::Tensor FakeQuantModel::forward(const at::Tensor& x) {
  const auto& graph = *plan_.graph;
  std::vector<c10::IValue> env(slot_.size());
  const auto get = [&](const Value* v) -> c10::IValue& { return env[slot_.at(v)]; };
  const auto tensor = [&](const Value* v) { return get(v).toTensor(); };
  get(graph.inputs()[0]) = traced_._ivalue();
  get(graph.inputs()[1]) = activation_points_[0]->forward(x);
  std::unordered_map<const Value*, at::Tensor> late;  // float values quantized for a pattern
  const auto quantized_input = [&](const Step& step, const Value* v) {
    if (std::find(step.quantize_first.begin(), step.quantize_first.end(), v) == step.quantize_first.end())
      return tensor(v);
    auto it = late.find(v);
    if (it == late.end()) it = late.emplace(v, activation_points_[plan_.source.at(v)]->forward(tensor(v))).first;
    return it->second;
  };
  torch::jit::Stack stack;
  for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
    const Step& step = plan_.steps[i];
    const Node* n = step.node;
    switch (step.kind) {
      case StepKind::fused:
        break;
      case StepKind::conv:
      case StepKind::linear: {
        at::Tensor y = step.kind == StepKind::conv
                           ? run_conv(step, tensor(step.input))
                           : at::linear(tensor(step.input),
                                        weight_points_[static_cast<std::size_t>(step.weight_point)]->forward(step.weight),
                                        step.bias);
        if (step.relu) y = at::relu(y);
        if (step.clamp) y = at::hardtanh(y, step.clamp_min, step.clamp_max);
        get(step.output) = activation_points_[step.points[0]]->forward(y);
        break;
      }
      case StepKind::add: {
        at::Tensor y = quantized_input(step, n->input(0)) + quantized_input(step, n->input(1));
        if (step.relu) y = at::relu(y);
        if (step.clamp) y = at::hardtanh(y, step.clamp_min, step.clamp_max);
        get(step.output) = activation_points_[step.points[0]]->forward(y);
        break;
      }
      case StepKind::cat: {
        std::vector<at::Tensor> parts;
        for (const Value* v : n->input(0)->node()->inputs()) parts.push_back(quantized_input(step, v));
        const auto dim = torch::jit::toIValue(n->input(1))->toInt();
        get(step.output) = activation_points_[step.points[0]]->forward(at::cat(parts, dim));
        break;
      }
      default: {
        if (n->kind() == prim::Constant) {
          get(n->output()) = *torch::jit::toIValue(n->output());
        } else if (n->kind() == prim::GetAttr) {
          get(n->output()) = get(n->input()).toObject()->getAttr(n->s(c10::attr::name));
        } else if (n->kind() == prim::ListConstruct) {
          c10::impl::GenericList list(n->output()->type()->containedType(0));
          for (const Value* v : n->inputs()) list.push_back(get(v));
          get(n->output()) = c10::IValue(std::move(list));
        } else if (n->kind() == prim::TupleConstruct) {
          std::vector<c10::IValue> items;
          for (const Value* v : n->inputs()) items.push_back(get(v));
          get(n->output()) = c10::ivalue::Tuple::create(std::move(items));
        } else if (n->kind() == prim::ListUnpack || n->kind() == prim::TupleUnpack) {
          const c10::IValue whole = get(n->input());
          const auto items = whole.isList() ? whole.toListRef().vec() : whole.toTupleRef().elements().vec();
          if (items.size() != n->outputs().size())
            throw Error(fmt::format("quantization: a traced unpack expected {} items, got {}", n->outputs().size(), items.size()));
          for (std::size_t k = 0; k < items.size(); ++k) get(n->output(k)) = items[k];
        } else {
          stack.clear();
          for (const Value* v : n->inputs()) stack.push_back(get(v));
          train_mode_of_traced_op(n, stack);
          (*ops_[i])(stack);
          for (std::size_t k = 0; k < n->outputs().size(); ++k) get(n->output(k)) = std::move(stack[k]);
        }
        if (step.kind == StepKind::requant) {
          get(step.output) = activation_points_[plan_.source.at(step.output)]->requantize(tensor(step.output));
        } else if (step.kind == StepKind::float_op) {
          std::size_t p = 0;
          for (const Value* out : n->outputs())
            if (out->type()->kind() == c10::TypeKind::TensorType)
              get(out) = activation_points_[step.points[p++]]->forward(tensor(out));
        }
      }
    }
  }
  return taps_->record("output", tensor(graph.outputs()[0]));
}

}  // namespace razor::quantization
