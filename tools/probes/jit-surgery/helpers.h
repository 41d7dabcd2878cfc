#pragma once
#include <torch/script.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <iostream>
using namespace torch::jit;
#define TRY(label, ...) do { try { __VA_ARGS__; std::cout << "[OK] " << label << "\n"; } \
  catch (const std::exception& e) { std::string s = e.what(); auto p = s.find("\nException raised from"); \
    if (p != std::string::npos) s = s.substr(0, p); std::cout << "[FAIL] " << label << ": " << s << "\n"; } } while (0)

inline void dumpType(const Module& m, const std::string& tag) {
  auto t = m.type();
  std::cout << "== " << tag << " type=" << t->str() << " (ptr " << t.get() << ")\n";
  for (size_t i = 0; i < t->numConstants(); ++i)
    std::cout << "   const " << t->getConstantName(i) << " = " << t->getConstant(i) << "\n";
  for (size_t i = 0; i < t->numAttributes(); ++i) {
    auto v = m._ivalue()->getSlot(i);
    std::cout << "   attr " << t->getAttributeName(i) << " : " << t->getAttribute(i)->repr_str()
              << " param=" << t->is_parameter(i) << " buffer=" << t->is_buffer(i);
    if (v.isTensor() && v.toTensor().defined()) std::cout << " shape=" << v.toTensor().sizes() << " rg=" << v.toTensor().requires_grad();
    std::cout << "\n";
  }
  for (auto* f : t->methods()) std::cout << "   method " << f->name() << "\n";
}
inline std::shared_ptr<Graph> graphOf(const Module& m, const std::string& meth) {
  return toGraphFunction(m.get_method(meth).function()).graph();
}
inline std::string fwdShape(Module& m, std::vector<int64_t> in = {2,3,32,32}) {
  auto out = m.forward({torch::randn(in)});
  std::ostringstream os; os << out.toTensor().sizes(); return os.str();
}

// replace a tensor attribute keeping param/buffer flag (in type) and requires_grad
inline void setT(Module m, const std::string& n, const at::Tensor& t) {
  auto old = m.attr(n).toTensor();
  auto nt = t.detach().clone();
  if (old.requires_grad()) nt.set_requires_grad(true);
  m.setattr(n, nt);
}
// narrow tensor attribute n of module m along dim to first k entries
inline void narrowT(Module m, const std::string& n, int64_t dim, int64_t k) {
  setT(m, n, m.attr(n).toTensor().narrow(dim, 0, k));
}
inline void narrowBN(Module bn, int64_t k) {
  for (auto n : {"weight", "bias", "running_mean", "running_var"}) narrowT(bn, n, 0, k);
}
inline void forEachNode(Block* b, const std::function<void(Node*)>& f) {
  for (auto* n : b->nodes()) { f(n); for (auto* sb : n->blocks()) forEachNode(sb, f); }
}
// rewrite groups argument of every conv node in graph g: returns number of nodes changed
inline int setConvGroups(const std::shared_ptr<Graph>& g, int64_t groups, int64_t onlyIfOld = -1) {
  int cnt = 0;
  forEachNode(g->block(), [&](Node* node) {
    size_t idx;
    if (node->kind() == aten::conv2d) idx = 6;
    else if (node->kind() == aten::_convolution) idx = 8;
    else return;
    auto old = toIValue(node->input(idx));
    if (onlyIfOld >= 0 && (!old || old->toInt() != onlyIfOld)) return;
    WithInsertPoint guard(node);
    Value* c = g->insertConstant(groups);
    node->replaceInput(idx, c);
    ++cnt;
  });
  return cnt;
}
// find the graph of the method that contains the conv call (scripted: _conv_forward, traced: forward)
inline std::shared_ptr<Graph> convGraph(const Module& conv) {
  if (conv.find_method("_conv_forward")) return graphOf(conv, "_conv_forward");
  return graphOf(conv, "forward");
}
// In-place executor reset: replace method `name` of m's type by a fresh GraphFunction (same graph)
inline void refreshMethod(Module m, const std::string& name) {
  auto& oldfn = toGraphFunction(m.get_method(name).function());
  auto g = oldfn.graph();
  auto schema = oldfn.getSchema();
  auto qn = oldfn.qualname();
  auto cu = m._ivalue()->compilation_unit();
  m.type()->unsafeRemoveMethod(name);
  cu->unsafeRemoveMethod(qn);
  auto* fn = cu->create_function(qn, g);
  m.type()->addMethod(fn);
  fn->setSchema(schema);
}

