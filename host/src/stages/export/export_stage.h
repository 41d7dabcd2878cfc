#pragma once
// The export stage: fixes the chosen subnet (unchosen candidates freed, pruned channels sliced away),
// checks that the static model computes what the model with that subnet set computes (max |diff| <=
// 1e-5) at the estimator's costs for the subnet — else it refuses and writes nothing — and writes
// export/: model.pt (LibTorch archive), subnet.pt (TorchScript), inference.pt (TorchScript frozen with
// batch norm folded, within 1e-4 of the subnet or refused too; for a razor::Int8Exportable model the
// int8 module, gated by its agreement with the simulated model instead), subnet.toml,
// check_input.pt/check_output.pt and report.toml (with the speed report, when asked).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "session/data_setup.h"
#include "stages/export/inference_module.h"
#include "stages/export/int8_check.h"
#include "stages/export/speed_report.h"
#include "razor/estimator.h"
#include "stages/search/subnet_scorer.h"

namespace razor::host {

struct ExportSetup {
  Algorithm* algorithm = nullptr;
  Estimator* estimator = nullptr;           // may be null
  SubnetScorer* scorer = nullptr;           // null: no choices left, or one subnet (kept as trained)
  std::optional<Subnet> subnet;             // required when the model still has choices
  const BatchLoader* val = nullptr;
  std::int64_t check_samples = 16;
  bool torchscript = true;
  bool inference = true;                    // with torchscript: also the frozen inference.pt
  std::string inference_layout = "auto";    // contiguous, channels_last, or auto (the faster, timed)
  std::vector<std::int64_t> layout_batches{1, 64};  // auto times both layouts at these batch sizes
  std::vector<std::int64_t> image_shape;    // [1, C, H, W]
  InputSpec input;                          // recorded with the export: how to feed it
  c10::Device device{c10::kCPU};
  std::string work_dir;
  spdlog::logger* logger = nullptr;
  std::optional<SpeedSetup> speed;          // after a search or pruning: the "is it faster?" report
  double int8_agreement = 0.995, int8_top1_gap = 0.1;  // the int8 gate (export_options.h)
};

struct ExportReport {
  double top1 = 0;                     // validation accuracy of the exported model
  double max_abs_diff_static = 0;      // supernet with the path vs fixed model
  double max_abs_diff_torchscript = -1;  // vs the TorchScript module reloaded (-1: not written)
  std::string torchscript_path;           // "source", "traced" or "script" (razor::ScriptPath)
  std::vector<std::int64_t> traced_batch_sizes;  // traced: the batch sizes it was checked at
  double max_abs_diff_inference = -1;    // vs the inference module reloaded (-1: not written)
  LayoutChoice inference_layout;         // the inference module's memory layout, and why
  double params = 0, supernet_params = 0;
  Costs costs;
  std::optional<SpeedReport> speed;
  std::optional<Int8Check> int8;         // an int8 inference.pt against the simulated model
  std::string int8_engine;
};

ExportReport run_export(const ExportSetup& setup);

/// Largest output difference the export gate accepts between the subnet and its static model.
inline constexpr double kMaxExportDiff = 1e-5;

/// The gate: throws razor::Error "export refused: ..." unless the static model's outputs are within
/// kMaxExportDiff of the subnet's and its estimated costs equal `subnet_costs` (the subnet's).
void check_export_gate(const ExportReport& report, const Costs& subnet_costs);

}  // namespace razor::host
