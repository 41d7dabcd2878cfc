#include "stages/export/export_stage.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/script.h>
#include <torch/serialize.h>

#include "stages/export/inference_module.h"
#include "stages/export/input_record.h"
#include "razor/errors.h"
#include "razor/int8_exportable.h"
#include "razor/model_weights.h"
#include "razor/subnet_file.h"
#include "razor/torchscript_export.h"
#include "base/atomic_file.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

double count_params(torch::nn::Module& m) {
  double n = 0;
  for (const auto& p : m.parameters()) n += static_cast<double>(p.numel());
  return n;
}

at::Tensor eval_outputs(Algorithm& algorithm, const at::Tensor& inputs) {
  c10::NoGradGuard no_grad;
  algorithm.eval();
  return algorithm.predict(inputs).cpu();
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

// What kMaxInferenceDiff is relative to: the largest output, at least 1.
double output_scale(const at::Tensor& outputs) { return std::max(1.0, outputs.abs().max().item<double>()); }

at::Tensor script_outputs(torch::jit::Module module, const at::Tensor& inputs) {
  c10::NoGradGuard no_grad;
  module.eval();
  return module.forward({inputs}).toTensor().cpu();
}

// A traced file is fixed to what the traced call did; the batch sizes it gives the model's outputs at:
// the traced one, and one other when that works too (a forward that reads sizes as numbers bakes them in).
std::vector<std::int64_t> traced_batch_sizes(Algorithm& algorithm, const torch::jit::Module& traced,
                                             const at::Tensor& inputs) {
  std::vector<std::int64_t> sizes{inputs.size(0)};
  const at::Tensor other = at::cat({inputs, inputs.narrow(0, 0, 1)});
  try {
    const at::Tensor expected = eval_outputs(algorithm, other);
    if (max_abs_diff(script_outputs(traced, other), expected) <= kMaxInferenceDiff * output_scale(expected))
      sizes.push_back(other.size(0));
  } catch (const std::exception&) {  // the traced graph refuses another batch size
  }
  return sizes;
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

void write_report(const std::string& path, const ExportReport& r, const std::string& dir, const InputSpec& input) {
  std::string text = "# razor export report: the exported model against the supernet with the chosen path\n";
  text += fmt::format("top1 = {:.4f}\nmax_abs_diff_static = {:.6g}\n", r.top1, r.max_abs_diff_static);
  if (r.max_abs_diff_torchscript >= 0) {
    text += fmt::format("max_abs_diff_torchscript = {:.6g}\ntorchscript_path = \"{}\"\n", r.max_abs_diff_torchscript,
                        r.torchscript_path);
    if (!r.traced_batch_sizes.empty())
      text += fmt::format("traced_batch_sizes = [{}]  # where the traced file was checked\n", fmt::join(r.traced_batch_sizes, ", "));
  }
  if (r.max_abs_diff_inference >= 0) {
    text += fmt::format("max_abs_diff_inference = {:.6g}\n", r.max_abs_diff_inference);
    if (!r.inference_layout.layout.empty()) text += fmt::format("inference_layout = \"{}\"\n", r.inference_layout.layout);
    if (const LayoutChoice& l = r.inference_layout; !l.batches.empty()) {
      text += fmt::format("inference_layout_timed = {{ batches = [{}], contiguous_ms = [{:.4g}], channels_last_ms = [{:.4g}] }}\n",
                          fmt::join(l.batches, ", "), fmt::join(l.contiguous_ms, ", "), fmt::join(l.channels_last_ms, ", "));
    }
  }
  text += fmt::format("params = {:.0f}\nsupernet_params = {:.0f}\n", r.params, r.supernet_params);
  text += "\n[costs]  # the estimator's, per image\n";
  for (const auto& [k, v] : r.costs) text += fmt::format("{} = {:.0f}\n", k, v);
  text += "\n[file_bytes]\n";
  for (const char* f : {"model.pt", "subnet.pt", "inference.pt"})
    if (fs::exists(dir + "/" + f)) text += fmt::format("\"{}\" = {}\n", f, fs::file_size(dir + "/" + f));
  if (r.int8) {
    text += fmt::format("\n[int8]  # inference.pt (int8 kernels) against the simulated model, on the validation images\n"
                        "engine = \"{}\"\nimages = {}\nagreement = {:.6f}\ntop1_simulated = {:.4f}\ntop1_int8 = {:.4f}\n"
                        "max_abs_diff = {:.6g}\n",
                        r.int8_engine, r.int8->images, r.int8->agreement, r.int8->top1_simulated, r.int8->top1_int8,
                        r.int8->max_abs_diff);
  }
  if (r.speed) text += speed_toml(*r.speed);
  text += input_toml(input);
  write_file_atomically(path, text);
}

}  // namespace

void check_export_gate(const ExportReport& r, const Costs& subnet_costs) {
  if (!(r.max_abs_diff_static <= kMaxExportDiff)) {
    throw Error(fmt::format("export refused: the static model's outputs differ from the subnet's by {:.3g} "
                            "(more than {:g}) on the check images",
                            r.max_abs_diff_static, kMaxExportDiff));
  }
  for (const auto& [name, value] : subnet_costs) {
    const auto it = r.costs.find(name);
    if (it == r.costs.end() || it->second != value) {
      throw Error(fmt::format("export refused: the static model's {} is {:.0f}, the subnet's was {:.0f}", name,
                              it == r.costs.end() ? -1.0 : it->second, value));
    }
  }
}

ExportReport run_export(const ExportSetup& s) {
  Algorithm& algorithm = *s.algorithm;
  auto& log = *s.logger;
  const std::string dir = s.work_dir + "/export";
  ExportReport report;
  report.supernet_params = count_params(algorithm.model());

  // Fixed inputs for the equivalence check: the first validation images.
  at::Tensor inputs = s.val->batch(0, 0).inputs;
  inputs = inputs.narrow(0, 0, std::min<std::int64_t>(inputs.size(0), std::max<std::int64_t>(s.check_samples, 1)));
  inputs = inputs.to(s.device);

  Mutator* mutator = algorithm.mutator();
  const bool has_choices = mutator && !mutator->groups().empty();
  if (has_choices) {
    if (!s.subnet) throw Error("export: the model still has choices; run the search stage or set export.subnet");
    if (s.scorer) {
      s.scorer->prepare_for_export(*s.subnet);  // its batch-norm statistics, recalibrated, go into the export
    } else {
      mutator->set(*s.subnet);
    }
  }
  const at::Tensor reference = eval_outputs(algorithm, inputs);
  const Costs subnet_costs = s.estimator ? s.estimator->estimate(algorithm.model(), s.image_shape) : Costs{};
  if (has_choices) mutator->fix(*s.subnet);
  const at::Tensor fixed = eval_outputs(algorithm, inputs);
  report.max_abs_diff_static = max_abs_diff(reference, fixed);
  report.params = count_params(algorithm.model());
  if (s.estimator) report.costs = s.estimator->estimate(algorithm.model(), s.image_shape);
  check_export_gate(report, subnet_costs);
  // The TorchScript modules are made, and the inference one checked, before anything is written.
  std::optional<torch::jit::Module> scripted, inference;
  auto* int8_model = dynamic_cast<Int8Exportable*>(&algorithm.model());
  if (s.torchscript) {
    algorithm.model().eval();
    ScriptPath path = ScriptPath::source;
    scripted = to_torchscript(algorithm.model(), inputs, &path);
    report.torchscript_path = path == ScriptPath::source ? "source" : path == ScriptPath::traced ? "traced" : "script";
    if (path == ScriptPath::traced) report.traced_batch_sizes = traced_batch_sizes(algorithm, *scripted, inputs);
    if (s.inference && int8_model) {
      inference = int8_model->int8_module();
      report.int8_engine = int8_model->int8_engine();
      report.int8 = compare_int8(algorithm, *inference, *s.val, s.device);
      check_int8_gate(*report.int8, s.int8_agreement, s.int8_top1_gap);
      report.max_abs_diff_inference = max_abs_diff(reference, script_outputs(*inference, inputs.cpu()));
    } else if (s.inference) {
      std::vector<at::Tensor> probes;
      for (const std::int64_t batch : s.layout_batches) {
        std::vector<std::int64_t> sizes = s.image_shape;
        sizes[0] = batch;
        probes.push_back(at::randn(sizes, inputs.options()));
      }
      inference = inference_module(*scripted, s.inference_layout, probes, 10, report.inference_layout);
      report.max_abs_diff_inference = max_abs_diff(reference, script_outputs(*inference, inputs));
      const double scale = output_scale(reference);
      if (!(report.max_abs_diff_inference <= kMaxInferenceDiff * scale)) {
        throw Error(fmt::format("export refused: the inference module's outputs differ from the subnet's by {:.3g} "
                                "(more than {:g} x the largest output, {:.3g}) on the check images",
                                report.max_abs_diff_inference, kMaxInferenceDiff, scale));
      }
    }
  }
  report.top1 = evaluate(algorithm, *s.val, s.device).top1;
  fs::create_directories(dir);

  save_weights(algorithm.model(), dir + "/model.pt");
  if (has_choices) save_subnet(dir + "/subnet.toml", *s.subnet);
  // A copy: the narrowed batch would pickle the storage of the whole batch.
  write_bytes(dir + "/check_input.pt", torch::pickle_save(inputs.cpu().clone()));
  write_bytes(dir + "/check_output.pt", torch::pickle_save(fixed));

  // Each file is checked as it loads back.
  if (scripted) {
    record_input(*scripted, s.input);
    save_script_module(*scripted, dir + "/subnet.pt");
    report.max_abs_diff_torchscript = max_abs_diff(reference, script_outputs(torch::jit::load(dir + "/subnet.pt", s.device), inputs));
  }
  if (inference) {
    record_input(*inference, s.input);
    save_script_module(*inference, dir + "/inference.pt");
    const c10::Device where = int8_model ? c10::Device(c10::kCPU) : s.device;  // int8 kernels are the CPU's
    report.max_abs_diff_inference =
        max_abs_diff(reference, script_outputs(torch::jit::load(dir + "/inference.pt", where), inputs.to(where)));
  }
  if (s.speed && has_choices) {
    if (s.device.is_cpu()) {
      report.speed = compare_speed(*s.speed, algorithm.model(), inference ? &*inference : nullptr,
                                   report.inference_layout.layout == "channels_last");
    } else {
      log.info("export: the speed report times on the CPU only; skipped on {}", s.device.str());
    }
  }
  write_report(dir + "/report.toml", report, dir, s.input);

  const auto diff_text = [](double d) { return d >= 0 ? fmt::format("{:.3g}", d) : std::string("-"); };
  if (scripted && report.torchscript_path == "traced") {
    if (report.traced_batch_sizes.size() > 1) {
      log.info("export: subnet.pt was traced (the model has no TorchScript source): fixed to the traced control flow; "
               "checked at batch sizes {}", fmt::join(report.traced_batch_sizes, " and "));
    } else {
      log.warn("export: subnet.pt was traced and works at batch size {} only: the model's forward reads sizes as "
               "numbers (razor::Scriptable gives a shape-generic file)", report.traced_batch_sizes.at(0));
    }
  }
  log.info("export: max |diff| against the model before export: static {:.3g}, TorchScript {}, inference {}",
           report.max_abs_diff_static, diff_text(report.max_abs_diff_torchscript),
           diff_text(report.max_abs_diff_inference));
  log.info("export: {:.0f} parameters ({:.0f} before export); validation top-1 {:.2f}%", report.params,
           report.supernet_params, report.top1);
  if (report.int8) {
    log.info("export: inference.pt is int8 ({} engine): top-1 {:.2f}% (simulated {:.2f}%), the same class on {:.2f}% of "
             "{} validation images, max |diff| {:.3g}", report.int8_engine, report.int8->top1_int8,
             report.int8->top1_simulated, 100 * report.int8->agreement, report.int8->images, report.int8->max_abs_diff);
  }
  if (const LayoutChoice& l = report.inference_layout; !l.batches.empty()) {
    log.info("export: inference.pt in the {} layout, the faster at batch sizes {} (contiguous {:.3f} ms, channels-last "
             "{:.3f} ms)", l.layout, fmt::join(l.batches, ", "), fmt::join(l.contiguous_ms, ", "),
             fmt::join(l.channels_last_ms, ", "));
  }
  if (report.speed) {
    for (const auto& line : speed_lines(*report.speed)) log.info("export: {}", line);
    if (!report.speed->warning.empty()) log.warn("export: {}", report.speed->warning);
  }
  log.info("export outputs in {}: model.pt{}, report.toml", dir,
           !scripted ? "" : !inference ? ", subnet.pt (TorchScript)"
                          : int8_model ? ", subnet.pt (TorchScript, simulated int8), inference.pt (int8)"
                                       : ", subnet.pt (TorchScript), inference.pt (frozen)");
  return report;
}

}  // namespace razor::host