// Replace method `name` of m's type by a fresh GraphFunction with graph g (default: same graph) -> fresh executor
inline void replaceMethodGraph(Module m, const std::string& name, std::shared_ptr<Graph> g) {
  auto& oldfn = toGraphFunction(m.get_method(name).function());
  auto schema = oldfn.getSchema();
  auto qn = oldfn.qualname();
  auto cu = m._ivalue()->compilation_unit();
  m.type()->unsafeRemoveMethod(name);
  cu->unsafeRemoveMethod(qn);
  auto* fn = cu->create_function(qn, std::move(g));
  m.type()->addMethod(fn);
  fn->setSchema(schema);
}
// After cloning with per-instance types: re-type every prim::GetAttr output from the (new) owner class
inline void retypeGetAttrs(const std::shared_ptr<Graph>& g) {
  forEachNode(g->block(), [&](Node* n) {
    if (n->kind() != prim::GetAttr) return;
    auto ct = n->input()->type()->cast<c10::ClassType>();
    const auto& an = n->s(attr::name);
    if (ct && ct->hasAttribute(an)) n->output()->setType(ct->getAttribute(an));
  });
}
// Deep clone that gives EVERY module instance its own fresh ClassType (no type sharing), tensors shared or copied
inline Module unshareCloneImpl(const Module& orig, bool copyTensors) {
  auto t = orig.type();
  Module r(*t->name(), orig._ivalue()->compilation_unit(), /*shouldMangle=*/true);
  for (size_t i = 0; i < t->numAttributes(); ++i) {
    const auto& an = t->getAttributeName(i);
    auto at = t->getAttribute(i);
    auto v = orig._ivalue()->getSlot(i);
    auto ct = at->cast<c10::ClassType>();
    if (ct && ct->is_module()) {
      r.register_module(an, unshareCloneImpl(Module(v.toObject()), copyTensors));
    } else {
      if (copyTensors && v.isTensor()) { auto tt = v.toTensor(); if (tt.defined()) { auto c = tt.detach().clone(); c.set_requires_grad(tt.requires_grad()); v = c; } }
      r.register_attribute(an, at, v, t->is_parameter(i), t->is_buffer(i));
    }
  }
  for (size_t i = 0; i < t->numConstants(); ++i) r.type()->addConstant(t->getConstantName(i), t->getConstant(i));
  for (auto* fn : t->methods()) r.clone_method(orig, fn->name());
  return r;
}
inline Module unshareClone(const Module& orig, bool copyTensors = false) {
  Module r = unshareCloneImpl(orig, copyTensors);
  for (const auto& sm : r.modules())
    for (auto* fn : sm.type()->methods()) retypeGetAttrs(toGraphFunction(*fn).graph());
  return r;
}
inline void setTypeConstant(const c10::ClassTypePtr& t, const std::string& n, const c10::IValue& v) {
  if (t->hasConstant(n)) t->unsafeRemoveConstant(n);
  t->addConstant(n, v);
}
inline std::string attrPath(Value* v) {
  std::vector<std::string> parts;
  while (v->node()->kind() == prim::GetAttr) { parts.push_back(v->node()->s(attr::name)); v = v->node()->input(); }
  std::string s; for (auto it = parts.rbegin(); it != parts.rend(); ++it) s += (s.empty() ? "" : ".") + *it;
  return s;
}
inline Module sub(Module m, const std::string& path) {
  std::stringstream ss(path); std::string p;
  while (std::getline(ss, p, '.')) m = m.attr(p).toModule();
  return m;
}
// Give every method of every (unique) module type in the tree a fresh GraphFunction -> drops cached executors/plans
inline void refreshAll(const Module& root) {
  std::unordered_set<c10::ClassType*> seen;
  for (const auto& sm : root.modules()) {
    if (!seen.insert(sm.type().get()).second) continue;
    std::vector<std::string> names;
    for (auto* fn : sm.type()->methods()) names.push_back(fn->name());
    for (auto& n : names) replaceMethodGraph(sm, n, graphOf(sm, n));
  }
}
inline void grepGraph(const std::shared_ptr<Graph>& g, const std::vector<std::string>& keys) {
  std::istringstream is(g->toString()); std::string l;
  while (std::getline(is, l)) for (auto& k : keys) if (l.find(k) != std::string::npos) { std::cout << "   | " << l << "\n"; break; }
}
