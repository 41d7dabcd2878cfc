#pragma once
// `razor-host run`: compose the config, check it completely, then (and only then) write the work dir
// and run the stages.
#include <string>
#include <vector>

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

}  // namespace razor::host
