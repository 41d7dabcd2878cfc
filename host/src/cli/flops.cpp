// `razor-host flops CONFIG`: the multiply-accumulates and parameters of a config's model, per module
// and in total, counted by the flops estimator on one forward pass (any model, searchable or not: a
// supernet is counted as its current or given subnet).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/logging.h"
#include "cli/space.h"
#include "cli/verbs.h"
#include "razor/errors.h"
#include "razor/subnet_file.h"

namespace razor::host {
namespace {

struct FlopsOptions {
  SpaceOptions space;
  std::string subnet;
};

void flops_command(const FlopsOptions& o, std::ostream& out) {
  SpaceOptions space = o.space;
  space.overrides.emplace_back("estimator.type='flops'");  // whatever estimator the config names
  const Inspected in = inspect_config(space);
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
  auto* cmd = app.add_subcommand("flops", "MACs and parameters of a config's model, per module and in total");
  add_space_options(cmd, options->space);
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
