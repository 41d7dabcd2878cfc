#include "run/space_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "plugins/host_context.h"
#include "plugins/load_registry.h"
#include "razor/errors.h"
#include "razor/estimator.h"
#include "run/data_setup.h"
#include "run/logging.h"
#include "run/sections.h"

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
  in.registry = load_registry(options.plugin_paths);
  auto doc = load_config(options.config, options.overrides);
  auto root = TomlConfigView(doc).bind(&sections::root(), "host config");
  RunSettings settings;
  settings.logger = make_logger();
  HostContext ctx(*in.registry, root, settings);
  in.algorithm = ctx.build<Algorithm>("algorithm");
  in.build_algorithm = [registry = in.registry, root, settings] {
    return HostContext(*registry, root, settings).build<Algorithm>("algorithm");
  };
  if (root->has("estimator")) in.estimator = ctx.build<Estimator>("estimator");
  if (!options.input.empty()) {
    if (options.input.size() != 3) throw ConfigError("--input: expected C,H,W (e.g. 3,224,224)");
    in.image_shape = {1};
    in.image_shape.insert(in.image_shape.end(), options.input.begin(), options.input.end());
  } else {
    in.image_shape = prepare_data(*root, *in.registry, settings).image_shape;
  }
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

}  // namespace razor::host
