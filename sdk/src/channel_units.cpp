#include "razor/channel_units.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>
#include <torch/csrc/autograd/generated/Functions.h>

#include "razor/errors.h"
#include "razor/module_type_name.h"
#include "sliceable_kind.h"

namespace razor {
namespace {

namespace ag = torch::autograd;
namespace gen = torch::autograd::generated;
using Role = ChannelSlice::Role;
using Shape = std::vector<std::int64_t>;
/// One channel element id per channel (dim 1) of a tensor. Empty when the analysis does not follow the
/// tensor: parameters and what is computed from them alone, constants, tensors of rank < 2.
using Elements = std::vector<std::int64_t>;
constexpr std::size_t kNoModule = static_cast<std::size_t>(-1);

std::int64_t ssize(const Elements& e) { return static_cast<std::int64_t>(e.size()); }

std::int64_t wrap_dim(std::int64_t dim, std::size_t rank) {
  return dim < 0 ? dim + static_cast<std::int64_t>(rank) : dim;
}

bool is_input_side(Role role) { return role == Role::conv_in || role == Role::linear_in; }
bool is_output_related(Role role) { return role != Role::conv_in && role != Role::linear_in; }
bool is_input_related(Role role) { return is_input_side(role) || role == Role::depthwise; }

/// Union-find over channel elements. An element may carry the reason its channel cannot be pruned;
/// a class may be the output of a barrier (its index), so that a chain of unknown ops is reported once.
class ChannelSets {
 public:
  Elements fresh(std::int64_t n, const std::string& why_not = "", int barrier = -1) {
    Elements out(static_cast<std::size_t>(n));
    for (auto& e : out) {
      e = ssize(parent_);
      parent_.push_back(e);
      why_not_.push_back(why_not);
      barrier_.push_back(barrier);
    }
    return out;
  }
  std::int64_t find(std::int64_t e) {
    while (parent_[e] != e) e = parent_[e] = parent_[parent_[e]];
    return e;
  }
  void unite(std::int64_t a, std::int64_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent_[b] = a;
    if (barrier_[a] < 0) barrier_[a] = barrier_[b];
  }
  void unite(const Elements& a, const Elements& b) {
    for (std::size_t i = 0; i < a.size(); ++i) unite(a[i], b[i]);
  }
  void bind(const Elements& elements, const std::string& why_not) {
    for (auto e : elements) {
      if (why_not_[e].empty()) why_not_[e] = why_not;
    }
  }
  int barrier_of(std::int64_t e) { return barrier_[find(e)]; }
  /// Each class's reason (that of its lowest element having one), by root.
  std::unordered_map<std::int64_t, std::string> reasons() {
    std::unordered_map<std::int64_t, std::string> out;
    for (std::int64_t e = 0; e < ssize(parent_); ++e) {
      if (!why_not_[e].empty()) out.try_emplace(find(e), why_not_[e]);
    }
    return out;
  }

