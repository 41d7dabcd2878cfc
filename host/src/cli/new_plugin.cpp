#include "cli/new_plugin.h"
#include <iostream>
#include <CLI/CLI.hpp>
#include "cli/verbs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "razor/errors.h"
#include "cli/plugin_templates.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

// my_loss -> MyLoss
std::string camel_case(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The install prefix of this razor-host (bin/..), for the build hint.
std::string prefix_of_this_host() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("<razor install prefix>") : exe.parent_path().parent_path().string();
}

}  // namespace

void new_plugin_command(const NewPluginOptions& o, std::ostream& out) {
  const bool good_name = !o.name.empty() && std::islower(static_cast<unsigned char>(o.name[0])) &&
                         std::all_of(o.name.begin(), o.name.end(), [](char c) {
                           return std::islower(static_cast<unsigned char>(c)) ||
                                  std::isdigit(static_cast<unsigned char>(c)) || c == '_';
                         });
  if (!good_name) {
    throw ConfigError(fmt::format("new-plugin: '{}' is not a plugin name (expected lower_case: a-z, 0-9, _)", o.name));
  }
  const auto& kinds = scaffold_kinds();
  if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) {
    throw ConfigError(fmt::format("new-plugin: --kind {}: no template (available: {})", o.kind, fmt::join(kinds, ", ")));
  }
  const fs::path dir = o.dir.empty() ? fs::path(o.name) : fs::path(o.dir);
  if (fs::exists(dir)) throw ConfigError(fmt::format("new-plugin: {} already exists; choose another --dir", dir.string()));

  // Written to a sibling temporary folder and renamed, so a failure leaves nothing half-written.
  const fs::path tmp = dir.string() + ".tmp-new-plugin";
  fs::remove_all(tmp);
  std::vector<std::string> written;
  for (const auto& file : plugin_templates(o.kind)) {
    const std::string path = replace_all(file.path, "@NAME@", o.name);
    std::string text = replace_all(file.text, "@NAME@", o.name);
    text = replace_all(replace_all(text, "@CLASS@", camel_case(o.name)), "@KIND@", o.kind);
    fs::create_directories((tmp / path).parent_path());
    std::ofstream(tmp / path) << text;
    written.push_back(path);
  }
  if (!dir.parent_path().empty()) fs::create_directories(dir.parent_path());
  fs::rename(tmp, dir);

  out << fmt::format("wrote {}/: {}\n", dir.string(), fmt::join(written, ", "));
  out << fmt::format("build and test:  cmake -S {0} -B {0}/build -DCMAKE_PREFIX_PATH={1} && cmake --build {0}/build "
                     "&& ctest --test-dir {0}/build\n",
                     dir.string(), prefix_of_this_host());
  out << fmt::format("run:  RAZOR_PLUGIN_PATH={0}/build razor-host run {0}/configs/{1}.toml\n", dir.string(), o.name);
}

void cli::add_new_plugin(CLI::App& app, const Globals&, Action& action) {
  auto scaffold = std::make_shared<NewPluginOptions>();
  auto* cmd = app.add_subcommand("new-plugin", "write an out-of-tree plugin project to build against the SDK");
  cmd->add_option("name", scaffold->name, "plugin and component name (lower_case)")->required();
  cmd->add_option("--kind", scaffold->kind, "component kind: algorithm, dataset, loss, model or searcher")->required();
  cmd->add_option("--dir", scaffold->dir, "project folder (default ./NAME)");
  cmd->callback([&action, scaffold] {
    action = [scaffold] {
      new_plugin_command(*scaffold, std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
