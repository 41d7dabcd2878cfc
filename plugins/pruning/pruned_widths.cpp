#include "pruned_widths.h"

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::pruning {

void PrunedWidths::update() {
  groups_.clear();
  for (const auto& u : slicer_.units()) groups_.push_back({u.name, {std::to_string(slicer_.active().at(u.name))}, {}});
}

Subnet PrunedWidths::current() const {
  Subnet subnet;
  for (const auto& g : groups_) subnet[g.key] = g.choices.front();
  return subnet;
}

void PrunedWidths::set(const Subnet& subnet) {
  const Subnet widths = current();
  for (const auto& [key, choice] : subnet) {
    const auto it = widths.find(key);
    if (it == widths.end()) throw Error(fmt::format("pruned model: no prunable channel unit '{}'", key));
    if (it->second != choice) {
      throw Error(fmt::format("pruned model: unit '{}' has {} channels, not {} (a pruned model has one subnet)", key,
                              it->second, choice));
    }
  }
  for (const auto& [key, choice] : widths) {
    if (!subnet.count(key)) throw Error(fmt::format("pruned model: the subnet has no width for unit '{}'", key));
  }
}

void PrunedWidths::fix(const Subnet& subnet) {
  set(subnet);
  slicer_.slim();
}

}  // namespace razor::pruning
