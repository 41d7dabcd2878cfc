#include "parallel/gradient_sync.h"

#include <csignal>

#include <ATen/ATen.h>

namespace razor::host {
namespace {

// Two counters after the usage flags: ranks stopping on SIGINT, ranks stopping on another signal.
void put_stop(double* slots, int stop) {
  slots[0] = stop == SIGINT ? 1.0 : 0.0;
  slots[1] = stop != 0 && stop != SIGINT ? 1.0 : 0.0;
}

int agreed_stop(const at::Tensor& slots) {
  const auto cpu = slots.to(at::kCPU, at::kDouble).contiguous();
  const auto v = cpu.accessor<double, 1>();
  if (v[0] > 0) return SIGINT;
  if (v[1] > 0) return SIGTERM;
  return 0;
}

}  // namespace

GradientSync::GradientSync(Group& group, std::vector<at::Tensor> parameters, std::int64_t bucket_bytes)
    : group_(group), params_(std::move(parameters)) {
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    const bool fits = !buckets_.empty() && bytes + p.numel() * p.element_size() <= bucket_bytes &&
                      params_[buckets_.back().front()].scalar_type() == p.scalar_type() &&
                      params_[buckets_.back().front()].device() == p.device();
    if (!fits) {
      buckets_.emplace_back();
      bytes = 0;
    }
    buckets_.back().push_back(i);
    bytes += p.numel() * p.element_size();
  }
}

int GradientSync::reduce(int stop) {
  if (params_.empty()) return agree_on_stop(group_, stop);
  const auto n = static_cast<std::int64_t>(params_.size());
  const auto& first = params_[buckets_.front().front()];
  std::vector<double> flags(static_cast<std::size_t>(n) + 2, 0.0);  // which parameters this rank used
  for (std::size_t i = 0; i < params_.size(); ++i) flags[i] = params_[i].grad().defined() ? 1.0 : 0.0;
  put_stop(&flags[static_cast<std::size_t>(n)], stop);
  std::vector<at::Tensor> flats;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    std::vector<at::Tensor> parts;
    for (std::size_t i : buckets_[b]) {
      const at::Tensor& g = params_[i].grad();
      parts.push_back(g.defined() ? g.reshape(-1) : at::zeros({params_[i].numel()}, params_[i].options()));
    }
    if (b == 0) {
      parts.push_back(at::tensor(flags, at::TensorOptions().dtype(at::kDouble)).to(first.options()));
    }
    flats.push_back(at::cat(parts));
  }
  group_.all_reduce_sum(flats);

  const double inv = 1.0 / group_.size();
  const at::Tensor used = flats[0].narrow(0, flats[0].numel() - n - 2, n).to(at::kCPU, at::kDouble).contiguous();
  const auto used_by = used.accessor<double, 1>();
  const int agreed = agreed_stop(flats[0].narrow(0, flats[0].numel() - 2, 2));
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    flats[b].mul_(inv);
    std::int64_t offset = 0;
    for (std::size_t i : buckets_[b]) {
      auto& p = params_[i];
      if (used_by[static_cast<std::int64_t>(i)] > 0) {
        p.mutable_grad() = flats[b].narrow(0, offset, p.numel()).view(p.sizes());
      } else {
        p.mutable_grad().reset();
      }
      offset += p.numel();
    }
  }
  return agreed;
}

int agree_on_stop(Group& group, int stop) {
  double slots[2];
  put_stop(slots, stop);
  std::vector<at::Tensor> t{at::tensor({slots[0], slots[1]}, at::TensorOptions().dtype(at::kFloat)).to(group.device())};
  group.all_reduce_sum(t);
  return agreed_stop(t[0]);
}

}  // namespace razor::host
