// Config composition: extends, --set overrides, typed reads with declared defaults, unread keys.
#include <filesystem>
#include <fstream>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "config/unread_keys.h"
#include "razor/errors.h"
#include "razor/options.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace razor::host;
using razor::test::error_of;
using razor::test::TempDir;

TEST_CASE("extends merges deeply, later wins, arrays replace; --set overrides") {
  TempDir dir("cfg");
  dir.write("_base_/a.toml", "[train]\nepochs = 5\nval_interval = 2\n[data]\nmean = [1.0, 2.0]\n");
  dir.write("_base_/b.toml", "[train]\nepochs = 7\n");
  const auto main = dir.write("main.toml",
                              "extends = ['_base_/a.toml', '_base_/b.toml']\n[data]\nmean = [3.0]\n");
  auto doc = load_config(main, {"train.val_interval=4", "optimizer.lr=0.5", "data.name='x'"});
  CHECK(doc->root.at_path("train.epochs").value<std::int64_t>() == 7);
  CHECK(doc->root.at_path("train.val_interval").value<std::int64_t>() == 4);
  CHECK(doc->root.at_path("data.mean").as_array()->size() == 1);
  CHECK(doc->root.at_path("optimizer.lr").value<double>() == 0.5);
  CHECK(doc->root.at_path("data.name").value<std::string>() == "x");
  CHECK_FALSE(doc->root.contains("extends"));
  // Values keep the position of the file they came from.
  CHECK(where_of(*doc->root.at_path("train.epochs").node(), "") == dir.path.string() + "/_base_/b.toml:2:10");
}

TEST_CASE("_delete_ = true replaces the base's table instead of merging into it") {
  TempDir dir("cfg");
  dir.write("base.toml", "[model]\ntype = 'resnet'\nwidths = [8]\n[model.head]\nbias = true\n[train]\nepochs = 5\n");
  const auto swap = dir.write("swap.toml", "extends = 'base.toml'\n[model]\n_delete_ = true\ntype = 'torchscript'\n"
                                           "[train]\n_delete_ = false\nval_interval = 1\n");
  auto doc = load_config(swap);
  const toml::table& model = *doc->root["model"].as_table();
  CHECK(model.size() == 1);  // widths and head are gone
  CHECK(doc->root.at_path("model.type").value<std::string>() == "torchscript");
  CHECK(doc->root.at_path("train.epochs").value<std::int64_t>() == 5);  // false: merged
  CHECK_FALSE(doc->root.at_path("train._delete_"));
  // Through --set too, and a table without a base keeps no flag.
  doc = load_config(dir.file("base.toml"), {"model={_delete_=true, type='mlp'}", "extra={_delete_=true, a={_delete_=true}}"});
  CHECK(doc->root["model"].as_table()->size() == 1);
  CHECK(doc->root.at_path("model.type").value<std::string>() == "mlp");
  CHECK(doc->root.at_path("extra").as_table()->size() == 1);
  CHECK(doc->root.at_path("extra.a").as_table()->empty());
  const auto bad = dir.write("bad.toml", "extends = 'base.toml'\n[model]\n_delete_ = 'yes'\n");
  CHECK(error_of([&] { load_config(bad); }) ==
        bad + ":3:12: _delete_: expected true (replace the base's table) or false, got string");
}

TEST_CASE("typed reads: declared defaults, required keys, wrong types, unread keys") {
  TempDir dir("cfg");
  const auto file = dir.write("c.toml", "[train]\nepochs = 'ten'\nepocs = 3\nlr = 0.1\n");
  auto doc = load_config(file);
  static const std::vector<razor::OptionInfo> options{{"epochs", "int", nullptr, "epochs"},
                                                      {"lr", "float", "0.5", "rate"},
                                                      {"gamma", "float", "0.25", "decay"},
                                                      {"steps", "int", nullptr, "steps to run"}};
  auto root = TomlConfigView(doc);
  auto train = std::dynamic_pointer_cast<const TomlConfigView>(root.table("train"))->bind(&options, "test");
  CHECK(error_of([&] { train->get<std::int64_t>("epochs"); }) ==
        file + ":2:10: train.epochs: expected an integer, got string");
  CHECK(train->get<double>("lr") == 0.1);
  CHECK(train->get<double>("gamma") == 0.25);
  CHECK(error_of([&] { train->get<std::int64_t>("steps"); }) ==
        file + ":1:1: train.steps: missing required key (steps to run)");
  CHECK(error_of([&] { train->get<double>("undeclared"); }) == "test reads option 'undeclared' that it did not declare");
  CHECK(error_of([&] { check_all_keys_read(*doc); }) ==
        file + ":3:9: train.epocs: unknown key (did you mean 'epochs'?)");
}

TEST_CASE("--set and extends faults name their source") {
  TempDir dir("cfg");
  const auto a = dir.write("a.toml", "extends = 'b.toml'\n");
  dir.write("b.toml", "extends = ['a.toml']\n");
  CHECK(error_of([&] { load_config(a); }) == dir.path.string() + "/b.toml:1:12: extends: cycle: a.toml -> b.toml -> a.toml");
  const auto c = dir.write("c.toml", "extends = 'missing.toml'\n");
  CHECK(error_of([&] { load_config(c); }) ==
        c + ":1:11: extends: file not found: " + dir.path.string() + "/missing.toml");
  const auto d = dir.write("d.toml", "x = 1\n");
  CHECK(error_of([&] { load_config(d, {"train.epochs=ten"}); }).rfind("--set train.epochs=ten: invalid TOML value", 0) == 0);
  CHECK(error_of([&] { load_config(d, {"x.y=1"}); }) == "--set x.y=1: 'x' holds a value of type integer, not a table");
}

namespace {
struct PathOptions : razor::Options<PathOptions> {
  RAZOR_OPTION(std::string, weights, "a file", "").file_path();
  RAZOR_OPTION(std::string, name, "not a path", "");
};
}  // namespace

TEST_CASE("path options resolve relative to the config file that sets them, as extends does") {
  TempDir dir("cfg_paths");
  dir.write("_base_/models/m.toml", "[net]\nweights = 'w/model.pt'\nname = 'w/model.pt'\n");
  const auto main = dir.write("configs/main.toml", "extends = '../_base_/models/m.toml'\n");
  const auto read = [&](const std::vector<std::string>& overrides) {
    auto doc = load_config(main, overrides);
    auto net = std::dynamic_pointer_cast<const TomlConfigView>(TomlConfigView(doc).table("net"))
                   ->bind(&PathOptions::option_infos(), "test");
    return PathOptions::read(*net);
  };
  const PathOptions from_base = read({});
  CHECK(from_base.weights == (dir.path / "_base_/models/w/model.pt").string());
  CHECK(from_base.name == "w/model.pt");  // only options declared as paths
  CHECK(read({"net.weights='w/other.pt'"}).weights == "w/other.pt");  // --set: the working directory
  CHECK(read({"net.weights='/abs/model.pt'"}).weights == "/abs/model.pt");
  CHECK(read({"net.weights=''"}).weights.empty());
}
