#include "spos_shufflenet.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>

#include "backbone_taps.h"
#include "global_pool.h"
#include "razor/errors.h"
#include "shufflenet_v2.h"

namespace razor::models {

void SposShuffleNetOptions::validate(const ConfigView& cfg) const {
  check_even_widths(cfg, widths());
  check_per_stage(cfg, "strides", strides(), widths().size());
  check_per_stage(cfg, "repeats", repeats(), widths().size());
  // Known candidate names, each once (a duplicate would be an ambiguous choice).
  const auto& known = spos_candidate_names();
  for (auto it = candidates().begin(); it != candidates().end(); ++it) {
    if (std::find(known.begin(), known.end(), *it) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      cfg.fail("candidates", "unknown candidate '" + *it + "' (known: " + list + ")");
    }
    if (std::find(candidates().begin(), it, *it) != it) cfg.fail("candidates", "'" + *it + "' is listed twice");
  }
  // One probability per candidate, non-negative, summing to 1 (empty: uniform sampling).
  const auto& probs = candidate_probs();
  if (probs.empty()) return;
  if (probs.size() != candidates().size()) cfg.fail("candidate_probs", "needs one probability per candidate");
  double sum = 0;
  for (double p : probs) {
    if (!(p >= 0)) cfg.fail("candidate_probs", "probabilities must not be negative");
    sum += p;
  }
  if (std::abs(sum - 1.0) > 1e-6) cfg.fail("candidate_probs", "probabilities must sum to 1");
}

const std::vector<std::string>& spos_candidate_names() {
  static const std::vector<std::string> names = {"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "shuffle_xception"};
  return names;
}

torch::nn::AnyModule make_spos_candidate(const std::string& name, std::int64_t in, std::int64_t out,
                                         std::int64_t stride) {
  if (name == "shuffle_3x3") return torch::nn::AnyModule(ShuffleUnit(in, out, stride, 3));
  if (name == "shuffle_5x5") return torch::nn::AnyModule(ShuffleUnit(in, out, stride, 5));
  if (name == "shuffle_7x7") return torch::nn::AnyModule(ShuffleUnit(in, out, stride, 7));
  if (name == "shuffle_xception") return torch::nn::AnyModule(ShuffleXception(in, out, stride));
  std::string known;
  for (const auto& n : spos_candidate_names()) known += (known.empty() ? "" : ", ") + n;
  throw razor::Error("unknown SPOS candidate '" + name + "' (candidates: " + known + ")");
}

SposShuffleNetImpl::SposShuffleNetImpl(const SposShuffleNetOptions& o) : options(o) {
  stem = register_module("stem", ConvBn(ConvBnOptions(o.in_channels(), o.stem_channels(), 3).stride(o.stem_stride())));
  blocks = register_module("blocks", torch::nn::Sequential());
  std::int64_t channels = o.stem_channels();
  for (std::size_t s = 0; s < o.widths().size(); ++s) {
    for (std::int64_t r = 0; r < o.repeats()[s]; ++r) {
      const std::int64_t stride = r == 0 ? o.strides()[s] : 1;
      // No alias: each block is its own search group, keyed by its path "blocks.<i>".
      razor::OneShotOp op;
      for (const auto& name : o.candidates()) op->add(name, make_spos_candidate(name, channels, o.widths()[s], stride));
      op->set_probs(o.candidate_probs());
      blocks->push_back(op);
      channels = o.widths()[s];
    }
  }
  if (o.last_channels() > 0) {
    last = register_module("last", ConvBn(ConvBnOptions(channels, o.last_channels(), 1)));
    channels = o.last_channels();
  }
  fc = register_module("fc", torch::nn::Linear(channels, o.num_classes()));
  taps = register_module("taps", backbone_taps("blocks", blocks->size(), static_cast<bool>(last)));
}

at::Tensor SposShuffleNetImpl::forward(const at::Tensor& x) {
  at::Tensor y = taps->record("stem", stem->forward(x));
  if (options.stem_pool()) y = at::max_pool2d(y, {3, 3}, {2, 2}, {1, 1});
  y = forward_blocks(*taps, blocks, y);
  if (last) y = taps->record("last", last->forward(y));
  return taps->record("fc", fc->forward(taps->record("pool", global_pool(y))));
}

std::string SposShuffleNetImpl::torchscript_forward() const {
  std::string s = "def forward(self, x: Tensor) -> Tensor:\n    x = self.stem.forward(x)\n";
  if (options.stem_pool()) s += "    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])\n";
  s += "    x = self.blocks.forward(x)\n";
  if (last) s += "    x = self.last.forward(x)\n";
  return s + "    return self.fc.forward(" + global_pool_script("x") + ")\n";
}

razor::OneShotOpImpl& SposShuffleNetImpl::block(std::size_t i) { return blocks->at<razor::OneShotOpImpl>(i); }

}  // namespace razor::models
