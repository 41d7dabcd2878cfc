#include "loader/registry.h"

#include <set>
#include <utility>

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {
namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::string RegisteredComponent::key() const { return fmt::format("{}/{}", info->kind, info->name); }

void Registry::add(std::shared_ptr<LoadedPlugin> plugin) {
  const PluginDescriptor& d = *plugin->descriptor;
  std::set<std::string> own;
  for (std::size_t i = 0; i < d.num_components; ++i) {
    const ComponentInfo& info = d.components[i];
    const std::string key = fmt::format("{}/{}", info.kind, info.name);
    if (!own.insert(key).second) {
      throw PluginError(fmt::format("{}: duplicate component key '{}': got it twice from plugin '{}', expected it once",
                                    plugin->file, key, d.name));
    }
    if (auto it = components_.find(key); it != components_.end()) {
      const LoadedPlugin& first = *it->second.plugin;
      throw PluginError(fmt::format("{}: duplicate component key '{}': got it from plugin '{}', "
                                    "expected it only once (already registered by plugin '{}' from {})",
                                    plugin->file, key, d.name, first.descriptor->name, first.file));
    }
  }
  for (std::size_t i = 0; i < d.num_components; ++i) {
    RegisteredComponent rc{&d.components[i], plugin};
    components_.emplace(rc.key(), rc);
  }
  plugins_.push_back(std::move(plugin));
}

const RegisteredComponent* Registry::find(const std::string& kind, const std::string& name) const {
  auto it = components_.find(kind + "/" + name);
  return it == components_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::names(const std::string& kind) const {
  std::vector<std::string> out;
  for (const auto& [key, rc] : components_)
    if (kind == rc.info->kind) out.emplace_back(rc.info->name);
  return out;
}

std::shared_ptr<Component> Registry::create(const RegisteredComponent& component,
                                            const BuildContext& ctx) const {
  const auto fail = [&](const std::string& what) {
    return PluginError(fmt::format("plugin '{}' ({}), component {}: {}", component.plugin->descriptor->name,
                                   component.plugin->file, component.key(), first_line(what)));
  };
  std::shared_ptr<Component> made;
  try {
    made = component.info->create(ctx);
  } catch (const ConfigError&) {
    throw;  // already names the file, line and key
  } catch (const DataError&) {
    throw;  // the data's fault (a missing folder, a bad file), which it names
  } catch (const PluginError&) {
    throw;  // from a nested component: already names its plugin
  } catch (const c10::Error& e) {
    throw fail(e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw fail(e.what());
  }
  if (!made) throw fail("factory returned nothing");
  if (!component.plugin->library) return made;
  // Aliasing constructor: the control block owns {library, object}; the pair destroys the object
  // first, then releases the library.
  auto owner = std::make_shared<std::pair<std::shared_ptr<boost::dll::shared_library>, std::shared_ptr<Component>>>(
      component.plugin->library, made);
  return std::shared_ptr<Component>(owner, made.get());
}

}  // namespace razor::host