 private:
  std::vector<std::int64_t> parent_;
  std::vector<std::string> why_not_;
  std::vector<int> barrier_;
};

/// Channel `index` of a module, in the role it plays there, as the channel element it is.
struct Member {
  std::size_t module;  // index into the module paths (named_modules() order)
  Role role;
  std::int64_t index;
  std::int64_t element;
};

/// A class's members of one module and role with consecutive indices (a flatten makes `width` > 1).
struct Span {
  std::size_t module;
  Role role;
  std::int64_t start, width;
  auto key() const { return std::tie(module, role, start); }
};

/// One union-find class: its spans, sorted, and why it is not prunable.
struct ChannelClass {
  std::vector<Span> spans;
  std::string why_not;
};

/// Whether class `b` holds the channels right after those of class `a` (one unit, next channel).
bool continues(const ChannelClass& a, const ChannelClass& b) {
  if (a.why_not != b.why_not || a.spans.size() != b.spans.size()) return false;
  for (std::size_t i = 0; i < a.spans.size(); ++i) {
    const Span &x = a.spans[i], &y = b.spans[i];
    if (x.module != y.module || x.role != y.role || x.width != y.width || y.start != x.start + x.width) return false;
  }
  return true;
}

/// The tensor's shape, from the metadata the graph keeps of each forward output (InputMetadata keeps
/// the shape private; zeros_like() is its public view of it, one short-lived tensor per call).
Shape shape_of(const ag::Node& node, std::size_t nr) {
  if (nr >= node.num_inputs()) return {};
  try {
    const at::Tensor like = node.input_metadata(nr).zeros_like();
    return Shape(like.sizes().begin(), like.sizes().end());
  } catch (const std::exception&) {
    return {};  // a nested tensor
  }
}

at::Tensor unpack(const ag::SavedVariable& saved) {
  try {
    return saved.unpack();
  } catch (const std::exception&) {
    return {};
  }
}

/// Why channels cut into slices by `node` cannot be pruned one slice at a time: pruning any of them
/// moves the boundaries the forward computes (or hard-codes).
std::string fixed_slices(const ag::Node& node) {
  return fmt::format("sliced on the channel dim by '{}' (the forward fixes the slice sizes)", node.name());
}

/// The slice a unit is named after: its first output-related one, else its first input-related one.
const ChannelSlice& naming_slice(const ChannelUnit& unit) {
  return unit.output_related.empty() ? unit.input_related.front() : unit.output_related.front();
}

/// Every node reachable from `root`, producers before consumers; among the ready nodes the one created
/// first, so the order is the forward's. Iterative, each node once.
std::vector<const ag::Node*> forward_order(const ag::Node* root) {
  std::unordered_map<const ag::Node*, std::size_t> pending{{root, 0}};  // producers not yet ordered
  std::unordered_map<const ag::Node*, std::vector<const ag::Node*>> consumers;
  std::vector<const ag::Node*> stack{root};
  while (!stack.empty()) {
    const ag::Node* node = stack.back();
    stack.pop_back();
    for (const auto& edge : node->next_edges()) {
      const ag::Node* producer = edge.function.get();
      if (!producer) continue;
      ++pending[node];
      consumers[producer].push_back(node);
      if (pending.emplace(producer, 0).second) stack.push_back(producer);
    }
  }
  // Leaves first (AccumulateGrad's sequence_nr is the largest there is), then creation order.
  const auto key = [](const ag::Node* n) { return n->next_edges().empty() ? 0 : n->sequence_nr() + 1; };
  const auto later = [&](const ag::Node* a, const ag::Node* b) { return key(a) > key(b); };
  std::priority_queue<const ag::Node*, std::vector<const ag::Node*>, decltype(later)> ready(later);
  for (const auto& [node, n] : pending) {
    if (n == 0) ready.push(node);
  }
  std::vector<const ag::Node*> order;
  while (!ready.empty()) {
    const ag::Node* node = ready.top();
    ready.pop();
    order.push_back(node);
    for (const ag::Node* consumer : consumers[node]) {
      if (--pending[consumer] == 0) ready.push(consumer);
    }
  }
  return order;
}

/// Follows channels through the graph node by node (in forward order), ties module channels to the
/// channel elements they act on, and turns the classes into units.
class Tracer {
 public:
  Tracer(const torch::nn::Module& model, const at::Tensor& input);
  void visit(const ag::Node& node);
  void bind(const at::Tensor& output, const std::string& why_not);
  ChannelAnalysis result();

 private:
  using Handler = void (Tracer::*)(const ag::Node&);
  static const std::unordered_map<std::string, Handler>& handlers();

  // One handler per kind of node; each sets the elements of the node's outputs.
  void leaf(const ag::Node& node);
  void channelwise(const ag::Node& node);
  void elementwise(const ag::Node& node);
  void reduce(const ag::Node& node);
  void reshape(const ag::Node& node);
  void transpose(const ag::Node& node);
  void cat(const ag::Node& node);
  void split(const ag::Node& node);
  void slice(const ag::Node& node);
  void conv(const ag::Node& node);
  template <class Backward>
  void conv_with(const ag::Node& node, const Backward& c);
  void batch_norm(const ag::Node& node);
  void linear(const ag::Node& node);
  void barrier(const ag::Node& node);

  const Elements& channels(const ag::Edge& edge) const;
  const Elements& input(const ag::Node& node, std::size_t edge) const;
  const Shape& shape(const ag::Node& node, std::size_t nr);
  const Shape& shape(const ag::Edge& edge) { return shape(*edge.function, edge.input_nr); }
  void set_output(const ag::Node& node, std::size_t nr, Elements elements);
  /// Output `nr` carries `in`'s channels, or the node is a barrier if the channel counts differ.
  void pass_through(const ag::Node& node, const Elements& in, std::size_t nr = 0);
  std::size_t module_of(const at::Tensor& tensor) const;
  std::string tensor_name(const ag::Edge& edge) const;
  void add_members(std::size_t module, Role role, const Elements& elements);
  void entered(std::size_t module) { where_ = "after '" + paths_[module] + "'"; }
  std::vector<ChannelClass> classes();
  ChannelUnit unit(const ChannelClass& first, std::int64_t channels) const;

