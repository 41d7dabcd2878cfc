#include "parallel/model_sync.h"

#include <cmath>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {

BufferSync parse_buffer_sync(const std::string& text) {
  if (text == "rank0") return BufferSync::rank0;
  if (text == "average") return BufferSync::average;
  throw Error(fmt::format("expected rank0 or average, got '{}'", text));
}

namespace {

// Collectives take tensors on the group's device; a module's may live elsewhere (CPU model, NCCL).
std::vector<at::Tensor> staged(const std::vector<at::Tensor>& live, c10::Device device) {
  std::vector<at::Tensor> out;
  for (const auto& t : live) out.push_back(t.detach().to(device).contiguous());
  return out;
}

void copy_back(std::vector<at::Tensor>& live, const std::vector<at::Tensor>& reduced) {
  c10::NoGradGuard no_grad;
  for (std::size_t i = 0; i < live.size(); ++i) live[i].copy_(reduced[i]);
}

}  // namespace

void broadcast_module(Group& group, torch::nn::Module& module) {
  std::vector<at::Tensor> live = module.parameters();
  for (const auto& b : module.buffers()) live.push_back(b);
  auto copies = staged(live, group.device());
  group.broadcast(copies, 0);
  copy_back(live, copies);
}

void sync_buffers(Group& group, torch::nn::Module& module, BufferSync mode) {
  std::vector<at::Tensor> averaged, copied;
  for (const auto& b : module.buffers()) {
    (mode == BufferSync::average && b.is_floating_point() ? averaged : copied).push_back(b);
  }
  if (!averaged.empty()) {
    auto sums = staged(averaged, group.device());
    group.all_reduce_sum(sums);
    for (auto& s : sums) s.div_(group.size());
    copy_back(averaged, sums);
  }
  if (!copied.empty()) {
    auto copies = staged(copied, group.device());
    group.broadcast(copies, 0);
    copy_back(copied, copies);
  }
}

void check_ranks_agree(Group& group, torch::nn::Module& module, const std::string& where) {
  c10::NoGradGuard no_grad;
  double sum = 0;
  std::int64_t k = 0;
  // Weighted by position, so that two parameters swapping values changes the sum.
  for (const auto& p : module.parameters()) sum += static_cast<double>(++k) * p.to(at::kDouble).abs().sum().item<double>();
  const auto sums = group.all_gather(sum);
  for (std::size_t r = 1; r < sums.size(); ++r) {
    if (std::abs(sums[r] - sums[0]) > 1e-9 * std::max(1.0, std::abs(sums[0]))) {
      throw Error(fmt::format("{}: the ranks' models differ: rank {}'s parameters are not rank 0's (checksums {:.17g} and "
                              "{:.17g}); every rank must take the same step (same seed, same subnet)",
                              where, r, sums[r], sums[0]));
    }
  }
}

}  // namespace razor::host
