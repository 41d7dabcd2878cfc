#include "cli/latency_table.h"
#include "base/timing.h"
#include <iostream>
#include <CLI/CLI.hpp>
#include "cli/verbs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/script.h>

#include "stages/export/inference_module.h"
#include "razor/errors.h"
#include "razor/torchscript_export.h"
#include "cli/latency.h"
#include "cli/space.h"
#include "stages/search/latency_table.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

void check(const LatencyTableOptions& o) {
  if (!fs::exists(o.config)) throw ConfigError(fmt::format("latency-table: no such file '{}'", o.config));
  if (o.form != "inference" && o.form != "eager")
    throw ConfigError(fmt::format("latency-table: --form: expected inference or eager, got '{}'", o.form));
  if (o.batch < 1) throw ConfigError("latency-table: --batch must be positive");
  if (o.threads < 0) throw ConfigError("latency-table: --threads must not be negative");
  if (o.runs < 1 || o.warmup < 0) throw ConfigError("latency-table: --runs must be positive and --warmup not negative");
  if (o.repeats < 1) throw ConfigError("latency-table: --repeats must be positive");
  if (o.samples < 0) throw ConfigError("latency-table: --samples must not be negative");
}

// A fresh model with a subnet fixed, in the table's form, timed alone as a deployment runs it (models
// timed in turns run slower: measured 15-25 % for twelve copies of one model).
class SubnetTimer {
 public:
  SubnetTimer(const Inspected& in, const LatencyTableOptions& o, std::vector<std::int64_t> sizes)
      : in_(in), o_(o), x_(at::randn(sizes)) {}

  double median_ms(const Subnet& subnet) const {
    c10::NoGradGuard no_grad;
    auto algorithm = in_.build_algorithm();
    algorithm->mutator()->fix(subnet);
    algorithm->eval();
    if (o_.form == "eager")
      return time_calls([&] { algorithm->model().forward(x_); }, o_.batch, o_.runs, o_.warmup).median_ms;
    torch::jit::Module script = inference_module(to_torchscript(algorithm->model()));
    return time_calls([&] { script.forward({x_}); }, o_.batch, o_.runs, o_.warmup).median_ms;
  }

 private:
  const Inspected& in_;
  const LatencyTableOptions& o_;
  at::Tensor x_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

std::string machine_description() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      model = line.substr(line.find(':') + 1);
      model.erase(0, model.find_first_not_of(' '));
      break;
    }
  }
  model.erase(std::remove(model.begin(), model.end(), '"'), model.end());
  return fmt::format("{} ({} cores)", model, std::thread::hardware_concurrency());
}

