// `razor-host flops CONFIG|FILE.pt`: the multiply-accumulates and parameters of a config's model, or of
// a TorchScript file's (as models/torchscript sees it), per module and in total, counted by the flops
// estimator on one forward pass (any model, searchable or not: a supernet is counted as its current
// or given subnet).
#include <filesystem>
#include <iostream>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "base/logging.h"
#include "cli/space.h"
#include "cli/torchscript_file.h"
#include "cli/verbs.h"
#include "razor/errors.h"
#include "razor/subnet_file.h"

namespace razor::host {
namespace {

struct FlopsOptions {
  SpaceOptions space;
  std::string subnet;
};

// `text` as a TOML string value, as toml++ writes one (quoted, escaped where it must be).
std::string toml_string(const std::string& text) {
  std::ostringstream out;
  out << toml::value<std::string>(text);
  return out.str();
}

// A config of overrides alone: the file as a classifier's architecture, its input given or recorded.
SpaceOptions torchscript_space(const FlopsOptions& o) {
  if (!o.subnet.empty() || !o.space.overrides.empty())
    throw ConfigError("flops: --subnet and --set apply to a config, not a TorchScript file");
  if (!std::filesystem::exists(o.space.config)) throw ConfigError(fmt::format("flops: no such file '{}'", o.space.config));
  const torch::jit::Module script = load_torchscript_file("flops", o.space.config);
  if (script.parameters().size() == 0) {  // the modules' weights are what the count reads
    throw ConfigError(fmt::format("flops: {} has no parameters (a frozen module keeps its weights as constants); count "
                                  "the file it was frozen from (razor's export/subnet.pt for export/inference.pt)",
                                  o.space.config));
  }
  const std::string file = std::filesystem::absolute(o.space.config).string();
  return {"",
          {"algorithm.type='classifier'", "algorithm.architecture.type='torchscript'",
           "algorithm.architecture.file=" + toml_string(file)},
          torchscript_input("flops", o.space.config, script, o.space.input),
          o.space.plugin_paths};
}

void flops_command(const FlopsOptions& o, std::ostream& out) {
  const bool torchscript = is_torchscript_target(o.space.config);
  SpaceOptions space = torchscript ? torchscript_space(o) : o.space;
  space.overrides.emplace_back("estimator.type='flops'");  // whatever estimator the config names
  const Inspected in = [&] {
    try {
      return inspect_config(space);
    } catch (const ConfigError& e) {
      // The file's fault, without the made-up config's place ("--set algorithm.architecture.file=...").
      const std::string what = e.what(), key = "algorithm.architecture.file: ";
      if (!torchscript || what.find(key) == std::string::npos) throw;
      throw ConfigError("flops: " + what.substr(what.find(key) + key.size()));
    }
  }();
  Model& model = in.algorithm->model();
  if (!o.subnet.empty()) {
    Mutator* mutator = in.algorithm->mutator();
    if (!mutator || mutator->groups().empty())
      throw ConfigError(fmt::format("flops: {}: the model has no choices for --subnet", o.space.config));
    mutator->set(load_subnet(o.subnet, mutator->groups()));
  }
  const auto layers = in.estimator->estimate_layers(model, in.image_shape);
  const Costs total = in.estimator->estimate(model, in.image_shape);
  out << fmt::format("{}: input [{}]; MACs and parameters of each module that ran\n", o.space.config,
                     fmt::join(in.image_shape, ", "));
  std::size_t width = 6;
  for (const auto& l : layers) width = std::max(width, l.module.size());
  out << fmt::format("{:<{}}  {:<20}  {:>14}  {:>12}\n", "module", width, "type", "MACs", "params");
  for (const auto& l : layers) {
    out << fmt::format("{:<{}}  {:<20}  {:>14.0f}  {:>12.0f}\n", l.module, width, l.type, l.costs.at("flops"),
                       l.costs.at("params"));
  }
  out << fmt::format("total: {:.0f} MACs ({}), {:.0f} parameters ({})\n", total.at("flops"), si_text(total.at("flops")),
                     total.at("params"), si_text(total.at("params")));
}

}  // namespace

void cli::add_flops(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<FlopsOptions>();
  auto* cmd = app.add_subcommand("flops", "MACs and parameters of a config's model or a TorchScript file, per module and in total");
  add_space_options(cmd, options->space, "a TOML config, or a TorchScript file (from razor's export or Python)");
  cmd->add_option("--subnet", options->subnet, "a subnet.toml to apply (a model with choices)");
  cmd->callback([&action, &globals, options] {
    action = [&globals, options] {
      options->space.plugin_paths = globals.plugin_paths;
      flops_command(*options, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
