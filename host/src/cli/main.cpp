// razor-host: the command line, a table of verbs (cli/verbs.h). Every error ends as one line on stderr
// and a non-zero exit: 2 for config and command-line errors, 3 for plugin errors, 1 for anything else;
// a run stopped by SIGINT/SIGTERM exits with 128 + the signal after saving what resumes it.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/logging.h"
#include "base/stop_request.h"
#include "cli/verbs.h"
#include "razor/closest_match.h"
#include "razor/errors.h"

namespace {

using namespace razor::host::cli;
using razor::host::error_line;

constexpr AddVerb kVerbs[] = {add_run,   add_launch, add_eval,    add_flops,         add_plugins,    add_config,
                              add_space, add_units,  add_latency, add_latency_table, add_new_plugin, add_version};

int fail(int code, const std::string& line) {
  std::cerr << "error: " << line << std::endl;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"razor-host: model compression (NAS, pruning, distillation) driven by TOML configs and plugins"};
  app.require_subcommand(1);
  Globals globals;
  app.add_option("--plugin-path", globals.plugin_paths, "extra plugin folder, searched first (repeatable)");
  Action action;
  for (const AddVerb add : kVerbs) add(app, globals, action);

  std::vector<std::string> verbs;
  for (const CLI::App* verb : app.get_subcommands({})) verbs.push_back(verb->get_name());
  if (argc < 2) return fail(2, fmt::format("a command is required ({}); razor-host --help says more", fmt::join(verbs, ", ")));
  // An unknown command is named (CLI11 says only that a subcommand is required, or with --help prints
  // the main help and succeeds).
  if (const std::string first = argv[1]; first[0] != '-' && std::find(verbs.begin(), verbs.end(), first) == verbs.end()) {
    const std::string close = razor::closest_match(first, verbs);
    return fail(2, fmt::format("unknown command '{}'{} (commands: {})", first,
                               close.empty() ? "" : fmt::format(", did you mean '{}'?", close), fmt::join(verbs, ", ")));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // The command line is input like a config: one line naming the command and the argument, exit 2.
    const auto parsed = app.get_subcommands();
    const std::string verb = parsed.empty() ? "" : parsed.front()->get_name() + ": ";
    return fail(2, fmt::format("{}{} (razor-host {}--help says more)", verb, e.what(), parsed.empty() ? "" : parsed.front()->get_name() + " "));
  }

  try {
    return action ? action() : 0;
  } catch (const razor::host::Interrupted& e) {
    std::cerr << "stopped: " << e.what() << std::endl;
    return 128 + e.signal();
  } catch (const razor::ConfigError& e) {
    return fail(2, error_line(e));
  } catch (const razor::PluginError& e) {
    return fail(3, error_line(e));
  } catch (const std::exception& e) {  // razor::Error, LibTorch's c10::Error, the standard library's
    return fail(1, error_line(e));
  }
}
