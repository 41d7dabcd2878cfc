#include "quant_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <torch/csrc/jit/ir/constants.h>

#include "razor/errors.h"

namespace razor::quantization {
namespace {

using torch::jit::Node;
using torch::jit::Value;
namespace aten = c10::aten;
namespace prim = c10::prim;

bool is(const Node* n, std::initializer_list<const char*> kinds) {
  const std::string kind = n->kind().toQualString();
  return std::any_of(kinds.begin(), kinds.end(), [&](const char* k) { return kind == k; });
}

// The attribute path `v` was read from ("layer1.0.conv1.weight"), or "" when it is not read from self.
std::string attribute_path(const Value* v) {
  std::vector<std::string> parts;
  const Node* n = v->node();
  while (n->kind() == prim::GetAttr) {
    parts.push_back(n->s(c10::attr::name));
    v = n->input();
    n = v->node();
  }
  if (n->kind() != prim::Param || parts.empty()) return "";
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += (path.empty() ? "" : ".") + *it;
  return path;
}

bool is_none(const Value* v) { return v->type()->kind() == c10::TypeKind::NoneType; }

// A constant int list: a constant, or (as traces write them) a list built of constants; else empty.
std::vector<std::int64_t> int_list(const Value* v) {
  if (const auto value = torch::jit::toIValue(v)) return value->isIntList() ? value->toIntVector() : std::vector<std::int64_t>{};
  if (v->node()->kind() != prim::ListConstruct) return {};
  std::vector<std::int64_t> out;
  for (const Value* item : v->node()->inputs()) {
    const auto value = torch::jit::toIValue(item);
    if (!value || !value->isInt()) return {};
    out.push_back(value->toInt());
  }
  return out;
}

bool constant_int_is(const Value* v, std::int64_t expected) {
  const auto value = torch::jit::toIValue(v);
  return value && value->isInt() && value->toInt() == expected;
}

std::string module_of(const std::string& path) { return path.substr(0, path.rfind('.')); }

// The single user of v when it has exactly one and it is one of `kinds` reading v as input 0.
Node* only_user(const Value* v, std::initializer_list<const char*> kinds) {
  if (v->uses().size() != 1) return nullptr;
  Node* user = v->uses()[0].user;
  return is(user, kinds) && user->input(0) == v ? user : nullptr;
}

bool has_tensor_output(const Node* n) {
  return std::any_of(n->outputs().begin(), n->outputs().end(),
                     [](const Value* v) { return v->type()->kind() == c10::TypeKind::TensorType; });
}

class Planner {
 public:
  explicit Planner(const torch::jit::Module& traced) : traced_(traced) {
    plan_.graph = traced.get_method("forward").graph();
  }

  QuantPlan run() {
    const auto& inputs = plan_.graph->inputs();
    if (inputs.size() != 2) throw Error("quantization: the traced forward takes other inputs than one image batch");
    point_for(inputs[1], "input");
    std::set<const Node*> fused;
    for (Node* n : plan_.graph->nodes()) {
      if (fused.count(n)) {
        plan_.steps.push_back({StepKind::fused, n});
        continue;
      }
      plan_.steps.push_back(step_for(n, fused));
    }
    for (const Value* out : plan_.graph->outputs()) {
      if (out->type()->kind() != c10::TypeKind::TensorType)
        throw Error("quantization: the traced forward returns a " + out->type()->str() + ", not a tensor");
    }
    for (const auto& [op, count] : float_counts_)
      plan_.float_ops.push_back(count > 1 ? fmt::format("{} x{}", op, count) : op);
    return std::move(plan_);
  }

 private:
  bool quantized(const Value* v) const { return plan_.source.count(v) > 0; }

  // Whether n reads a quantized tensor, directly or as an element of a list built for it.
  bool reads_quantized(const Node* n) const {
    return std::any_of(n->inputs().begin(), n->inputs().end(), [&](const Value* v) {
      if (quantized(v)) return true;
      const Node* list = v->node();
      return list->kind() == prim::ListConstruct &&
             std::any_of(list->inputs().begin(), list->inputs().end(), [&](const Value* e) { return quantized(e); });
    });
  }

  std::int64_t point_for(const Value* v, std::string name) {
    const auto index = static_cast<std::int64_t>(plan_.activations.size());
    plan_.activations.push_back({std::move(name)});
    plan_.source[v] = index;
    return index;
  }