  std::vector<std::string> paths_;  // named_modules() order; [0] = "", the model itself
  std::vector<std::string> types_;  // their class names
  std::vector<std::optional<SliceableLayer::Kind>> kinds_;  // as the ChannelSlicer can narrow them
  std::unordered_map<std::string, std::size_t> module_index_;
  std::unordered_map<const c10::TensorImpl*, std::string> tensor_names_;  // parameters and buffers
  const c10::TensorImpl* input_;
  ChannelSets sets_;
  std::vector<Member> members_;
  std::map<std::tuple<std::size_t, bool, std::int64_t>, std::size_t> member_at_;  // (module, input side, index)
  std::unordered_map<const ag::Node*, std::vector<Elements>> outputs_;
  std::map<std::pair<const ag::Node*, std::size_t>, Shape> shapes_;
  struct Barrier {
    std::string node, where;
    std::vector<std::string> then;
  };
  std::vector<Barrier> barriers_;
  std::string where_ = "at the network input";  // the last module run, for barrier reports
};

Tracer::Tracer(const torch::nn::Module& model, const at::Tensor& input) : input_(input.unsafeGetTensorImpl()) {
  // The model itself first (it may live on the stack: named_modules() would need its shared_ptr).
  paths_.emplace_back();
  types_.push_back(module_type_name(model));
  kinds_.push_back(sliceable_kind(model));
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    paths_.push_back(item.key());
    types_.push_back(module_type_name(*item.value()));
    kinds_.push_back(sliceable_kind(*item.value()));
  }
  for (std::size_t i = 0; i < paths_.size(); ++i) module_index_.emplace(paths_[i], i);
  for (const auto& tensors : {model.named_parameters(), model.named_buffers()}) {
    for (const auto& item : tensors) tensor_names_.emplace(item.value().unsafeGetTensorImpl(), item.key());
  }
}

const std::unordered_map<std::string, Tracer::Handler>& Tracer::handlers() {
  static const auto table = [] {
    std::unordered_map<std::string, Handler> t;
    for (const char* name :
         {"ReluBackward0", "HardtanhBackward0", "ClampBackward1", "ClampMinBackward0", "ClampMaxBackward0",
          "ThresholdBackward0", "SigmoidBackward0", "TanhBackward0", "GeluBackward0", "SiluBackward0",
          "HardswishBackward0", "HardsigmoidBackward0", "LeakyReluBackward0", "LeakyReluBackward1", "EluBackward0",
          "EluBackward1", "CeluBackward0", "MishBackward0", "SoftplusBackward0", "LogSigmoidBackward0",
          "NegBackward0", "AbsBackward0", "ExpBackward0", "PowBackward0", "CloneBackward0", "AliasBackward0",
          "ToCopyBackward0", "NativeDropoutBackward0", "AddBackward1", "SubBackward1", "RsubBackward1",
          "MulBackward1", "DivBackward1", "DivBackward3", "MaxPool2DWithIndicesBackward0", "AvgPool2DBackward0",
          "AdaptiveAvgPool2DBackward0", "AdaptiveMaxPool2DBackward0", "UpsampleNearest2DBackward0",
          "UpsampleNearest2DBackward1", "UpsampleBilinear2DBackward0", "UpsampleBilinear2DBackward1",
          "ConstantPadNdBackward0", "ReflectionPad2DBackward0", "ReplicationPad2DBackward0"}) {
      t[name] = &Tracer::channelwise;
    }
    for (const char* name : {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "DivBackward2",
                             "MaximumBackward0", "MinimumBackward0", "ClampBackward0", "WhereBackward0"}) {
      t[name] = &Tracer::elementwise;
    }
    for (const char* name : {"ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0", "SqueezeBackward0",
                             "SqueezeBackward1", "SqueezeBackward2", "UnsqueezeBackward0", "ExpandBackward0"}) {
      t[name] = &Tracer::reshape;
    }
    t["MeanBackward1"] = t["SumBackward1"] = &Tracer::reduce;
    t["TransposeBackward0"] = t["PermuteBackward0"] = &Tracer::transpose;
    t["CatBackward0"] = &Tracer::cat;
    t["SplitBackward0"] = t["SplitWithSizesBackward0"] = &Tracer::split;
    t["SliceBackward0"] = &Tracer::slice;
    t["ConvolutionBackward0"] = &Tracer::conv;
    t["ConvolutionBackward1"] = &Tracer::conv;  // aten::_convolution, what torch.jit.trace records
    t["NativeBatchNormBackward0"] = t["CudnnBatchNormBackward0"] = &Tracer::batch_norm;
    t["AddmmBackward0"] = t["MmBackward0"] = &Tracer::linear;
    t["torch::autograd::AccumulateGrad"] = &Tracer::leaf;
    return t;
  }();
  return table;
}

void Tracer::visit(const ag::Node& node) {
  const auto it = handlers().find(node.name());
  const Handler handler = it == handlers().end() ? &Tracer::barrier : it->second;
  try {
    (this->*handler)(node);
  } catch (const std::exception&) {
    barrier(node);  // saved fields the handler could not read
  }
}

const Elements& Tracer::channels(const ag::Edge& edge) const {
  static const Elements none;
  const auto it = outputs_.find(edge.function.get());
  return it == outputs_.end() || edge.input_nr >= it->second.size() ? none : it->second[edge.input_nr];
}

const Elements& Tracer::input(const ag::Node& node, std::size_t edge) const {
  static const ag::Edge no_edge;
  return channels(edge < node.next_edges().size() ? node.next_edges()[edge] : no_edge);
}

const Shape& Tracer::shape(const ag::Node& node, std::size_t nr) {
  const auto key = std::make_pair(&node, nr);
  auto it = shapes_.find(key);
  if (it == shapes_.end()) it = shapes_.emplace(key, shape_of(node, nr)).first;
  return it->second;
}

void Tracer::set_output(const ag::Node& node, std::size_t nr, Elements elements) {
  auto& slots = outputs_[&node];
  if (slots.size() <= nr) slots.resize(nr + 1);
  slots[nr] = std::move(elements);
}

void Tracer::pass_through(const ag::Node& node, const Elements& in, std::size_t nr) {
  if (in.empty()) return;
  const Shape& out = shape(node, nr);
  if (out.size() < 2 || out[1] != ssize(in)) return barrier(node);
  set_output(node, nr, in);
}

std::size_t Tracer::module_of(const at::Tensor& tensor) const {
  if (!tensor.defined()) return kNoModule;
  auto it = tensor_names_.find(tensor.unsafeGetTensorImpl());
  if (it == tensor_names_.end() && tensor.is_view()) it = tensor_names_.find(tensor._base().unsafeGetTensorImpl());
  if (it == tensor_names_.end()) return kNoModule;
  const auto dot = it->second.rfind('.');
  return module_index_.at(dot == std::string::npos ? "" : it->second.substr(0, dot));
}

/// The parameter's name for a leaf, else the name of the node that computed the tensor.
std::string Tracer::tensor_name(const ag::Edge& edge) const {
  if (const auto* leaf = dynamic_cast<const ag::AccumulateGrad*>(edge.function.get())) {
    const auto it = tensor_names_.find(leaf->variable.unsafeGetTensorImpl());
    if (it != tensor_names_.end()) return it->second;
  }
  return edge.function->name();
}

void Tracer::add_members(std::size_t module, Role role, const Elements& elements) {
  if (kinds_[module] != kind_of(role)) {
    sets_.bind(elements, fmt::format("'{}' is a {}, not a layer the slicer can narrow", paths_[module], types_[module]));
  }
  for (std::int64_t i = 0; i < ssize(elements); ++i) {
    const auto [it, added] = member_at_.try_emplace({module, is_input_side(role), i}, members_.size());
    if (added) {
      members_.push_back({module, role, i, elements[i]});
    } else {
      sets_.unite(members_[it->second].element, elements[i]);  // a module run twice: one mask
    }
  }
}

// The network input gets channels; parameters do not (their uses are read from the nodes' saved weights).
void Tracer::leaf(const ag::Node& node) {
  const auto* accumulate = dynamic_cast<const ag::AccumulateGrad*>(&node);
  if (!accumulate || accumulate->variable.unsafeGetTensorImpl() != input_) return;
  const Shape& s = shape(node, 0);
  if (s.size() >= 2) set_output(node, 0, sets_.fresh(s[1], "network input"));
}

void Tracer::channelwise(const ag::Node& node) { pass_through(node, input(node, 0)); }

// Broadcasting operands: those with the output's channels at their dim 1 share them (a residual add);
// those of one channel broadcast; a channel-wise operand the analysis does not follow pins the channels.
void Tracer::elementwise(const ag::Node& node) {
  const Shape& out_shape = shape(node, 0);
  const auto rank = static_cast<std::int64_t>(out_shape.size());
  Elements out;
  bool tracked = false;
  std::string foreign;
  for (const auto& edge : node.next_edges()) {
    if (!edge.function) continue;
    const Elements& in = channels(edge);
    const Shape& s = shape(edge);
    const std::int64_t at = static_cast<std::int64_t>(s.size()) - rank + 1;  // s's dim under output dim 1
    tracked = tracked || !in.empty();
    if (rank < 2 || at < 0 || (s[at] == 1 && out_shape[1] != 1)) {
      if (!in.empty() && ssize(in) != 1) return barrier(node);
      continue;
    }
    if (in.empty()) {
      foreign = tensor_name(edge);
    } else if (at != 1 || ssize(in) != out_shape[1]) {
      return barrier(node);
    } else if (out.empty()) {
      out = in;
    } else {
      sets_.unite(out, in);
    }
  }
  if (out.empty()) {
    if (tracked) barrier(node);
    return;
  }
  if (!foreign.empty()) sets_.bind(out, fmt::format("combined with '{}' in {}", foreign, node.name()));
  set_output(node, 0, std::move(out));
}

// mean / sum over dimensions: channels pass when dim 1 is kept in place.
void Tracer::reduce(const ag::Node& node) {
  const Elements& in = input(node, 0);
  if (in.empty()) return;
  c10::optional<std::vector<std::int64_t>> dims;
  bool keepdim = false;
  if (const auto* mean = dynamic_cast<const gen::MeanBackward1*>(&node)) {
    dims = mean->dim.list;
    keepdim = mean->keepdim;
  } else if (const auto* sum = dynamic_cast<const gen::SumBackward1*>(&node)) {
    dims = sum->dim.list;
    keepdim = sum->keepdim;
  }
  const std::size_t rank = shape(node.next_edges()[0]).size();
  const bool moves_channels = !dims || std::any_of(dims->begin(), dims->end(), [&](std::int64_t d) {
    return wrap_dim(d, rank) == 1 || (wrap_dim(d, rank) == 0 && !keepdim);
  });
  moves_channels ? barrier(node) : pass_through(node, in);
}

// View-likes: channels pass when dims 0 and 1 are unchanged; a flatten of [N, C, ...] to [N, C*k] (into
// a Linear) gives each channel k consecutive features; any other reshape of dim 1 is a barrier.
void Tracer::reshape(const ag::Node& node) {
  const Elements& in = input(node, 0);
  if (in.empty()) return;
  const Shape &a = shape(node.next_edges()[0]), &b = shape(node, 0);
  if (a.size() < 2 || b.size() < 2 || a[0] != b[0]) return barrier(node);
  if (a[1] == b[1]) return pass_through(node, in);
  const std::int64_t k = std::accumulate(a.begin() + 2, a.end(), std::int64_t{1}, std::multiplies<>());
  if (b.size() != 2 || b[1] != a[1] * k) return barrier(node);
  Elements out(static_cast<std::size_t>(b[1]));
  for (std::int64_t j = 0; j < b[1]; ++j) out[j] = in[j / k];
  set_output(node, 0, std::move(out));
}

void Tracer::transpose(const ag::Node& node) {
  const Elements& in = input(node, 0);
  if (in.empty()) return;
  const std::size_t rank = shape(node, 0).size();
  bool keeps = false;
  if (const auto* t = dynamic_cast<const gen::TransposeBackward0*>(&node)) {
    const auto d0 = wrap_dim(t->dim0, rank), d1 = wrap_dim(t->dim1, rank);
    keeps = d0 == d1 || std::min(d0, d1) >= 2;
  } else if (const auto* p = dynamic_cast<const gen::PermuteBackward0*>(&node)) {
    keeps = p->dims.size() >= 2 && wrap_dim(p->dims[0], rank) == 0 && wrap_dim(p->dims[1], rank) == 1;
  }
  keeps ? pass_through(node, in) : barrier(node);
}

// Concatenation on dim 1 places its inputs' channels one after another; on another dim it ties them.
void Tracer::cat(const ag::Node& node) {
  const auto& c = dynamic_cast<const gen::CatBackward0&>(node);
  const Shape& out_shape = shape(node, 0);
  if (out_shape.size() < 2 || c.tensors_args_sizes.size() != node.next_edges().size()) return barrier(node);
  if (wrap_dim(c.dim, out_shape.size()) != 1) return elementwise(node);
  Elements out;
  bool tracked = false;
  for (std::size_t i = 0; i < c.tensors_args_sizes.size(); ++i) {
    const auto& sizes = c.tensors_args_sizes[i];
    const Elements& in = input(node, i);
    if (sizes.size() < 2 || (!in.empty() && ssize(in) != sizes[1])) return barrier(node);
    const Elements part =
        in.empty() ? sets_.fresh(sizes[1], fmt::format("channels not computed from the input in {}", node.name())) : in;
    tracked = tracked || !in.empty();
    out.insert(out.end(), part.begin(), part.end());
  }
  if (tracked) pass_through(node, out);
}

// split / chunk: on dim 1 each output takes the next channels; on another dim each carries them all.
void Tracer::split(const ag::Node& node) {
  const Elements& in = input(node, 0);
  if (in.empty()) return;
  const auto* whole = dynamic_cast<const gen::SplitBackward0*>(&node);
  const std::int64_t dim = whole ? whole->dim : dynamic_cast<const gen::SplitWithSizesBackward0&>(node).dim;
  const bool on_channels = wrap_dim(dim, shape(node.next_edges()[0]).size()) == 1;
  std::vector<Elements> outs;
  std::int64_t start = 0;
  for (std::size_t nr = 0; nr < node.num_inputs(); ++nr) {
    const Shape& s = shape(node, nr);
    const std::int64_t n = s.size() < 2 ? -1 : s[1];
    if (n < 0 || (on_channels ? start + n > ssize(in) : n != ssize(in))) return barrier(node);
    outs.emplace_back(in.begin() + start, in.begin() + start + n);
    if (on_channels) start += n;
  }
  if (on_channels && start != ssize(in)) return barrier(node);
  if (on_channels && outs.size() > 1) sets_.bind(in, fixed_slices(node));
  for (std::size_t nr = 0; nr < outs.size(); ++nr) set_output(node, nr, std::move(outs[nr]));
}

// narrow / x.slice(1, a, b): a range of the channels (step 1 only).
void Tracer::slice(const ag::Node& node) {
  const Elements& in = input(node, 0);
  if (in.empty()) return;
  const auto& s = dynamic_cast<const gen::SliceBackward0&>(node);
  if (wrap_dim(s.dim, s.self_sym_sizes.size()) != 1) return pass_through(node, in);
  const Shape& out = shape(node, 0);
  std::int64_t start = s.start ? s.start->expect_int() : 0;
  if (start < 0) start += ssize(in);
  start = std::clamp<std::int64_t>(start, 0, ssize(in));
  if (s.step.expect_int() != 1 || out.size() < 2 || start + out[1] > ssize(in)) return barrier(node);
  if (out[1] != ssize(in)) sets_.bind(in, fixed_slices(node));
  set_output(node, 0, Elements(in.begin() + start, in.begin() + start + out[1]));
}

// A convolution makes new channels (conv_out) from its input's (conv_in); a depthwise one keeps them.
// Grouped convolutions are recorded, but their channels are not prunable (per-group counts would have
// to stay equal).
void Tracer::conv(const ag::Node& node) {
  if (const auto* c = dynamic_cast<const gen::ConvolutionBackward0*>(&node)) return conv_with(node, *c);
  conv_with(node, dynamic_cast<const gen::ConvolutionBackward1&>(node));
}

template <class Backward>
void Tracer::conv_with(const ag::Node& node, const Backward& c) {
  const std::size_t module = module_of(unpack(c.weight_));
  const Shape& out_shape = shape(node, 0);
  const Elements& in = input(node, 0);
  if (module == kNoModule || out_shape.size() < 2) return barrier(node);
  entered(module);
  if (c.groups > 1 && c.groups == ssize(in) && ssize(in) == out_shape[1]) {
    add_members(module, Role::depthwise, in);
    return set_output(node, 0, in);
  }
  Elements out = sets_.fresh(out_shape[1]);
  add_members(module, Role::conv_in, in);
  add_members(module, Role::conv_out, out);
  if (c.groups > 1) {
    const auto why_not = fmt::format("grouped conv '{}' (groups={})", paths_[module], c.groups);
    sets_.bind(in, why_not);
    sets_.bind(out, why_not);
  }
  set_output(node, 0, std::move(out));
}

void Tracer::batch_norm(const ag::Node& node) {
  const Elements& in = input(node, 0);
  if (in.empty()) return;
  at::Tensor weight, mean;
  if (const auto* bn = dynamic_cast<const gen::NativeBatchNormBackward0*>(&node)) {
    weight = unpack(bn->weight_), mean = unpack(bn->running_mean_);
  } else if (const auto* cudnn = dynamic_cast<const gen::CudnnBatchNormBackward0*>(&node)) {
    weight = unpack(cudnn->weight_), mean = unpack(cudnn->running_mean_);
  }
  if (!weight.defined() && !mean.defined()) return pass_through(node, in);  // nothing per channel to slice
  const std::size_t module = module_of(weight.defined() ? weight : mean);
  if (module == kNoModule) return barrier(node);
  entered(module);
  add_members(module, Role::bn, in);
  pass_through(node, in);
}

// Linear: addmm(bias, input, weight.t()) or mm(input, weight.t()); new features (linear_out) from the
// input's (linear_in). A matrix product with anything but a module's transposed weight is a barrier.
void Tracer::linear(const ag::Node& node) {
  const auto* addmm = dynamic_cast<const gen::AddmmBackward0*>(&node);
  const auto* mm = addmm ? nullptr : &dynamic_cast<const gen::MmBackward0&>(node);
  const at::Tensor weight_t = unpack(addmm ? addmm->mat2_ : mm->mat2_);
  const Elements& in = input(node, addmm ? 1 : 0);
  const Shape& out_shape = shape(node, 0);
  const std::size_t module = weight_t.defined() && weight_t.is_view() ? module_of(weight_t) : kNoModule;
  if (module == kNoModule || out_shape.size() != 2) return barrier(node);
  entered(module);
  Elements out = sets_.fresh(out_shape[1]);
  add_members(module, Role::linear_in, in);
  add_members(module, Role::linear_out, out);
  set_output(node, 0, std::move(out));
}

// An op the analysis does not understand: the channels that reach it and those it makes cannot be pruned.
// Reported once; an unknown op fed only by a barrier's outputs just continues that barrier.
void Tracer::barrier(const ag::Node& node) {
  std::vector<const Elements*> ins;
  for (const auto& edge : node.next_edges()) {
    if (!channels(edge).empty()) ins.push_back(&channels(edge));
  }
  if (ins.empty()) return;  // nothing the analysis follows goes through it
  int id = sets_.barrier_of(ins.front()->front());
  const bool continued = id >= 0 && std::all_of(ins.begin(), ins.end(), [&](const Elements* in) {
    return std::all_of(in->begin(), in->end(), [&](std::int64_t e) { return sets_.barrier_of(e) >= 0; });
  });
  if (continued) {
    auto& then = barriers_[id].then;
    if (std::find(then.begin(), then.end(), node.name()) == then.end()) then.push_back(node.name());
  } else {
    id = static_cast<int>(barriers_.size());
    barriers_.push_back({node.name(), where_, {}});
    for (const Elements* in : ins) sets_.bind(*in, fmt::format("before barrier '{}' ({})", node.name(), where_));
  }
  const auto after = fmt::format("after barrier '{}' ({})", barriers_[id].node, barriers_[id].where);
  for (std::size_t nr = 0; nr < node.num_inputs(); ++nr) {
    const Shape& s = shape(node, nr);
    if (s.size() >= 2) set_output(node, nr, sets_.fresh(s[1], after, id));
  }
}

void Tracer::bind(const at::Tensor& output, const std::string& why_not) {
  sets_.bind(channels(ag::Edge(output.grad_fn(), output.output_nr())), why_not);
}

/// The union-find classes that hold module channels, as sorted spans, ordered by their first span.
std::vector<ChannelClass> Tracer::classes() {
  const auto reasons = sets_.reasons();
  std::map<std::int64_t, std::vector<const Member*>> by_root;
  for (const auto& m : members_) by_root[sets_.find(m.element)].push_back(&m);
  std::vector<ChannelClass> out;
  for (auto& [root, members] : by_root) {
    std::sort(members.begin(), members.end(), [](const Member* a, const Member* b) {
      return std::tie(a->module, a->role, a->index) < std::tie(b->module, b->role, b->index);
    });
    ChannelClass c;
    for (const Member* m : members) {
      Span* last = c.spans.empty() ? nullptr : &c.spans.back();
      if (last && last->module == m->module && last->role == m->role && last->start + last->width == m->index) {
        ++last->width;
      } else {
        c.spans.push_back({m->module, m->role, m->index, 1});
      }
    }
    const auto reason = reasons.find(root);
    if (reason != reasons.end()) c.why_not = reason->second;
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(),
            [](const ChannelClass& a, const ChannelClass& b) { return a.spans.front().key() < b.spans.front().key(); });
  return out;
}

/// The unit of `channels` consecutive classes starting with `first`.
ChannelUnit Tracer::unit(const ChannelClass& first, std::int64_t channels) const {
  ChannelUnit u;
  u.channels = channels;
  for (const Span& s : first.spans) {
    const ChannelSlice slice{paths_[s.module], s.role, s.start, s.start + s.width * channels};
    if (is_output_related(s.role)) u.output_related.push_back(slice);
    if (is_input_related(s.role)) u.input_related.push_back(slice);
  }
  const bool produced = !u.output_related.empty();
  const ChannelSlice& named = naming_slice(u);
  u.name = fmt::format("{}_({}, {})_{}{}", named.module, named.start, named.end, channels, produced ? "" : "_in");
  u.why_not = first.why_not.empty() && !produced ? "no module produces these channels" : first.why_not;
  u.prunable = u.why_not.empty();
  return u;
}

ChannelAnalysis Tracer::result() {
  const auto classes = this->classes();
  std::vector<std::pair<std::tuple<std::size_t, bool, std::int64_t>, ChannelUnit>> units;
  for (std::size_t i = 0; i < classes.size();) {
    std::size_t j = i + 1;
    while (j < classes.size() && continues(classes[j - 1], classes[j])) ++j;
    ChannelUnit u = unit(classes[i], static_cast<std::int64_t>(j - i));
    const ChannelSlice& named = naming_slice(u);
    units.emplace_back(std::make_tuple(module_index_.at(named.module), u.output_related.empty(), named.start),
                       std::move(u));
    i = j;
  }
  std::stable_sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  ChannelAnalysis analysis;
  for (auto& [key, u] : units) analysis.units.push_back(std::move(u));
  for (const auto& b : barriers_) {
    analysis.barriers.push_back(fmt::format("{} {}", b.node, b.where) +
                                (b.then.empty() ? "" : fmt::format(" (then {})", fmt::join(b.then, ", "))));
  }
  return analysis;
}

/// Puts a model in eval mode; restores every module's own training flag when it goes.
class EvalMode {
 public:
  explicit EvalMode(torch::nn::Module& model) : model_(model), training_(model.is_training()) {
    for (const auto& item : model.named_modules("", /*include_self=*/false)) {
      modules_.emplace_back(item.value(), item.value()->is_training());
    }
    model.eval();
  }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;
  ~EvalMode() {
    model_.train(training_);
    for (const auto& [module, training] : modules_) module->train(training);  // parents before children
  }

