// FakeQuantModel::int8_module: the int8 TorchScript module. Its forward is a graph built from the plan:
// the input quantized with its point's scale, each conv/linear/add/cat step one quantized:: operator
// (weights quantized per channel with their points' scales, batch norm folded in, prepacked for the
// engine and held as attributes), data movement and pools run on the quantized tensors as traced,
// float steps between a dequantize and a quantize, and the output dequantized.
#include <unordered_map>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <fmt/format.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/shape_analysis.h>

#include "engine.h"
#include "fake_quant_model.h"
#include "razor/errors.h"

namespace razor::quantization {
namespace {

using torch::jit::Graph;
using torch::jit::Node;
using torch::jit::NamedValue;
using torch::jit::Value;
namespace prim = c10::prim;

constexpr std::int64_t kQUInt8 = 13;  // c10::ScalarType::QUInt8, as TorchScript writes a dtype

c10::IValue call_op(const char* name, torch::jit::Stack stack) {
  const auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
  op.callBoxed(&stack);
  return stack.at(0);
}

c10::Symbol op(const char* name) { return c10::Symbol::fromQualString(name); }

class Int8Builder {
 public:
  Int8Builder(const FakeQuantModel& model, torch::jit::Module& out)
      : model_(model), plan_(model.plan()), out_(out), graph_(std::make_shared<Graph>()) {}

  std::shared_ptr<Graph> build() {
    // Attributes first: the graph's GetAttr nodes read them from the finished class type.
    std::vector<c10::IValue> packed;
    for (const Step& step : plan_.steps) {
      if (step.weight_point < 0) continue;
      packed.push_back(pack(step));
      out_.register_attribute(fmt::format("packed_{}", packed.size() - 1), packed.back().type(), packed.back());
    }
    self_ = graph_->addInput("self");
    self_->setType(out_.type());
    Value* x = graph_->addInput("x");
    x->setType(c10::TensorType::get());
    const auto& old_inputs = plan_.graph->inputs();
    quantized_[old_inputs[1]] = quantize(x, 0);
    for (const Step& step : plan_.steps) emit(step);
    graph_->registerOutput(as_float(plan_.graph->outputs()[0]));
    torch::jit::EliminateDeadCode(graph_);
    torch::jit::EraseShapeInformation(graph_);
    return graph_;
  }

 private:
  std::pair<double, std::int64_t> qparams_of(std::int64_t point) const {
    const auto& p = model_.activation(point);
    return {p.scale().item<double>(), p.zero_point().item<std::int64_t>()};
  }

  Value* quantize(Value* v, std::int64_t point) {
    const auto [scale, zero_point] = qparams_of(point);
    return graph_->insert(c10::aten::quantize_per_tensor, {v, scale, zero_point, kQUInt8});
  }

  c10::IValue pack(const Step& step) {
    auto [w, b] = model_.folded(step);
    const auto& point = model_.weight(step.weight_point);
    w = w.detach().to(at::kCPU, at::kFloat).contiguous();
    const at::Tensor scale = point.scale().to(at::kDouble).cpu(), zero = point.zero_point().cpu();
    const at::Tensor qw = point.per_channel() ? at::quantize_per_channel(w, scale, zero, 0, at::kQInt8)
                                              : at::quantize_per_tensor(w, scale.item<double>(), 0, at::kQInt8);
    c10::optional<at::Tensor> bias;
    if (b.defined()) bias = b.detach().to(at::kCPU, at::kFloat).contiguous();
    if (step.kind == StepKind::linear) return call_op("quantized::linear_prepack", {qw, bias});
    const ConvArgs& c = step.conv;
    return call_op("quantized::conv2d_prepack", {qw, bias, c10::List<std::int64_t>(c.stride),
                                                 c10::List<std::int64_t>(c.padding), c10::List<std::int64_t>(c.dilation),
                                                 c.groups});
  }

  // The quantized form of an old value: made where it was produced, or quantized now (a float value
  // a pattern needs quantized).
  Value* as_quantized(const Value* v) {
    if (auto it = quantized_.find(v); it != quantized_.end()) return it->second;
    Value* q = quantize(as_float(v), plan_.source.at(v));
    quantized_[v] = q;
    return q;
  }

  // The float form: as computed, or the quantized one dequantized (what the simulation computes).
  Value* as_float(const Value* v) {
    if (auto it = float_.find(v); it != float_.end()) return it->second;
    if (auto it = quantized_.find(v); it != quantized_.end()) {
      Value* f = graph_->insert(c10::aten::dequantize, {it->second});
      float_[v] = f;
      return f;
    }
    return constant(v);
  }

  // How a plain step reads a value: as it was produced (quantized or float).
  Value* as_produced(const Value* v) {
    if (auto it = quantized_.find(v); it != quantized_.end()) return it->second;
    return as_float(v);
  }

  // A tensor read from the model (a parameter used by a float step) becomes a constant of the graph;
  // so does a constant needed before its own node is copied.
  Value* constant(const Value* v) {
    if (v->node()->kind() == prim::Constant) {  // read before its node was copied (a fused clamp's bounds)
      Value* c = graph_->insertConstant(*torch::jit::toIValue(v));
      float_[v] = c;
      return c;
    }
    if (const at::Tensor t = traced_tensor(model_.traced(), v); t.defined()) {
      Value* c = graph_->insertConstant(t.detach().cpu().clone());
      float_[v] = c;
      return c;
    }
    throw Error(fmt::format("int8 export: the traced graph uses a {} the int8 module cannot hold (from {})",
                            v->type()->str(), v->node()->kind().toQualString()));
  }