  // A pattern's tensor input: quantized already, or quantized here (a point of its own).
  void need_quantized(Value* v, Step& step) {
    if (quantized(v)) return;
    point_for(v, "float input of " + std::string(step.node->kind().toQualString()));
    step.quantize_first.push_back(v);
  }

  // A parameter of the model (an attribute read of self), or undefined.
  at::Tensor parameter(const Value* v, std::string* path = nullptr) const {
    if (path) *path = attribute_path(v);
    return traced_tensor(traced_, v);
  }

  Step step_for(Node* n, std::set<const Node*>& fused) {
    Step step{StepKind::plain, n, n->outputs().empty() ? nullptr : n->output(0)};
    if (!reads_quantized(n) || !has_tensor_output(n)) return step;
    if (is(n, {"aten::conv2d", "aten::_convolution"}) && conv_step(n, step, fused)) return step;
    if (is(n, {"aten::linear", "aten::addmm"}) && linear_step(n, step, fused)) return step;
    if (is(n, {"aten::add", "aten::add_"}) && add_step(n, step, fused)) return step;
    if (is(n, {"aten::cat"}) && cat_step(n, step)) return step;
    if (n->outputs().size() == 1 && quantized(n->input(0))) {
      if (is(n, {"aten::relu", "aten::relu_", "aten::max_pool2d", "aten::flatten", "aten::view", "aten::reshape",
                 "aten::contiguous", "aten::transpose", "aten::permute", "aten::squeeze", "aten::unsqueeze",
                 "aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::clone", "aten::chunk",
                 "aten::split", "aten::detach"})) {
        step.kind = StepKind::keep;
        plan_.source[step.output] = plan_.source.at(n->input(0));
        return step;
      }
      if (is(n, {"aten::adaptive_avg_pool2d", "aten::avg_pool2d", "aten::mean", "aten::hardtanh", "aten::hardtanh_",
                 "aten::relu6", "aten::relu6_"})) {
        step.kind = StepKind::requant;
        plan_.source[step.output] = plan_.source.at(n->input(0));
        return step;
      }
    }
    if (n->kind() == prim::ListUnpack && quantized(n->input(0))) {  // the parts of a chunk or split
      for (const Value* out : n->outputs()) plan_.source[out] = plan_.source.at(n->input(0));
      return step;
    }
    step.kind = StepKind::float_op;
    const std::string op = n->kind().toQualString();
    ++float_counts_[op];
    for (const Value* out : n->outputs())
      if (out->type()->kind() == c10::TypeKind::TensorType) step.points.push_back(point_for(out, "float " + op));
    return step;
  }

  bool conv_step(Node* n, Step& step, std::set<const Node*>& fused) {
    std::string path;
    step.input = n->input(0);
    step.weight = parameter(n->input(1), &path);
    if (!step.weight.defined() || step.weight.dim() != 4 || !quantized(step.input)) return false;
    if (!is_none(n->input(2))) {
      step.bias = parameter(n->input(2));
      if (!step.bias.defined()) return false;
    }
    step.conv.stride = int_list(n->input(3));
    step.conv.padding = int_list(n->input(4));
    step.conv.dilation = int_list(n->input(5));
    std::size_t groups_input = 6;
    if (n->kind() == aten::_convolution) {
      const auto transposed = torch::jit::toIValue(n->input(6));
      if (!transposed || transposed->toBool()) return false;
      groups_input = 8;
    }
    const auto groups = torch::jit::toIValue(n->input(groups_input));
    if (!groups || step.conv.stride.size() != 2 || step.conv.padding.size() != 2 || step.conv.dilation.size() != 2)
      return false;  // a padding given as a string ("same") or a 1-d or 3-d form
    step.conv.groups = groups->toInt();
    step.kind = StepKind::conv;
    step.module = module_of(path);
    Value* out = n->output();
    if (Node* bn = only_user(out, {"aten::batch_norm"})) {
      const at::Tensor w = parameter(bn->input(1)), b = parameter(bn->input(2)), m = parameter(bn->input(3)),
                       v = parameter(bn->input(4));
      const auto momentum = torch::jit::toIValue(bn->input(6)), eps = torch::jit::toIValue(bn->input(7));
      if (w.defined() && b.defined() && m.defined() && v.defined() && momentum && eps) {
        step.has_bn = true;
        step.bn_weight = w, step.bn_bias = b, step.bn_mean = m, step.bn_var = v;
        step.bn_momentum = momentum->isNone() ? 0.1 : momentum->toDouble();
        step.bn_eps = eps->toDouble();
        fused.insert(bn);
        out = bn->output();
      }
    }
    finish_with_relu(step, out, fused);
    step.weight_point = plan_.weights++;
    return true;
  }

