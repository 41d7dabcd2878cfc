// Plugin loading and the registry: descriptor checks, duplicate keys, building by config, and the
// rule that an object keeps its plugin library loaded for exactly as long as it lives.
#include <dlfcn.h>

#include <ATen/ATen.h>
#include <spdlog/sinks/null_sink.h>

#include "config/config_loader.h"
#include "loader/host_context.h"
#include "loader/loaded_plugin.h"
#include "loader/registry.h"
#include "razor/errors.h"
#include "razor/loss.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

using namespace razor::host;

namespace {

const std::string kGood = std::string(RAZOR_BINARY_DIR) + "/tests/fixtures/good/good.so";

bool is_loaded(const std::string& file) {
  void* handle = ::dlopen(file.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle) ::dlclose(handle);
  return handle != nullptr;
}

std::shared_ptr<ConfigDocument> document(const std::string& toml_text) {
  auto doc = std::make_shared<ConfigDocument>();
  doc->file = "inline.toml";
  doc->root = toml::parse(toml_text, std::string_view("inline.toml"));
  return doc;
}

}  // namespace

TEST_CASE("a built component keeps its plugin loaded, and only as long as it lives") {
  CHECK_FALSE(is_loaded(kGood));
  std::shared_ptr<razor::Loss> loss;
  {
    auto registry = std::make_unique<Registry>();
    registry->add(load_plugin(kGood));
    CHECK(is_loaded(kGood));
    REQUIRE(registry->find("loss", "fixture_l1") != nullptr);
    CHECK(registry->names("loss") == std::vector<std::string>{"fixture_l1"});

    SUBCASE("the same key twice is refused, naming both plugins") {
      try {
        registry->add(load_plugin(kGood));
        FAIL("duplicate accepted");
      } catch (const razor::PluginError& e) {
        CHECK(std::string(e.what()) == kGood + ": duplicate component key 'loss/fixture_l1': got it from plugin "
                                               "'fixture_good', expected it only once (already registered by plugin "
                                               "'fixture_good' from " + kGood + ")");
      }
    }

    auto doc = document("[loss]\ntype = 'fixture_l1'\nscale = 2.0\n");
    RunSettings settings;
    settings.logger = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
    HostContext ctx(*registry, std::make_shared<TomlConfigView>(doc), settings);
    loss = ctx.build<razor::Loss>("loss");
  }
  // Registry and plugin handle are gone; the object still works because it pins its library.
  REQUIRE(loss);
  CHECK(is_loaded(kGood));
  at::Tensor logits = at::zeros({1, 2});
  at::Tensor labels = at::zeros({1}, at::kLong);
  CHECK(loss->forward(logits, labels).item<double>() == doctest::Approx(1.0));  // 2 * mean(|[0,0]-[1,0]|)
  loss.reset();
  CHECK_FALSE(is_loaded(kGood));
}

TEST_CASE("type resolution: short and full names, wrong kind, unknown with suggestions") {
  Registry registry;
  registry.add(load_plugin(kGood));
  RunSettings settings;
  settings.logger = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  const auto error_of = [&](const std::string& text) -> std::string {
    auto doc = document(text);
    HostContext ctx(registry, std::make_shared<TomlConfigView>(doc), settings);
    try {
      ctx.build<razor::Loss>("loss");
    } catch (const razor::Error& e) {
      return e.what();
    }
    return "(built)";
  };
  CHECK(error_of("[loss]\ntype = 'loss/fixture_l1'\n") == "(built)");
  CHECK(error_of("[loss]\ntype = 'fixture_l2'\n") ==
        "inline.toml:2:8: loss.type: unknown loss 'fixture_l2', did you mean 'fixture_l1'? (registered losses: fixture_l1)");
  CHECK(error_of("[loss]\ntype = 'model/fixture_l1'\n") ==
        "inline.toml:2:8: loss.type: 'model/fixture_l1' is a model, expected a loss here");
  CHECK(error_of("[loss]\nscale = 1.0\n") ==
        "inline.toml:1:1: loss: missing required key 'type' (which loss to build; registered: fixture_l1)");
  CHECK(error_of("[loss]\ntype = 'fixture_l1'\nscale = 'big'\n") ==
        "inline.toml:3:9: loss.scale: expected a number, got string");
}

TEST_CASE("descriptor checks: names usable as config keys, no missing factory, doc or option fields") {
  const auto none = [](const razor::BuildContext&) -> std::shared_ptr<razor::Component> { return nullptr; };
  std::vector<razor::ComponentInfo> components{{"loss", "ok_name-1.0", "doc", {{"w", "int", nullptr, "doc"}}, none}};
  razor::PluginDescriptor d{razor::kSdkAbiVersion, sizeof(razor::PluginDescriptor), razor::sdk_build_tag(), "p",
                            "1", "d", components.data(), components.size()};
  const auto fault = [&] { return razor::test::error_of([&] { check_descriptor("x.so", &d); }); };
  CHECK(fault() == "(no error)");  // a missing default only makes the option required
  components[0].name = "two\nlines";
  CHECK(fault() == "x.so: component 0 of plugin 'p': bad kind or name: got 'loss/two\\nlines', expected letters, "
                   "digits, '_', '-' or '.'");
  components[0].name = "l1";
  components[0].doc = nullptr;
  CHECK(fault() == "x.so: component 'loss/l1' has no doc line");
  components[0].doc = "doc";
  components[0].options[0].type = nullptr;
  CHECK(fault() == "x.so: component 'loss/l1' declares an option without a name, type or doc");
  components[0].options[0].type = "int";
  components[0].create = nullptr;
  CHECK(fault() == "x.so: component 'loss/l1' has no factory");
  d.components = nullptr;
  CHECK(fault() == "x.so: descriptor lists 1 components but gives no table of them");
  d.name = "a b";
  CHECK(fault() == "x.so: bad plugin name: got 'a b', expected letters, digits, '_', '-' or '.'");
}
