#pragma once
// Registry: component key "kind/name" -> the plugin that provides it, and building by config.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loader/loaded_plugin.h"
#include "razor/component.h"
#include "razor/plugin.h"

namespace razor::host {

struct RegisteredComponent {
  const ComponentInfo* info = nullptr;
  std::shared_ptr<LoadedPlugin> plugin;
  std::string key() const;
};

class Registry {
 public:
  /// Registers every component of `plugin`; a key that is already registered throws PluginError
  /// naming both plugins (like mmengine's registry, no silent override).
  void add(std::shared_ptr<LoadedPlugin> plugin);

  const RegisteredComponent* find(const std::string& kind, const std::string& name) const;
  /// Registered names of one kind, sorted.
  std::vector<std::string> names(const std::string& kind) const;
  const std::vector<std::shared_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const std::map<std::string, RegisteredComponent>& components() const { return components_; }

  /// Calls the component's factory and ties the result to its library: the returned pointer keeps
  /// the plugin loaded for as long as the object lives. Exceptions other than razor::ConfigError and
  /// razor::DataError (which name the file at fault) are
  /// reported as "plugin P (file), component kind/name: what".
  std::shared_ptr<Component> create(const RegisteredComponent& component, const BuildContext& ctx) const;

 private:
  std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
  std::map<std::string, RegisteredComponent> components_;
};

}  // namespace razor::host
