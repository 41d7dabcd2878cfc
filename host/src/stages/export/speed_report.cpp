#include "stages/export/speed_report.h"

#include <algorithm>
#include <functional>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/script.h>

#include "stages/export/inference_module.h"
#include "razor/torchscript_export.h"
#include "base/timing.h"

namespace razor::host {

std::string speed_warning(const SpeedReport& r) {
  const auto f0 = r.original_costs.find("flops"), f1 = r.export_costs.find("flops");
  if (f0 == r.original_costs.end() || f1 == r.export_costs.end() || f0->second <= 0) return "";
  const double flops_ratio = f1->second / f0->second;
  if (flops_ratio > kFlopsCut) return "";
  double best = 0;
  std::int64_t best_batch = 0;
  for (const auto& row : r.rows) {
    for (const double s : {row.original_eager_ms / row.export_eager_ms, row.export_inference_ms > 0
                                                                          ? row.original_inference_ms / row.export_inference_ms
                                                                          : 0.0}) {
      if (s > best) best = s, best_batch = row.batch;
    }
  }
  if (best >= kNoSpeedUp) return "";
  return fmt::format("FLOPs cut to {:.0f}% of the original, but at best {:.2f}x faster (batch {}): these widths do not "
                     "suit the kernels; try widths on multiples of 8 (mutator.divisor = 8) or a latency_ms target "
                     "(razor-host latency-table)",
                     100.0 * flops_ratio, best, best_batch);
}

SpeedReport compare_speed(const SpeedSetup& s, Model& exported, const torch::jit::Module* exported_inference,
                          bool channels_last) {
  c10::NoGradGuard no_grad;
  SpeedReport r;
  r.threads = at::get_num_threads();
  auto original = s.build_original();
  if (Mutator* m = original->mutator(); m && !m->groups().empty()) m->fix(m->sample(SampleKind::max));
  original->eval();
  exported.eval();
  std::optional<torch::jit::Module> original_inference;
  if (exported_inference) original_inference = inference_module(to_torchscript(original->model()), channels_last);
  if (s.estimator) {
    r.original_costs = s.estimator->estimate(original->model(), s.image_shape);
    r.export_costs = s.estimator->estimate(exported, s.image_shape);
  }

  for (const std::int64_t batch : s.batches) {
    std::vector<std::int64_t> sizes = s.image_shape;
    sizes[0] = batch;
    const at::Tensor x = at::randn(sizes);
    SpeedRow row{batch};
    // Two rounds, original and export in turn, the lower median of each kept: the first timings of a
    // process, and a drift of the machine's speed, would otherwise favour one side.
    const auto time = [&](double& best, const std::function<void()>& forward) {
      const double ms = time_calls(forward, batch, s.runs, s.warmup).median_ms;
      best = best > 0 ? std::min(best, ms) : ms;
    };
    for (int round = 0; round < 2; ++round) {
      time(row.original_eager_ms, [&] { original->model().forward(x); });
      time(row.export_eager_ms, [&] { exported.forward(x); });
      if (exported_inference) {
        auto e = *exported_inference;  // a handle: forward() is not const
        time(row.original_inference_ms, [&] { original_inference->forward({x}); });
        time(row.export_inference_ms, [&] { e.forward({x}); });
      }
    }
    r.rows.push_back(row);
  }
  r.warning = speed_warning(r);
  return r;
}

std::string speed_toml(const SpeedReport& r) {
  std::vector<std::int64_t> batches;
  std::vector<std::string> oe, ee, oi, ei;
  for (const auto& row : r.rows) {
    batches.push_back(row.batch);
    oe.push_back(fmt::format("{:.4g}", row.original_eager_ms));
    ee.push_back(fmt::format("{:.4g}", row.export_eager_ms));
    oi.push_back(fmt::format("{:.4g}", row.original_inference_ms));
    ei.push_back(fmt::format("{:.4g}", row.export_inference_ms));
  }
  std::string t = fmt::format(
      "\n[speed]  # is it faster? the export against the original (the config's model at its largest subnet),\n"
      "# median milliseconds per call on this machine; inference = frozen TorchScript (-1: not written)\n"
      "threads = {}\nbatches = [{}]\noriginal_eager_ms = [{}]\nexport_eager_ms = [{}]\n"
      "original_inference_ms = [{}]\nexport_inference_ms = [{}]\n",
      r.threads, fmt::join(batches, ", "), fmt::join(oe, ", "), fmt::join(ee, ", "), fmt::join(oi, ", "), fmt::join(ei, ", "));
  for (const auto& [k, v] : r.original_costs) t += fmt::format("original_{} = {:.0f}\n", k, v);
  if (!r.warning.empty()) t += fmt::format("warning = \"{}\"\n", r.warning);
  return t;
}

std::vector<std::string> speed_lines(const SpeedReport& r) {
  std::vector<std::string> lines;
  std::string head = fmt::format("is it faster? the export against the original (largest subnet), {} threads", r.threads);
  for (const auto& [name, original] : r.original_costs) {
    if (const auto it = r.export_costs.find(name); it != r.export_costs.end() && original > 0)
      head += fmt::format("; {} {:.0f}% of the original", name, 100.0 * it->second / original);
  }
  lines.push_back(head);
  lines.push_back("  batch   eager: original ms  export ms  speed-up   inference: original ms  export ms  speed-up");
  for (const auto& row : r.rows) {
    std::string line = fmt::format("  {:>5}          {:>9.3f}  {:>9.3f}  {:>7.2f}x", row.batch, row.original_eager_ms,
                                   row.export_eager_ms, row.original_eager_ms / row.export_eager_ms);
    if (row.export_inference_ms > 0)
      line += fmt::format("              {:>9.3f}  {:>9.3f}  {:>7.2f}x", row.original_inference_ms, row.export_inference_ms,
                          row.original_inference_ms / row.export_inference_ms);
    lines.push_back(line);
  }
  return lines;
}

}  // namespace razor::host
