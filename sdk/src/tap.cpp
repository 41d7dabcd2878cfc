#include "razor/tap.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "razor/closest_match.h"
#include "razor/errors.h"

namespace razor {
namespace {

struct FoundTap {
  std::string path;
  TapsImpl* taps;
  std::string name;
  std::size_t depth;  // of the Taps module: 0 for the model's own
};

std::string joined(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

/// Taps modules in `model` with their tap paths; named_modules() lists parents before children.
std::vector<FoundTap> find_taps(const torch::nn::Module& model) {
  std::vector<FoundTap> found;
  for (const auto& item : model.named_modules()) {
    auto* taps = dynamic_cast<TapsImpl*>(item.value().get());
    if (!taps) continue;
    const std::string& path = item.key();
    const std::string owner = path.rfind('.') == std::string::npos ? "" : path.substr(0, path.rfind('.'));
    const auto depth = static_cast<std::size_t>(std::count(owner.begin(), owner.end(), '.')) + (owner.empty() ? 0 : 1);
    for (const auto& name : taps->names()) found.push_back({joined(owner, name), taps, name, depth});
  }
  return found;
}

}  // namespace

TapsImpl::TapsImpl(std::vector<std::string> names) : names_(std::move(names)) {
  std::set<std::string> seen;
  for (const auto& name : names_) {
    if (name.empty()) throw Error("Taps: a tap name is empty");
    if (!seen.insert(name).second) throw Error(fmt::format("Taps: tap '{}' is declared twice", name));
  }
}

std::shared_ptr<TapBuffer> TapsImpl::attach(const std::string& name) {
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
    throw Error(fmt::format("no tap '{}' (taps: {})", name, fmt::join(names_, ", ")));
  }
  auto buffer = std::make_shared<TapBuffer>();
  buffers_[name].push_back(buffer);
  ++attached_;
  return buffer;
}

const at::Tensor& TapsImpl::keep(const std::string& name, const at::Tensor& x) {
  const auto it = buffers_.find(name);
  if (it != buffers_.end()) {
    for (const auto& buffer : it->second) {
      if (buffer->recording) buffer->tensors.push_back(x);
    }
  }
  return x;
}

std::vector<std::string> tap_paths(const torch::nn::Module& model) {
  std::vector<std::string> paths;
  for (const auto& tap : find_taps(model)) paths.push_back(tap.path);
  return paths;
}

std::string output_tap(const torch::nn::Module& model) {
  const auto found = find_taps(model);
  if (found.empty()) throw Error("the model has no taps (its forward records nothing; see docs/distillation.md)");
  // The outermost Taps: the model's own, not a submodule's (whichever was registered first).
  const TapsImpl* outer =
      std::min_element(found.begin(), found.end(), [](const FoundTap& a, const FoundTap& b) { return a.depth < b.depth; })
          ->taps;
  std::string path;
  for (const auto& tap : found) {
    if (tap.taps == outer) path = tap.path;
  }
  return path;
}

std::shared_ptr<TapBuffer> attach_tap(torch::nn::Module& model, const std::string& path) {
  const auto found = find_taps(model);
  for (const auto& tap : found) {
    if (tap.path == path) return tap.taps->attach(tap.name);
  }
  if (found.empty()) {
    throw Error(fmt::format("no tap '{}': the model has no taps (its forward records nothing; see "
                            "docs/distillation.md)", path));
  }
  const auto paths = tap_paths(model);
  const std::string close = closest_match(path, paths);
  const std::string hint = close.empty() ? "" : fmt::format("; did you mean '{}'?", close);
  throw Error(fmt::format("no tap '{}'{} (taps: {})", path, hint, fmt::join(paths, ", ")));
}

}  // namespace razor
