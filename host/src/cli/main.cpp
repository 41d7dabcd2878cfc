// razor-host: the command line, a table of verbs (cli/verbs.h). Every error ends as one line on stderr
// and a non-zero exit: 2 for config errors, 3 for plugin errors, 1 for anything else; a run stopped by
// SIGINT/SIGTERM exits with 128 + the signal after saving what resumes it.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include "base/stop_request.h"
#include "cli/verbs.h"
#include "razor/errors.h"

namespace {

using namespace razor::host::cli;

constexpr AddVerb kVerbs[] = {add_run,   add_launch, add_eval,    add_flops,         add_plugins,    add_config,
                              add_space, add_units,  add_latency, add_latency_table, add_new_plugin, add_version};

// The first line of a message; for LibTorch's TorchScript interpreter, whose first line only says that
// something failed, with the line that says what (its last).
std::string one_line(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  if (line.find("failed in the TorchScript interpreter") != std::string::npos) {
    const auto end = message.find_last_not_of("\n ");
    if (end != std::string::npos) {
      const auto start = message.rfind('\n', end);
      line += " " + message.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
    }
  }
  return line;
}

int fail(int code, const std::string& message) {
  std::cerr << "error: " << one_line(message) << std::endl;
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    return action ? action() : 0;
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
}
