#include "criteria.h"

#include <ATen/ATen.h>

#include "razor/errors.h"

namespace razor::pruning {
namespace {

void check_filters(const std::vector<at::Tensor>& filters, const char* who) {
  if (filters.empty()) throw Error(std::string(who) + ": the unit has no filters to score");
  for (const auto& f : filters) {
    if (f.dim() != 2 || f.size(0) != filters.front().size(0)) {
      throw Error(std::string(who) + ": filters must be [channels, features] with the same channels");
    }
  }
}

}  // namespace

at::Tensor L1Pruner::importance(const std::vector<at::Tensor>& filters) {
  check_filters(filters, "pruner/l1");
  at::Tensor sum = at::zeros({filters.front().size(0)}, filters.front().options());
  for (const auto& f : filters) sum += f.abs().mean(1);
  return sum / static_cast<double>(filters.size());
}

at::Tensor FpgmPruner::importance(const std::vector<at::Tensor>& filters) {
  check_filters(filters, "pruner/fpgm");
  const at::Tensor joined = at::cat(filters, 1).to(at::kDouble);
  return at::cdist(joined, joined).sum(1).to(filters.front().scalar_type());
}

}  // namespace razor::pruning
