#pragma once
// The verbs of razor-host's command line, one file each (cli/<verb>.cpp). A verb adds its subcommand
// and options to the app and, when that subcommand is given, sets the action that runs it and returns
// the exit code. main.cpp is the table of verbs.
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace razor::host::cli {

/// Options before the verb, shared by all.
struct Globals {
  std::vector<std::string> plugin_paths;
};

using Action = std::function<int()>;
using AddVerb = void (*)(CLI::App& app, const Globals& globals, Action& action);

void add_run(CLI::App& app, const Globals& globals, Action& action);
void add_launch(CLI::App& app, const Globals& globals, Action& action);
void add_plugins(CLI::App& app, const Globals& globals, Action& action);
void add_config(CLI::App& app, const Globals& globals, Action& action);
void add_space(CLI::App& app, const Globals& globals, Action& action);
void add_units(CLI::App& app, const Globals& globals, Action& action);
void add_eval(CLI::App& app, const Globals& globals, Action& action);
void add_flops(CLI::App& app, const Globals& globals, Action& action);
void add_latency(CLI::App& app, const Globals& globals, Action& action);
void add_latency_table(CLI::App& app, const Globals& globals, Action& action);
void add_new_plugin(CLI::App& app, const Globals& globals, Action& action);
void add_version(CLI::App& app, const Globals& globals, Action& action);

}  // namespace razor::host::cli
