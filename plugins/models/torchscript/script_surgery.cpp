#include "torchscript/script_surgery.h"

#include <functional>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>

#include "razor/errors.h"

namespace razor::models::script_surgery {
namespace {

using torch::jit::Graph;
using torch::jit::Module;
using torch::jit::Node;
namespace attr = c10::attr;
namespace aten = c10::aten;
namespace prim = c10::prim;

void for_each_node(torch::jit::Block* block, const std::function<void(Node*)>& f) {
  for (Node* n : block->nodes()) {
    f(n);
    for (torch::jit::Block* inner : n->blocks()) for_each_node(inner, f);
  }
}

std::shared_ptr<Graph> graph_of(torch::jit::Function* fn) { return torch::jit::toGraphFunction(*fn).graph(); }

/// Which input of a convolution node is its groups: aten::conv2d(x, w, b, stride, padding, dilation,
/// groups) as scripted, aten::_convolution(..., transposed, output_padding, groups, ...) as traced.
std::optional<std::size_t> groups_input(const Node* n) {
  if (n->kind() == aten::conv2d) return 6;
  if (n->kind() == aten::_convolution || n->kind() == aten::convolution) return 8;
  return std::nullopt;
}

/// Replaces a class constant (a scripted torch.nn layer's sizes); types without it are left alone.
void set_constant(const c10::ClassTypePtr& type, const std::string& name, std::int64_t value) {
  if (!type->hasConstant(name)) return;
  type->unsafeRemoveConstant(name);
  type->addConstant(name, c10::IValue(value));
}

/// Replaces a method's function by a new one with `graph`: its executor starts afresh.
void replace_method(const Module& module, torch::jit::Function* old, std::shared_ptr<Graph> graph) {
  const std::string name = old->name();
  const c10::FunctionSchema schema = old->getSchema();
  const c10::QualifiedName qualified = old->qualname();
  const auto unit = module._ivalue()->compilation_unit();
  module.type()->unsafeRemoveMethod(name);
  unit->unsafeRemoveMethod(qualified);
  torch::jit::Function* fresh = unit->create_function(qualified, std::move(graph));
  module.type()->addMethod(fresh);
  fresh->setSchema(schema);
}

std::string shown(const std::string& path) { return path.empty() ? "the root module" : "'" + path + "'"; }

/// The copy of one module and its children, each with a new class type; razor's attributes are left out.
Module copy_tree(const Module& original, const std::string& path) {
  const c10::ClassTypePtr type = original.type();
  if (!type->getForwardHooks().empty() || !type->getForwardPreHooks().empty()) {
    throw Error(fmt::format("{} has forward hooks, which razor cannot copy into the exported module", shown(path)));
  }
  Module copy(*type->name(), original._ivalue()->compilation_unit(), /*shouldMangle=*/true);
  for (std::size_t i = 0; i < type->numAttributes(); ++i) {
    const std::string& name = type->getAttributeName(i);
    if (name == kGroups || name == kTap) continue;
    const c10::TypePtr& attribute = type->getAttribute(i);
    c10::IValue value = original._ivalue()->getSlot(i);
    if (const auto cls = attribute->cast<c10::ClassType>(); cls && cls->is_module()) {
      copy.register_module(name, copy_tree(Module(value.toObject()), path.empty() ? name : path + "." + name));
      continue;
    }
    if (value.isTensor() && value.toTensor().defined()) {
      const at::Tensor& t = value.toTensor();
      at::Tensor own = t.detach().clone();
      if (t.requires_grad()) own.set_requires_grad(true);
      value = own;
    }
    copy.register_attribute(name, attribute, value, type->is_parameter(i), type->is_buffer(i));
  }
  for (std::size_t i = 0; i < type->numConstants(); ++i) copy.type()->addConstant(type->getConstantName(i), type->getConstant(i));
  for (torch::jit::Function* fn : type->methods()) copy.clone_method(original, fn->name());
  return copy;
}

/// Folds razor's attributes out of `copy`'s graphs (groups as constants, no tap stores) and writes
/// torch.nn's size constants from its tensors.
void finish_copy(const Module& copy, const Module& original) {
  const c10::ClassTypePtr type = copy.type();
  const std::int64_t groups = original.hasattr(kGroups) ? original.attr(kGroups).toInt() : 1;
  for (torch::jit::Function* fn : type->methods()) {
    const auto graph = graph_of(fn);
    std::vector<Node*> dead;
    for_each_node(graph->block(), [&](Node* n) {
      if (n->kind() == prim::GetAttr) {
        // Types were remapped per instance: a child shared by type before gets its own type again.
        if (const auto owner = n->input()->type()->cast<c10::ClassType>(); owner && owner->hasAttribute(n->s(attr::name))) {
          n->output()->setType(owner->getAttribute(n->s(attr::name)));
        }
        if (n->s(attr::name) == kGroups) {
          torch::jit::WithInsertPoint here(n);
          n->output()->replaceAllUsesWith(graph->insertConstant(groups));
          dead.push_back(n);
        }
      } else if (n->kind() == prim::SetAttr && n->s(attr::name) == kTap) {
        dead.push_back(n);
      }
    });
    for (Node* n : dead) n->destroy();
  }
  if (is_torch_nn(copy, "Conv2d")) {
    const at::Tensor w = copy.attr("weight").toTensor();
    set_constant(type, "out_channels", w.size(0));
    set_constant(type, "in_channels", w.size(1) * groups);
    set_constant(type, "groups", groups);
  } else if (is_torch_nn(copy, "Linear")) {
    const at::Tensor w = copy.attr("weight").toTensor();
    set_constant(type, "out_features", w.size(0));
    set_constant(type, "in_features", w.size(1));
  } else if (is_torch_nn(copy, "BatchNorm2d")) {
    for (const char* name : {"weight", "running_mean"}) {
      const c10::IValue v = copy.attr(name);
      if (v.isTensor() && v.toTensor().defined()) {
        set_constant(type, "num_features", v.toTensor().size(0));
        break;
      }
    }
  }
}

}  // namespace

bool is_torch_nn(const torch::jit::Module& module, const std::string& name) {
  const auto& qualified = module.type()->name();
  return qualified && qualified->name() == name && qualified->qualifiedName().rfind("__torch__.torch.nn.modules.", 0) == 0;
}

void expose_groups(torch::jit::Module& root) {
  std::map<const c10::ClassType*, std::int64_t> groups_of;  // types already edited
  for (Module conv : root.modules()) {
    if (!is_torch_nn(conv, "Conv2d")) continue;
    const c10::ClassType* type = conv.type().get();
    if (!groups_of.count(type)) {
      std::vector<std::pair<Node*, std::size_t>> uses;  // (conv node, its groups input) holding a constant > 1
      std::int64_t groups = 1;
      for (torch::jit::Function* fn : conv.type()->methods()) {
        for_each_node(graph_of(fn)->block(), [&](Node* n) {
          const auto index = groups_input(n);
          if (!index) return;
          const auto constant = torch::jit::toIValue(n->input(*index));
          if (!constant || !constant->isInt() || constant->toInt() == 1) return;
          groups = constant->toInt();
          uses.emplace_back(n, *index);
        });
      }
      groups_of[type] = groups;
      if (groups == 1) continue;
      conv.register_attribute(kGroups, c10::IntType::get(), c10::IValue(groups));
      for (const auto& [n, index] : uses) {
        const auto graph = n->owningGraph();
        torch::jit::WithInsertPoint here(n);
        n->replaceInput(index, graph->insertGetAttr(graph->inputs().at(0), kGroups));
      }
    } else if (groups_of[type] > 1) {
      conv.register_attribute(kGroups, c10::IntType::get(), c10::IValue(groups_of[type]));
    }
  }
}

bool returns_tensor(const torch::jit::Module& module) {
  const auto forward = module.find_method("forward");
  if (!forward) return false;
  const auto& returns = forward->function().getSchema().returns();
  return returns.size() == 1 && returns[0].type()->isSubtypeOf(*c10::TensorType::get());
}

void add_tap(torch::jit::Module& module) {
  const bool edited = module.type()->hasAttribute(kTap);  // by another instance of the type
  module.register_attribute(kTap, c10::OptionalType::ofTensor(), c10::IValue());
  if (edited) return;
  const auto graph = graph_of(&module.get_method("forward").function());
  Node* ret = graph->return_node();
  torch::jit::WithInsertPoint here(ret);
  Node* store = graph->create(prim::SetAttr, {graph->inputs().at(0), ret->input(0)}, /*num_outputs=*/0);
  store->s_(attr::name, kTap);
  graph->insertNode(store);
}

void refresh(const torch::jit::Module& root) {
  std::unordered_set<const c10::ClassType*> seen;
  for (const Module& m : root.modules()) {
    if (!seen.insert(m.type().get()).second) continue;
    const std::vector<torch::jit::Function*> methods = m.type()->methods();  // a copy: the loop replaces them
    for (torch::jit::Function* fn : methods) replace_method(m, fn, graph_of(fn));
  }
}

torch::jit::Module independent_copy(const torch::jit::Module& root) {
  Module copy = copy_tree(root, "");
  // Pairs of (copy, original) submodules, by path: the copy's types are all new, the originals' may be shared.
  const auto copies = copy.named_modules();
  const auto originals = root.named_modules();
  auto o = originals.begin();
  for (auto c = copies.begin(); c != copies.end(); ++c, ++o) finish_copy((*c).value, (*o).value);
  copy.eval();
  return copy;
}

}  // namespace razor::models::script_surgery
