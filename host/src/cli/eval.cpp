// `razor-host eval CONFIG --weights FILE`: top-1/top-5 of a config's model with trained weights (razor's
// model.pt or a PyTorch state_dict) on a split of the config's data; nothing is written.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/verbs.h"
#include "razor/errors.h"
#include "razor/model_weights.h"
#include "razor/subnet_file.h"
#include "session/session.h"
#include "stages/train/trainer.h"

namespace razor::host {
namespace {

struct EvalOptions {
  std::string config, weights, split = "test", subnet;
  std::vector<std::string> overrides;
  std::int64_t threads = 0;
};

// The loader of `split`: the test split may be the one the config validates on.
const BatchLoader& split_loader(const DataSetup& data, const std::string& split, const std::string& config) {
  if (split == "train") return *data.train;
  if (split == "val") return *data.val;
  if (data.test) return *data.test;
  if (data.val_from == "the test split") return *data.val;
  throw ConfigError(fmt::format("eval: {}: the data set has no test split; use --split val", config));
}

void eval_command(const EvalOptions& o, const std::vector<std::string>& plugin_paths, std::ostream& out) {
  if (o.split != "train" && o.split != "val" && o.split != "test")
    throw ConfigError(fmt::format("eval: --split: expected train, val or test, got '{}'", o.split));
  Session session({o.config, o.overrides, plugin_paths});
  const auto runtime = read_section<RuntimeOptions>(session.root(), "runtime");
  session.settings().seed = static_cast<std::uint64_t>(runtime.seed);
  if (o.threads > 0) at::set_num_threads(static_cast<int>(o.threads));
  at::manual_seed(runtime.seed);
  auto algorithm = session.build_algorithm();

  const std::string weights = o.weights.empty() ? runtime.load_from : o.weights;
  if (weights.empty()) throw ConfigError("eval: give --weights FILE (or set runtime.load_from in the config)");
  // A model with choices (a supernet, a model being pruned) is evaluated as --subnet sets it, else as
  // it is built: for pruning, the whole model.
  Mutator* mutator = algorithm->mutator();
  const bool has_choices = mutator && !mutator->groups().empty();
  if (!o.subnet.empty()) {
    if (!has_choices) throw ConfigError(fmt::format("eval: {}: the model has no choices for --subnet", o.config));
    mutator->set(load_subnet(o.subnet, mutator->groups()));
  }
  const LoadReport loaded = load_weights(algorithm->model(), weights, read_key_map(*runtime.load_keys));

  const DataSetup data = session.data();
  const BatchLoader& loader = split_loader(data, o.split, o.config);
  const Accuracy acc = evaluate(*algorithm, loader, session.settings().device);
  out << fmt::format("weights: {}\n", loaded.summary());
  if (has_choices && o.subnet.empty())
    out << fmt::format("the model has choices ({} groups); evaluated as built (give --subnet for a subnet)\n",
                       mutator->groups().size());
  out << fmt::format("{} split ({} samples): top-1 {:.2f} %, top-5 {:.2f} %\n", o.split, loader.num_samples(), acc.top1,
                     acc.top5);
}

}  // namespace

void cli::add_eval(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "top-1/top-5 of a config's model with given weights, on a split of its data");
  cmd->add_option("config", options->config, "TOML config file (model, data, runtime.load_keys)")->required();
  cmd->add_option("--weights", options->weights,
                  "razor's model.pt, a PyTorch state_dict or a TorchScript file (default: runtime.load_from)");
  cmd->add_option("--split", options->split, "train, val or test (default test)");
  cmd->add_option("--subnet", options->subnet, "a subnet.toml to apply (a model with choices)");
  cmd->add_option("--threads", options->threads, "LibTorch threads (default: LibTorch's)");
  cmd->add_option("--set", options->overrides, "override a value in TOML syntax");
  cmd->callback([&action, &globals, options] {
    action = [&globals, options] {
      eval_command(*options, globals.plugin_paths, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
