// razor-host: the command line. Every error ends as one line on stderr and a non-zero exit:
// 2 for config errors, 3 for plugin errors, 1 for anything else; a run stopped by SIGINT/SIGTERM
// exits with 128 + the signal after saving what resumes it.
#include <iostream>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include "dist/launch_command.h"
#include "razor/errors.h"
#include "run/info_commands.h"
#include "run/latency_command.h"
#include "run/latency_table_command.h"
#include "run/new_plugin_command.h"
#include "run/run_command.h"
#include "run/stop_request.h"
#include "run/space_command.h"

namespace {

int fail(int code, const std::string& message) {
  std::cerr << "error: " << message.substr(0, message.find('\n')) << std::endl;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"razor-host: model compression (NAS, pruning, distillation) driven by TOML configs and plugins"};
  app.require_subcommand(1);
  std::vector<std::string> plugin_paths;
  app.add_option("--plugin-path", plugin_paths, "extra plugin folder, searched first (repeatable)");

  const auto add_run_options = [](CLI::App* cmd, razor::host::RunOptions& run) {
    cmd->add_option("config", run.config, "TOML config file")->required();
    cmd->add_option("--set", run.overrides, "override a value in TOML syntax: --set train.epochs=3");
    cmd->add_option("--work-dir", run.work_dir, "output folder (default work_dirs/<config name>)");
    cmd->add_flag("--resume", run.resume, "continue from the work dir's latest checkpoint");
    cmd->add_option("--device", run.device, "cpu, cuda or cuda:N (overrides runtime.device)");
  };
  razor::host::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "compose CONFIG and run its stages in a work dir");
  add_run_options(run_cmd, run);
  razor::host::RunOptions launched;
  razor::host::LaunchOptions launch;
  auto* launch_cmd = app.add_subcommand("launch", "`run` in N local processes, data parallel (c10d Gloo on loopback)");
  launch_cmd->add_option("--nproc", launch.nproc, "number of worker processes")->required();
  launch_cmd->add_option("--port", launch.port, "rendezvous port on 127.0.0.1 (default: a free one)");
  add_run_options(launch_cmd, launched);

  auto* plugins_cmd = app.add_subcommand("plugins", "inspect plugins and components");
  plugins_cmd->require_subcommand(1);
  auto* list_cmd = plugins_cmd->add_subcommand("list", "every component with its plugin");
  std::string info_name;
  auto* info_cmd = plugins_cmd->add_subcommand("info", "a plugin's or a component's docs and options");
  info_cmd->add_option("name", info_name, "plugin name, component key (model/resnet) or name")->required();
  auto* markdown_cmd = plugins_cmd->add_subcommand("markdown", "every option of every section and component, as markdown");
  std::string verify_file;
  auto* verify_cmd = plugins_cmd->add_subcommand("verify", "check a plugin file without running its components");
  verify_cmd->add_option("file", verify_file, "the plugin's .so")->required();

  auto* config_cmd = app.add_subcommand("config", "inspect configs");
  config_cmd->require_subcommand(1);
  std::string show_file;
  std::vector<std::string> show_sets;
  auto* show_cmd = config_cmd->add_subcommand("show", "print the composed config");
  show_cmd->add_option("config", show_file, "TOML config file")->required();
  show_cmd->add_option("--set", show_sets, "override a value in TOML syntax");

  razor::host::SpaceOptions space;
  auto* space_cmd = app.add_subcommand("space", "a config's search space: groups, choices, cost range");
  space_cmd->add_option("config", space.config, "TOML config file")->required();
  space_cmd->add_option("--set", space.overrides, "override a value in TOML syntax");
  space_cmd->add_option("--input", space.input, "image shape C,H,W (default: the config's dataset)")->delimiter(',');
  razor::host::SpaceOptions units;
  auto* units_cmd = app.add_subcommand("units", "a config's channel units, as channel pruning finds them");
  units_cmd->add_option("config", units.config, "TOML config file")->required();
  units_cmd->add_option("--set", units.overrides, "override a value in TOML syntax");
  units_cmd->add_option("--input", units.input, "image shape C,H,W (default: the config's dataset)")->delimiter(',');

  razor::host::LatencyOptions latency;
  auto* latency_cmd = app.add_subcommand("latency", "measured inference time of a config's model or a TorchScript file");
  latency_cmd->add_option("target", latency.target, "a TOML config, or a TorchScript file (export/subnet.pt, inference.pt)")
      ->required();
  latency_cmd->add_option("--batch", latency.batches, "batch sizes (default 1,8,64)")->delimiter(',');
  latency_cmd->add_option("--threads", latency.threads, "LibTorch threads (default: all cores)");
  latency_cmd->add_option("--runs", latency.runs, "timed calls per batch size (default 30)");
  latency_cmd->add_option("--warmup", latency.warmup, "untimed calls first (default 5)");
  latency_cmd->add_option("--input", latency.input, "image shape C,H,W (a config: default its dataset's)")->delimiter(',');
  latency_cmd->add_option("--subnet", latency.subnet, "config: a subnet.toml to apply");
  latency_cmd->add_option("--weights", latency.weights, "config: a model.pt to load");
  latency_cmd->add_option("--set", latency.overrides, "config: override a value in TOML syntax");
  latency_cmd->add_flag("--optimize", latency.optimize, "TorchScript: apply torch::jit::optimize_for_inference after loading");
  razor::host::LatencyTableOptions table;
  auto* table_cmd = app.add_subcommand(
      "latency-table", "measure a latency table of a config's search space (for search.latency_table) and check it");
  table_cmd->add_option("config", table.config, "TOML config file with a search space")->required();
  table_cmd->add_option("--set", table.overrides, "override a value in TOML syntax");
  table_cmd->add_option("--input", table.input, "image shape C,H,W (default: the config's dataset)")->delimiter(',');
  table_cmd->add_option("-o,--out", table.out, "table file (default work_dirs/<config name>/latency_table.toml)");
  table_cmd->add_option("--form", table.form, "what is timed: inference (frozen TorchScript, default) or eager");
  table_cmd->add_option("--batch", table.batch, "batch size the latencies are for (default 1)");
  table_cmd->add_option("--threads", table.threads, "LibTorch threads (default: all cores)");
  table_cmd->add_option("--runs", table.runs, "timed calls per measurement (default 30)");
  table_cmd->add_option("--warmup", table.warmup, "untimed calls first (default 5)");
  table_cmd->add_option("--repeats", table.repeats, "fresh models timed per entry, median kept (default 3)");
  table_cmd->add_option("--samples", table.samples, "random subnets the prediction is checked on (default 10)");
  table_cmd->add_option("--seed", table.seed, "seed of those subnets (default 0)");
  razor::host::NewPluginOptions scaffold;
  auto* new_cmd = app.add_subcommand("new-plugin", "write an out-of-tree plugin project to build against the SDK");
  new_cmd->add_option("name", scaffold.name, "plugin and component name (lower_case)")->required();
  new_cmd->add_option("--kind", scaffold.kind, "component kind: algorithm, loss, model or searcher")->required();
  new_cmd->add_option("--dir", scaffold.dir, "project folder (default ./NAME)");

  auto* version_cmd = app.add_subcommand("version", "versions and the plugin build tag");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    run.plugin_paths = plugin_paths;
    if (*run_cmd) {
      razor::host::install_stop_handlers();
      razor::host::run_command(run);
    }
    launched.plugin_paths = plugin_paths;
    if (*launch_cmd) return razor::host::launch_command(launch, launched);
    if (*list_cmd) return razor::host::plugins_list(plugin_paths, std::cout);
    if (*info_cmd) razor::host::plugins_info(plugin_paths, info_name, std::cout);
    if (*markdown_cmd) razor::host::plugins_markdown(plugin_paths, std::cout);
    if (*verify_cmd) return razor::host::plugins_verify(plugin_paths, verify_file, std::cout);
    if (*show_cmd) razor::host::config_show(show_file, show_sets, std::cout);
    space.plugin_paths = plugin_paths;
    if (*space_cmd) razor::host::space_command(space, std::cout);
    units.plugin_paths = plugin_paths;
    if (*units_cmd) razor::host::units_command(units, std::cout);
    latency.plugin_paths = plugin_paths;
    if (*latency_cmd) razor::host::latency_command(latency, std::cout);
    table.plugin_paths = plugin_paths;
    if (*table_cmd) razor::host::latency_table_command(table, std::cout);
    if (*new_cmd) razor::host::new_plugin_command(scaffold, std::cout);
    if (*version_cmd) razor::host::version(std::cout);
  } catch (const razor::host::Interrupted& e) {
    std::cerr << "stopped: " << e.what() << std::endl;
    return 128 + e.signal();
  } catch (const razor::ConfigError& e) {
    return fail(2, e.what());
  } catch (const razor::PluginError& e) {
    return fail(3, e.what());
  } catch (const razor::Error& e) {
    return fail(1, e.what());
  } catch (const c10::Error& e) {
    return fail(1, e.what_without_backtrace());
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 0;
}