  // linear(x, weight, bias), or as traces write it: addmm(bias, x, t(weight), beta=1, alpha=1).
  bool linear_step(Node* n, Step& step, std::set<const Node*>& fused) {
    std::string path;
    const Value *weight = n->input(1), *bias = n->input(2);
    step.input = n->input(0);
    if (n->kind() == aten::addmm) {
      const Node* t = n->input(2)->node();
      if (t->kind() != aten::t || !constant_int_is(n->input(3), 1) || !constant_int_is(n->input(4), 1)) return false;
      weight = t->input(0), bias = n->input(0), step.input = n->input(1);
    }
    step.weight = parameter(weight, &path);
    if (!step.weight.defined() || step.weight.dim() != 2 || !quantized(step.input)) return false;
    if (!is_none(bias)) {
      step.bias = parameter(bias);
      if (!step.bias.defined() || step.bias.dim() != 1) return false;
    }
    step.kind = StepKind::linear;
    step.module = module_of(path);
    finish_with_relu(step, n->output(), fused);
    step.weight_point = plan_.weights++;
    return true;
  }

  bool add_step(Node* n, Step& step, std::set<const Node*>& fused) {
    if (n->inputs().size() != 3) return false;
    const auto alpha = torch::jit::toIValue(n->input(2));
    if (!alpha || !alpha->isInt() || alpha->toInt() != 1) return false;
    if (n->input(0)->type()->kind() != c10::TypeKind::TensorType ||
        n->input(1)->type()->kind() != c10::TypeKind::TensorType)
      return false;
    step.kind = StepKind::add;
    need_quantized(n->input(0), step);
    need_quantized(n->input(1), step);
    step.module = "add";
    finish_with_relu(step, n->output(), fused);
    return true;
  }

  bool cat_step(Node* n, Step& step) {
    Node* list = n->input(0)->node();
    if (list->kind() != prim::ListConstruct || n->input(0)->uses().size() != 1) return false;
    if (!torch::jit::toIValue(n->input(1))) return false;
    step.kind = StepKind::cat;
    for (Value* v : list->inputs()) need_quantized(v, step);
    step.points.push_back(point_for(n->output(), "cat"));
    return true;
  }

  void finish_with_relu(Step& step, Value* out, std::set<const Node*>& fused) {
    if (Node* relu = only_user(out, {"aten::relu", "aten::relu_"})) {
      step.relu = true;
      fused.insert(relu);
      out = relu->output();
    } else if (Node* clamp = only_user(out, {"aten::hardtanh", "aten::hardtanh_", "aten::relu6", "aten::relu6_"})) {
      const bool is_relu6 = clamp->kind().toQualString() == std::string("aten::relu6") ||
                            clamp->kind().toQualString() == std::string("aten::relu6_");
      const auto lo = is_relu6 ? c10::optional<c10::IValue>(0.0) : torch::jit::toIValue(clamp->input(1));
      const auto hi = is_relu6 ? c10::optional<c10::IValue>(6.0) : torch::jit::toIValue(clamp->input(2));
      const auto number = [](const c10::IValue& v) { return v.isDouble() || v.isInt(); };
      if (lo && hi && number(*lo) && number(*hi)) {
        step.clamp = clamp;
        step.clamp_min = lo->toScalar().to<double>();
        step.clamp_max = hi->toScalar().to<double>();
        fused.insert(clamp);
        out = clamp->output();
      }
    }
    step.output = out;
    step.points.push_back(point_for(out, step.module.empty() ? "add" : step.module));
  }

  const torch::jit::Module& traced_;
  QuantPlan plan_;
  std::map<std::string, int> float_counts_;
};

}  // namespace

at::Tensor traced_tensor(const torch::jit::Module& traced, const Value* v) {
  const std::string path = attribute_path(v);
  if (path.empty()) return {};
  c10::IValue item = traced._ivalue();
  std::size_t start = 0;
  for (std::size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1)
    item = item.toObject()->getAttr(path.substr(start, dot - start));
  item = item.toObject()->getAttr(path.substr(start));
  return item.isTensor() ? item.toTensor() : at::Tensor();
}

QuantPlan plan_quantization(const torch::jit::Module& traced) { return Planner(traced).run(); }

}  // namespace razor::quantization
