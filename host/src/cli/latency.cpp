#include "cli/latency.h"
#include "base/timing.h"
#include <iostream>
#include <CLI/CLI.hpp>
#include "cli/verbs.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <torch/script.h>

#include "razor/errors.h"
#include "razor/model_weights.h"
#include "razor/subnet_file.h"
#include "cli/space.h"
#include "cli/torchscript_file.h"

namespace razor::host {
namespace {

void check(const LatencyOptions& o) {
  if (!std::filesystem::exists(o.target)) throw ConfigError(fmt::format("latency: no such file '{}'", o.target));
  if (o.batches.empty() || std::any_of(o.batches.begin(), o.batches.end(), [](auto b) { return b < 1; }))
    throw ConfigError("latency: --batch: expected positive batch sizes, e.g. 1,8,64");
  if (o.runs < 1 || o.warmup < 0) throw ConfigError("latency: --runs must be positive and --warmup not negative");
  if (o.threads < 0) throw ConfigError("latency: --threads must not be negative");
  if (!o.input.empty() && (o.input.size() != 3 || std::any_of(o.input.begin(), o.input.end(), [](auto v) { return v < 1; })))
    throw ConfigError("latency: --input: expected C,H,W of positive sizes, e.g. 1,28,28");
  if (!is_torchscript_target(o.target)) {
    if (o.optimize) throw ConfigError("latency: --optimize applies to a TorchScript file, not a config");
  } else {
    if (!o.subnet.empty() || !o.weights.empty() || !o.overrides.empty())
      throw ConfigError("latency: --subnet, --weights and --set apply to a config, not a TorchScript file");
  }
}

/// The TorchScript file, loaded for inference (and optimised by LibTorch's passes if asked).
torch::jit::Module load_script(const LatencyOptions& o) {
  torch::jit::Module m = load_torchscript_file("latency", o.target);
  return o.optimize ? torch::jit::optimize_for_inference(m) : m;
}

}  // namespace

void latency_command(const LatencyOptions& o, std::ostream& out) {
  check(o);
  // A config's model: built (plugins kept alive by `in`), weights and subnet applied.
  Inspected in;
  torch::jit::Module script;
  std::vector<std::int64_t> shape;
  std::string what;
  if (!is_torchscript_target(o.target)) {
    in = inspect_config({o.target, o.overrides, o.input, o.plugin_paths});
    Model& model = in.algorithm->model();
    if (!o.weights.empty()) load_weights(model, o.weights);
    Mutator* mutator = in.algorithm->mutator();
    if (!o.subnet.empty()) {
      if (!mutator || mutator->groups().empty()) throw ConfigError(fmt::format("latency: {} has no choices for --subnet", o.target));
      mutator->set(load_subnet(o.subnet, mutator->groups()));
    }
    shape.assign(in.image_shape.begin() + 1, in.image_shape.end());
    what = fmt::format("the model of {}{}", o.target, o.subnet.empty() ? "" : " with subnet " + o.subnet);
  } else {
    script = load_script(o);
    shape = torchscript_input("latency", o.target, script, o.input);
    what = fmt::format("{} (TorchScript{})", o.target, o.optimize ? ", optimize_for_inference" : "");
  }
  at::set_num_threads(o.threads > 0 ? static_cast<int>(o.threads) : static_cast<int>(std::thread::hardware_concurrency()));

  out << fmt::format("latency of {}: input [{}], {} threads, cpu; median of {} calls after {} warm-up\n", what,
                     fmt::join(shape, ", "), at::get_num_threads(), o.runs, o.warmup);
  out << "batch   median ms   p10-p90 ms        ms/image   images/s\n";
  c10::NoGradGuard no_grad;
  if (in.algorithm) in.algorithm->eval();
  for (const std::int64_t batch : o.batches) {
    std::vector<std::int64_t> sizes{batch};
    sizes.insert(sizes.end(), shape.begin(), shape.end());
    const at::Tensor x = at::randn(sizes);
    const auto forward = [&] {
      if (in.algorithm) {
        in.algorithm->model().forward(x);
      } else {
        script.forward({x});
      }
    };
    const LatencyRow r = time_calls(forward, batch, o.runs, o.warmup);
    out << fmt::format("{:>5}   {:>9.3f}   {:>7.3f}-{:<7.3f}   {:>8.4f}   {:>8.0f}\n", batch, r.median_ms, r.p10_ms,
                       r.p90_ms, r.median_ms / static_cast<double>(batch), 1000.0 * static_cast<double>(batch) / r.median_ms);
  }
}

void cli::add_latency(CLI::App& app, const Globals& globals, Action& action) {
  auto latency = std::make_shared<LatencyOptions>();
  auto* cmd = app.add_subcommand("latency", "measured inference time of a config's model or a TorchScript file");
  cmd->add_option("target", latency->target, "a TOML config, or a TorchScript file (export/subnet.pt, inference.pt)")
      ->required();
  cmd->add_option("--batch", latency->batches, "batch sizes (default 1,8,64)")->delimiter(',');
  cmd->add_option("--threads", latency->threads, "LibTorch threads (default: all cores)");
  cmd->add_option("--runs", latency->runs, "timed calls per batch size (default 30)");
  cmd->add_option("--warmup", latency->warmup, "untimed calls first (default 5)");
  cmd->add_option("--input", latency->input, "image shape C,H,W (default: a config's dataset, an export's recorded input)")->delimiter(',');
  cmd->add_option("--subnet", latency->subnet, "config: a subnet.toml to apply");
  cmd->add_option("--weights", latency->weights, "config: a model.pt to load");
  cmd->add_option("--set", latency->overrides, "config: override a value in TOML syntax");
  cmd->add_flag("--optimize", latency->optimize, "TorchScript: apply torch::jit::optimize_for_inference after loading");
  cmd->callback([&action, &globals, latency] {
    action = [&globals, latency] {
      latency->plugin_paths = globals.plugin_paths;
      latency_command(*latency, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
