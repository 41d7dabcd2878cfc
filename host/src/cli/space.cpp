#include "cli/space.h"
#include <iostream>
#include <CLI/CLI.hpp>
#include "cli/verbs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "razor/errors.h"
#include "session/session.h"
#include "razor/estimator.h"

namespace razor::host {
namespace {

// The cheapest and dearest subnet for one cost, chosen group by group against the all-minimum subnet:
// exact when a group's cost does not depend on the other groups' choices (one-shot op spaces).
std::pair<Subnet, Subnet> extremes(Mutator& mutator, Estimator& estimator, Model& model,
                                   const std::vector<std::int64_t>& shape, const std::string& cost) {
  std::mt19937_64 unused;
  const Subnet base = sample_subnet(mutator.groups(), SampleKind::min, unused);
  Subnet low = base, high = base;
  for (const auto& group : mutator.groups()) {
    double best_low = 0, best_high = 0;
    for (std::size_t i = 0; i < group.choices.size(); ++i) {
      Subnet trial = base;
      trial[group.key] = group.choices[i];
      mutator.set(trial);
      const double v = estimator.estimate(model, shape).at(cost);
      if (i == 0 || v < best_low) best_low = v, low[group.key] = group.choices[i];
      if (i == 0 || v > best_high) best_high = v, high[group.key] = group.choices[i];
    }
  }
  return {low, high};
}

}  // namespace

Inspected inspect_config(const SpaceOptions& options) {
  Inspected in;
  in.session = std::make_shared<Session>(SessionOptions{options.config, options.overrides, options.plugin_paths});
  in.algorithm = in.session->build_algorithm();
  in.build_algorithm = [session = in.session] { return session->build_algorithm(); };
  in.estimator = in.session->build_estimator();
  in.image_shape = in.session->image_shape(options.input);
  return in;
}

void space_command(const SpaceOptions& options, std::ostream& out) {
  const Inspected in = inspect_config(options);
  Algorithm* algorithm = in.algorithm.get();
  Estimator* estimator = in.estimator.get();
  const std::vector<std::int64_t>& shape = in.image_shape;

  Mutator* mutator = algorithm->mutator();
  if (!mutator || mutator->groups().empty()) {
    out << fmt::format("{}: the model has no choices (no search space)\n", options.config);
    return;
  }
  const auto& groups = mutator->groups();
  out << fmt::format("search space of {}: {} groups, {:.4g} subnets\n", options.config, groups.size(),
                     space_size(groups));
  for (const auto& g : groups) out << fmt::format("  {}: {}\n", g.key, fmt::join(g.choices, ", "));
  if (!estimator) return;
  algorithm->eval();
  std::mt19937_64 unused;
  mutator->set(sample_subnet(groups, SampleKind::min, unused));
  const Costs costs = estimator->estimate(algorithm->model(), shape);
  for (const auto& [name, _] : costs) {
    const auto [low, high] = extremes(*mutator, *estimator, algorithm->model(), shape, name);
    mutator->set(low);
    const double lo = estimator->estimate(algorithm->model(), shape).at(name);
    mutator->set(high);
    const double hi = estimator->estimate(algorithm->model(), shape).at(name);
    out << fmt::format("{} at input [{}]: min {:.6g}, max {:.6g}\n", name, fmt::join(shape, ", "), lo, hi);
    out << fmt::format("  min subnet: {}\n  max subnet: {}\n", subnet_text(low), subnet_text(high));
  }
}

void add_space_options(CLI::App* cmd, SpaceOptions& options, const std::string& target_help) {
  cmd->add_option("config", options.config, target_help)->required();
  cmd->add_option("--set", options.overrides, "override a value in TOML syntax");
  cmd->add_option("--input", options.input, "image shape C,H,W (default: the config's dataset)")->delimiter(',');
}

void cli::add_space(CLI::App& app, const Globals& globals, Action& action) {
  auto space = std::make_shared<SpaceOptions>();
  auto* cmd = app.add_subcommand("space", "a config's search space: groups, choices, cost range");
  add_space_options(cmd, *space);
  cmd->callback([&action, &globals, space] {
    action = [&globals, space] {
      space->plugin_paths = globals.plugin_paths;
      space_command(*space, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
