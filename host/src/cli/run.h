#pragma once
// `razor-host run`: compose the config, check it completely, then (and only then) write the work dir
// and run the stages.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace razor::host {

struct RunOptions {
  std::string config;
  std::vector<std::string> overrides;  // --set key=value
  std::string work_dir;                // default work_dirs/<config name>
  bool resume = false;
  std::string device;  // overrides runtime.device when set
  std::vector<std::string> plugin_paths;
};

/// Throws razor::ConfigError / PluginError / Error; the caller maps them to exit codes.
void run_command(const RunOptions& options);

/// The options of `run`, shared by `launch`.
void add_run_options(CLI::App* cmd, RunOptions& run);

}  // namespace razor::host
