#pragma once
/// The plugin descriptor: the one thing a plugin exports, through the C entry point
/// `razor_plugin_descriptor`. The host refuses a plugin whose ABI version, descriptor size or build
/// tag differ from its own, naming the file, what it got and what it expected.
///
/// Example:
///   RAZOR_PLUGIN("models", "1.0.0", "Classification networks",
///                razor::component<ResNet>("resnet", "ResNet for small images"));
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "razor/abi.h"
#include "razor/component.h"
#include "razor/context.h"
#include "razor/option_info.h"
#include "razor/options.h"

namespace razor {

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

namespace detail {
template <class T, class = void>
struct has_options : std::false_type {};
template <class T>
struct has_options<T, std::void_t<typename T::Options>> : std::true_type {};
}  // namespace detail

/// Factory of component T: `T(ctx, options)` (or `T(options)`, a module that needs no context) with its
/// options read and checked when T names an options struct (`using Options = ...;`), else `T(ctx)`.
template <class T>
std::shared_ptr<Component> make_component(const BuildContext& ctx) {
  if constexpr (detail::has_options<T>::value) {
    if constexpr (std::is_constructible_v<T, const BuildContext&, const typename T::Options&>) {
      return std::make_shared<T>(ctx, T::Options::read(ctx.config()));
    } else {
      return std::make_shared<T>(T::Options::read(ctx.config()));
    }
  } else {
    return std::make_shared<T>(ctx);
  }
}

/// The descriptor entry of component T, of T's kind (T::kKind, from its interface), with its options.
/// Example: razor::component<EvolutionSearcher>("evolution", "Evolutionary search of subnets")
template <class T>
ComponentInfo component(const char* name, const char* doc) {
  std::vector<OptionInfo> options;
  if constexpr (detail::has_options<T>::value) options = T::Options::option_infos();
  return {T::kKind, name, doc, std::move(options), &make_component<T>};
}

/// The entry `kind/name` of a descriptor, or nullptr.
inline const ComponentInfo* find_component(const PluginDescriptor& plugin, const std::string& kind,
                                           const std::string& name) {
  for (std::size_t i = 0; i < plugin.num_components; ++i)
    if (kind == plugin.components[i].kind && name == plugin.components[i].name) return &plugin.components[i];
  return nullptr;
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