void latency_table_command(const LatencyTableOptions& o, std::ostream& out) {
  check(o);
  const Inspected in = inspect_config({o.config, o.overrides, o.input, o.plugin_paths});
  Mutator* mutator = in.algorithm->mutator();
  if (!mutator || mutator->groups().empty())
    throw ConfigError(fmt::format("latency-table: {} has no search space (its model has no choices)", o.config));
  const auto& groups = mutator->groups();
  at::set_num_threads(o.threads > 0 ? static_cast<int>(o.threads) : static_cast<int>(std::thread::hardware_concurrency()));

  LatencyTable table;
  table.config = o.config;
  table.machine = machine_description();
  table.form = o.form;
  table.threads = at::get_num_threads();
  table.batch = o.batch;
  table.input.assign(in.image_shape.begin() + 1, in.image_shape.end());
  std::vector<std::int64_t> sizes{o.batch};
  sizes.insert(sizes.end(), table.input.begin(), table.input.end());
  const SubnetTimer timer(in, o, sizes);

  out << fmt::format("latency table of {}: {} groups; fixed subnets' {} models timed at batch {}, {} threads, median "
                     "of {} calls, {} fresh models each\n", o.config, groups.size(), o.form, o.batch, table.threads, o.runs,
                     o.repeats);
  out.flush();

  // Each change is the median over `repeats` rounds of (choice - reference), both timed in the round
  // on fresh models: a drift of the machine's speed shifts no change, and one model's luck (timings of
  // fresh copies of one model spread by a few percent) is outvoted.
  const Subnet reference = reference_subnet(groups);
  // The first timings of an operation in a process run slow (measured: 50 % for a while), so every
  // choice of every group runs once, untimed, first.
  for (std::size_t i = 0; i < std::max_element(groups.begin(), groups.end(), [](auto& a, auto& b) {
         return a.choices.size() < b.choices.size(); })->choices.size(); ++i) {
    Subnet each;
    for (const auto& g : groups) each[g.key] = g.choices[std::min(i, g.choices.size() - 1)];
    timer.median_ms(each);
  }
  std::vector<double> reference_ms;
  for (const auto& g : groups) {
    std::map<std::string, std::vector<double>> changes;
    for (std::int64_t r = 0; r < o.repeats; ++r) {
      const double ref = timer.median_ms(reference);
      reference_ms.push_back(ref);
      for (const auto& c : g.choices) {
        if (c == reference.at(g.key)) continue;
        Subnet trial = reference;
        trial[g.key] = c;
        changes[c].push_back(timer.median_ms(trial) - ref);
      }
    }
    auto& row = table.delta_ms[g.key];
    std::string line = fmt::format("  {}:", g.key);
    for (const auto& c : g.choices) {
      row[c] = c == reference.at(g.key) ? 0.0 : median(changes[c]);
      line += fmt::format(" {} {:+.4f}", c, row[c]);
    }
    out << line << " ms\n";
    out.flush();
  }
  table.base_ms = median(reference_ms);
  out << fmt::format("reference subnet (each group's middle choice): {:.4f} ms\n", table.base_ms);

  if (o.samples > 0) {
    std::mt19937_64 rng(o.seed);
    std::vector<double> errors;
    out << "check on random subnets:  predicted ms   measured ms   error\n";
    for (std::int64_t i = 0; i < o.samples; ++i) {
      const Subnet subnet = sample_subnet(groups, SampleKind::random, rng);
      std::vector<double> timings;
      for (std::int64_t r = 0; r < o.repeats; ++r) timings.push_back(timer.median_ms(subnet));
      const double predicted = table.predict(subnet), measured = median(timings);
      errors.push_back(std::abs(predicted - measured) / measured);
      out << fmt::format("  subnet {:>3}               {:>9.4f}     {:>9.4f}   {:>5.1f}%\n", i + 1, predicted, measured,
                         100.0 * errors.back());
      out.flush();
    }
    table.samples = o.samples;
    table.median_error = median(errors);
    table.worst_error = *std::max_element(errors.begin(), errors.end());
    out << fmt::format("prediction error on {} random subnets: median {:.1f}%, worst {:.1f}%\n", o.samples,
                       100.0 * table.median_error, 100.0 * table.worst_error);
  }
  if (const double fastest = table.fastest_prediction(); fastest <= 0) {
    out << fmt::format("warning: the table predicts {:.4f} ms for its fastest subnet: the measurements were too noisy "
                       "(a busy machine?); measure again with more --runs and --repeats, or on a quiet machine\n", fastest);
  }
  const std::string file =
      o.out.empty() ? fmt::format("work_dirs/{}/latency_table.toml", fs::path(o.config).stem().string()) : o.out;
  if (const auto dir = fs::path(file).parent_path(); !dir.empty()) fs::create_directories(dir);
  save_latency_table(table, file);
  out << fmt::format("wrote {} (use it with --set \"search.latency_table='{}'\")\n", file, file);
}

void cli::add_latency_table(CLI::App& app, const Globals& globals, Action& action) {
  auto table = std::make_shared<LatencyTableOptions>();
  auto* cmd = app.add_subcommand(
      "latency-table", "measure a latency table of a config's search space (for search.latency_table) and check it");
  cmd->add_option("config", table->config, "TOML config file with a search space")->required();
  cmd->add_option("--set", table->overrides, "override a value in TOML syntax");
  cmd->add_option("--input", table->input, "image shape C,H,W (default: the config's dataset)")->delimiter(',');
  cmd->add_option("-o,--out", table->out, "table file (default work_dirs/<config name>/latency_table.toml)");
  cmd->add_option("--form", table->form, "what is timed: inference (frozen TorchScript, default) or eager");
  cmd->add_option("--batch", table->batch, "batch size the latencies are for (default 1)");
  cmd->add_option("--threads", table->threads, "LibTorch threads (default: all cores)");
  cmd->add_option("--runs", table->runs, "timed calls per measurement (default 30)");
  cmd->add_option("--warmup", table->warmup, "untimed calls first (default 5)");
  cmd->add_option("--repeats", table->repeats, "fresh models timed per entry, median kept (default 3)");
  cmd->add_option("--samples", table->samples, "random subnets the prediction is checked on (default 10)");
  cmd->add_option("--seed", table->seed, "seed of those subnets (default 0)");
  cmd->callback([&action, &globals, table] {
    action = [&globals, table] {
      table->plugin_paths = globals.plugin_paths;
      latency_table_command(*table, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
