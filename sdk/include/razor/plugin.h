#pragma once
/// The plugin descriptor: the one thing a plugin exports, through the C entry point
/// `razor_plugin_descriptor`. The host refuses a plugin whose ABI version, descriptor size or build
/// tag differ from its own, naming the file, what it got and what it expected.
///
/// Example:
///   RAZOR_PLUGIN("zoo", "1.0.0", "Small classification networks",
///                {"model", "resnet", "ResNet for small images", {{"depth", "int", "8", "..."}},
///                 &razor::make_component<ResNetComponent>});
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "razor/abi.h"
#include "razor/component.h"
#include "razor/context.h"

namespace razor {

/// One option a component reads. `default_toml` is a TOML value ("0.1", "[1, 2]", "'sgd'",
/// "{ type = 'cross_entropy' }"), or nullptr for a required option. `type` documents the expected value:
/// bool, int, float, string, int[], float[], string[], table, or a component kind (model, loss, ...).
struct OptionInfo {
  const char* name;
  const char* type;
  const char* default_toml;
  const char* doc;
};

using ComponentFactory = std::shared_ptr<Component> (*)(const BuildContext&);

/// One registered component: registry key "kind/name", a one-line doc, its options and its factory.
struct ComponentInfo {
  const char* kind;
  const char* name;
  const char* doc;
  std::vector<OptionInfo> options;
  ComponentFactory create;
};

struct PluginDescriptor {
  std::uint32_t abi_version;      // first, so it can be read before trusting anything else
  std::uint32_t descriptor_size;  // sizeof(PluginDescriptor) as the plugin saw it
  const char* build_tag;          // RAZOR_BUILD_TAG as the plugin was compiled
  const char* name;
  const char* version;
  const char* description;
  const ComponentInfo* components;
  std::size_t num_components;
};

/// Factory for a component whose constructor takes the build context.
template <class T>
std::shared_ptr<Component> make_component(const BuildContext& ctx) {
  return std::make_shared<T>(ctx);
}

}  // namespace razor

/// The C entry point name the host looks up.
#define RAZOR_PLUGIN_ENTRY razor_plugin_descriptor

/// Declares a plugin: name, version, one-line description, then its ComponentInfo entries.
#define RAZOR_PLUGIN(NAME, VERSION, DESCRIPTION, ...)                                         \
  extern "C" __attribute__((visibility("default"))) const ::razor::PluginDescriptor*        \
  RAZOR_PLUGIN_ENTRY() {                                                                     \
    static const ::razor::ComponentInfo components[] = {__VA_ARGS__};                        \
    static const ::razor::PluginDescriptor descriptor{                                       \
        ::razor::kSdkAbiVersion, sizeof(::razor::PluginDescriptor), RAZOR_BUILD_TAG, NAME,     \
        VERSION, DESCRIPTION, components, std::size(components)};                            \
    return &descriptor;                                                                      \
  }