  Node* clone(const Node* n, const std::function<Value*(const Value*)>& input) {
    Node* c = graph_->createClone(const_cast<Node*>(n), [&](Value* v) { return input(v); });
    graph_->insertNode(c);
    return c;
  }

  void emit(const Step& step) {
    const Node* n = step.node;
    switch (step.kind) {
      case StepKind::fused:
        return;
      case StepKind::conv:
      case StepKind::linear: {
        Value* packed = graph_->insertGetAttr(self_, fmt::format("packed_{}", next_packed_++));
        const auto [scale, zero_point] = qparams_of(step.points[0]);
        const char* name = step.kind == StepKind::conv ? (step.relu ? "quantized::conv2d_relu" : "quantized::conv2d")
                                                       : (step.relu ? "quantized::linear_relu" : "quantized::linear");
        quantized_[step.output] = clamped(step, graph_->insert(op(name), {as_quantized(step.input), packed, scale, zero_point}));
        return;
      }
      case StepKind::add: {
        const auto [scale, zero_point] = qparams_of(step.points[0]);
        quantized_[step.output] = clamped(step, graph_->insert(op(step.relu ? "quantized::add_relu" : "quantized::add"),
                                                 {as_quantized(n->input(0)), as_quantized(n->input(1)), scale, zero_point}));
        return;
      }
      case StepKind::cat: {
        std::vector<Value*> parts;
        for (const Value* v : n->input(0)->node()->inputs()) parts.push_back(as_quantized(v));
        Value* list = graph_->insertNode(graph_->createList(c10::TensorType::get(), parts))->output();
        const auto [scale, zero_point] = qparams_of(step.points[0]);
        const auto dim = torch::jit::toIValue(n->input(1))->toInt();
        quantized_[step.output] = graph_->insert(op("quantized::cat"), {list, dim, scale, zero_point});
        return;
      }
      case StepKind::keep:
      case StepKind::requant: {
        Node* c = clone(n, [&](const Value* v) { return v == n->input(0) ? as_quantized(v) : as_produced(v); });
        quantized_[step.output] = c->output();
        return;
      }
      case StepKind::float_op: {
        Node* c = clone(n, [&](const Value* v) { return float_input(v); });
        std::size_t p = 0;
        for (std::size_t k = 0; k < n->outputs().size(); ++k) {
          if (n->output(k)->type()->kind() == c10::TypeKind::TensorType) {
            quantized_[n->output(k)] = quantize(c->output(k), step.points[p++]);
          } else {
            float_[n->output(k)] = c->output(k);
          }
        }
        return;
      }
      case StepKind::plain: {
        if (n->kind() == prim::GetAttr) return;  // read when used: a tensor becomes a constant
        if (n->kind() == prim::ListUnpack && quantized_.count(n->input())) {
          Node* c = clone(n, [&](const Value* v) { return as_produced(v); });
          for (std::size_t k = 0; k < n->outputs().size(); ++k) quantized_[n->output(k)] = c->output(k);
          return;
        }
        Node* c = clone(n, [&](const Value* v) { return as_produced(v); });
        for (std::size_t k = 0; k < n->outputs().size(); ++k) float_[n->output(k)] = c->output(k);
        return;
      }
    }
  }

  // A step's output with its clamp (as traced) on the quantized tensor: exact, the scale kept.
  Value* clamped(const Step& step, Value* q) {
    if (!step.clamp) return q;
    const Node* c = step.clamp;
    return clone(c, [&](const Value* v) { return v == c->input(0) ? q : as_produced(v); })->output();
  }

  // A float step's input: float; a list of quantized tensors is rebuilt of their float forms.
  Value* float_input(const Value* v) {
    const Node* list = v->node();
    if (list->kind() == prim::ListConstruct &&
        std::any_of(list->inputs().begin(), list->inputs().end(), [&](const Value* e) { return quantized_.count(e) > 0; })) {
      std::vector<Value*> items;
      for (const Value* e : list->inputs()) items.push_back(as_float(e));
      return graph_->insertNode(graph_->createList(v->type()->containedType(0), items))->output();
    }
    return as_float(v);
  }

  const FakeQuantModel& model_;
  const QuantPlan& plan_;
  torch::jit::Module& out_;
  std::shared_ptr<Graph> graph_;
  Value* self_ = nullptr;
  std::unordered_map<const Value*, Value*> quantized_, float_;
  std::size_t next_packed_ = 0;
};

}  // namespace

torch::jit::Module FakeQuantModel::int8_module() const {
  use_engine(engine_);
  for (std::size_t i = 0; i < activation_points_.size(); ++i) {
    if (!activation_points_[i]->ready())
      throw Error(fmt::format("int8 export: '{}' has no scale yet (calibrate, or train with observers)",
                              plan_.activations[i].name));
  }
  c10::NoGradGuard no_grad;
  auto unit = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module out(c10::QualifiedName("__torch__.razor.Int8Model"), unit, /*shouldMangle=*/true);
  out.register_attribute("training", c10::BoolType::get(), false);
  auto graph = Int8Builder(*this, out).build();
  auto* forward = unit->create_function(c10::QualifiedName(*out.type()->name(), "forward"), graph);
  out.type()->addMethod(forward);
  out.eval();
  return out;
}

}  // namespace razor::quantization