 private:
  torch::nn::Module& model_;
  bool training_;
  std::vector<std::pair<std::shared_ptr<torch::nn::Module>, bool>> modules_;
};

}  // namespace

const char* to_string(ChannelSlice::Role role) {
  switch (role) {
    case Role::conv_out: return "conv_out";
    case Role::conv_in: return "conv_in";
    case Role::depthwise: return "depthwise";
    case Role::bn: return "bn";
    case Role::linear_in: return "linear_in";
    case Role::linear_out: return "linear_out";
  }
  return "?";
}

ChannelAnalysis analyse_channels(Model& model, const at::Tensor& example_input) {
  constexpr const char* kForwardFailed = "channel analysis: the forward on the example input failed: ";
  const EvalMode eval(model);
  const at::AutoGradMode grad_mode(true);
  at::Tensor input, output;
  try {
    input = example_input.detach().requires_grad_(true);
    output = model.forward(input);
  } catch (const c10::Error& e) {
    throw Error(std::string(kForwardFailed) + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Error(std::string(kForwardFailed) + e.what());
  }
  if (!output.defined() || !output.grad_fn()) {
    return {{}, {"the output has no autograd graph (it does not depend on the input through differentiable ops)"}};
  }
  Tracer tracer(model, input);
  for (const ag::Node* node : forward_order(output.grad_fn().get())) tracer.visit(*node);
  tracer.bind(output, "network output");
  return tracer.result();
}

}  // namespace razor
