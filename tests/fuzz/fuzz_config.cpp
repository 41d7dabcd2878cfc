// config: a config file, the file it extends and --set overrides, through the loader and every host
// section's typed reads, then the unknown-key check.
// Input: "<config.toml>\n%%\n<base.toml>\n%%\n<one override per line>" (later parts optional).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "config/unread_keys.h"
#include "fuzz_target.h"
#include "razor/errors.h"
#include "session/data_setup.h"
#include "session/sections.h"
#include "stages/export/export_options.h"
#include "stages/search/search_options.h"
#include "stages/train/train_options.h"

namespace razor::fuzz {
namespace {

void read_option(const host::TomlConfigView& view, const OptionInfo& o) {
  const std::string type = o.type;
  if (type == "int") view.get_int(o.name);
  else if (type == "float") view.get_double(o.name);
  else if (type == "bool") view.get_bool(o.name);
  else if (type == "string") view.get_string(o.name);
  else if (type == "int[]") view.get_int_list(o.name);
  else if (type == "float[]") view.get_double_list(o.name);
  else if (type == "string[]") view.get_string_list(o.name);
  else if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0) view.table_list(o.name);  // components
  else if (view.has(o.name)) view.table(o.name);  // a section or a component table
}

// Every option of a section; a refused one is reported like the run would, the rest still read.
void read_section(const host::TomlConfigView& view, const std::vector<OptionInfo>& options, std::string& first_error) {
  for (const auto& o : options) {
    try {
      read_option(view, o);
    } catch (const ConfigError& e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
}

void run(const std::string& bytes) {
  const auto parts = split_parts(bytes);
  const std::string config = write_scratch("config.toml", parts[0]);
  std::filesystem::remove(scratch_dir() + "/base.toml");
  if (parts.size() > 1) write_scratch("base.toml", parts[1]);
  std::vector<std::string> overrides;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    std::istringstream lines(parts[i]);
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  }
  try {
    auto doc = host::load_config(config, overrides);
    auto root = host::TomlConfigView(doc).bind(&host::RootOptions::option_infos(), "host config");
    std::string first_error;
    read_section(*root, host::RootOptions::option_infos(), first_error);
    const std::pair<const char*, const std::vector<OptionInfo>& (*)()> sections[] = {
        {"runtime", &host::RuntimeOptions::option_infos},  {"train", &host::TrainOptions::option_infos},
        {"search", &host::SearchOptions::option_infos},    {"export", &host::ExportOptions::option_infos},
        {"plugins", &host::PluginsOptions::option_infos},  {"distributed", &host::DistributedOptions::option_infos}};
    for (const auto& [key, options] : sections) {
      try {
        read_section(*host::section(*root, key, options()), options(), first_error);
      } catch (const ConfigError& e) {
        if (first_error.empty()) first_error = e.what();
      }
    }
    if (root->has("data")) {
      auto data = host::section(*root, "data", host::DataOptions::option_infos());
      read_section(*data, host::DataOptions::option_infos(), first_error);
    }
    if (!first_error.empty()) throw ConfigError(first_error);
    host::check_all_keys_read(*doc);
  } catch (const ConfigError& e) {
    // Every config fault names where: one of the two files, or the override.
    const std::string what = e.what();
    if (what.find("config.toml") == std::string::npos && what.find("base.toml") == std::string::npos)
      require_names(what, "--set");
  }
}

std::string without_extends(const std::string& file) {
  toml::table t = toml::parse_file(file);
  t.erase("extends");
  std::ostringstream out;
  out << t;
  return out.str();
}

std::vector<Seed> seeds() {
  namespace fs = std::filesystem;
  std::vector<Seed> out;
  const std::string base = without_extends(RAZOR_SOURCE_DIR "/configs/_base_/default_runtime.toml");
  for (const auto& entry : fs::recursive_directory_iterator(RAZOR_SOURCE_DIR "/configs")) {
    if (entry.path().extension() != ".toml") continue;
    const std::string name = entry.path().stem().string();
    out.push_back({name, join_parts({"extends = \"base.toml\"\n" + without_extends(entry.path().string()), base,
                                     "runtime.seed=3\ntrain.epochs=1"})});
  }
  for (const auto& entry : fs::directory_iterator(RAZOR_SOURCE_DIR "/tests/configs/bad")) {
    std::ifstream in(entry.path(), std::ios::binary);
    out.push_back({"bad_" + entry.path().stem().string(), std::string(std::istreambuf_iterator<char>(in), {})});
  }
  return out;
}

}  // namespace

const FuzzTarget& config_target() {
  static const FuzzTarget t{"config", "TOML config + extends + --set, host sections, unknown keys", &run, &seeds};
  return t;
}

}  // namespace razor::fuzz
