// `razor-host units CONFIG`: the channel units of the config's model (razor/channel_units.h), with
// the modules each one slices and why a unit is not prunable, then the ops the analysis did not know.
#include <ATen/ATen.h>
#include <iostream>
#include <CLI/CLI.hpp>
#include "cli/verbs.h"
#include <fmt/format.h>

#include "razor/channel_units.h"
#include "cli/space.h"

namespace razor::host {
namespace {

std::string slices_text(const std::vector<ChannelSlice>& slices) {
  std::string out;
  for (const auto& s : slices) {
    out += fmt::format("{}{} {} [{}, {})", out.empty() ? "" : ", ", s.module, to_string(s.role), s.start, s.end);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

void units_command(const SpaceOptions& options, std::ostream& out) {
  const Inspected in = inspect_config(options);
  Model& model = in.algorithm->model();
  at::TensorOptions tensor_options;
  for (const auto& p : model.parameters()) tensor_options = tensor_options.dtype(p.dtype()).device(p.device());
  const ChannelAnalysis analysis = analyse_channels(model, at::zeros(in.image_shape, tensor_options));
  std::size_t prunable = 0;
  for (const auto& u : analysis.units) prunable += u.prunable;
  out << fmt::format("channel units of {} at input [{}]: {} prunable of {}\n", options.config,
                     fmt::join(in.image_shape, ", "), prunable, analysis.units.size());
  for (const auto& u : analysis.units) {
    out << fmt::format("  {}: {} channels, {}\n", u.name, u.channels,
                       u.prunable ? std::string("prunable") : "not prunable: " + u.why_not);
    out << fmt::format("    out: {}\n    in:  {}\n", slices_text(u.output_related), slices_text(u.input_related));
  }
  out << (analysis.barriers.empty() ? "barriers: none\n" : "barriers (ops the analysis does not know; their channels stay):\n");
  for (const auto& b : analysis.barriers) out << "  " << b << '\n';
}

void cli::add_units(CLI::App& app, const Globals& globals, Action& action) {
  auto units = std::make_shared<SpaceOptions>();
  auto* cmd = app.add_subcommand("units", "a config's channel units, as channel pruning finds them");
  add_space_options(cmd, *units);
  cmd->callback([&action, &globals, units] {
    action = [&globals, units] {
      units->plugin_paths = globals.plugin_paths;
      units_command(*units, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
