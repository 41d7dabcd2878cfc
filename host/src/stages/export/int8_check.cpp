#include "stages/export/int8_check.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {

Int8Check compare_int8(Algorithm& algorithm, torch::jit::Module& int8, const BatchLoader& val, c10::Device device) {
  c10::NoGradGuard no_grad;
  algorithm.eval();
  int8.eval();
  Int8Check c;
  std::int64_t same = 0, right_simulated = 0, right_int8 = 0;
  for (std::int64_t i = 0; i < val.batches_per_epoch(); ++i) {
    const Batch b = val.batch(0, i);
    const at::Tensor simulated = algorithm.predict(b.inputs.to(device)).cpu();
    const at::Tensor quantized = int8.forward({b.inputs.cpu()}).toTensor();
    // topk as evaluate() takes it: quantized logits tie often, and argmax breaks ties otherwise.
    const auto predicted = [](const at::Tensor& logits) { return std::get<1>(logits.topk(1, 1)).squeeze(1); };
    const at::Tensor p_sim = predicted(simulated), p_int8 = predicted(quantized), labels = b.targets.cpu();
    same += p_sim.eq(p_int8).sum().item<std::int64_t>();
    right_simulated += p_sim.eq(labels).sum().item<std::int64_t>();
    right_int8 += p_int8.eq(labels).sum().item<std::int64_t>();
    c.max_abs_diff = std::max(c.max_abs_diff, (simulated - quantized).abs().max().item<double>());
    c.images += b.inputs.size(0);
  }
  const double n = static_cast<double>(std::max<std::int64_t>(c.images, 1));
  c.agreement = static_cast<double>(same) / n;
  c.top1_simulated = 100.0 * static_cast<double>(right_simulated) / n;
  c.top1_int8 = 100.0 * static_cast<double>(right_int8) / n;
  return c;
}

void check_int8_gate(const Int8Check& c, double min_agreement, double max_top1_gap) {
  if (c.agreement < min_agreement) {
    throw Error(fmt::format("export refused: the int8 module predicts the simulated model's class on {:.2f}% of the {} "
                            "validation images (export.int8_agreement asks for {:.2f}%)",
                            100 * c.agreement, c.images, 100 * min_agreement));
  }
  // One image's worth is always allowed: on a small validation set one image is more than the gap.
  const double allowed = std::max(max_top1_gap, 100.0 / static_cast<double>(std::max<std::int64_t>(c.images, 1)));
  if (std::abs(c.top1_int8 - c.top1_simulated) > allowed + 1e-9) {
    throw Error(fmt::format("export refused: the int8 module's top-1 is {:.2f}%, the simulated model's {:.2f}% "
                            "(export.int8_top1_gap allows {:g} points, or one of the {} images)",
                            c.top1_int8, c.top1_simulated, max_top1_gap, c.images));
  }
}

}  // namespace razor::host
