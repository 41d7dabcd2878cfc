#include "builtin/builtin_plugin.h"

#include <vector>

#include "builtin/classifier.h"
#include "builtin/cross_entropy.h"
#include "data/data_components.h"

namespace razor::host {

std::shared_ptr<LoadedPlugin> builtin_plugin() {
  static const std::vector<ComponentInfo> components = [] {
    std::vector<ComponentInfo> all{classifier_info(), cross_entropy_info()};
    for (auto& info : data_components()) all.push_back(std::move(info));
    return all;
  }();
  static const PluginDescriptor descriptor{kSdkAbiVersion,  sizeof(PluginDescriptor),
                                           RAZOR_BUILD_TAG, "builtin",
                                           RAZOR_VERSION,   "Components built into razor-host",
                                           components.data(), components.size()};
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->file = "(built-in)";
  plugin->descriptor = &descriptor;
  return plugin;
}

}  // namespace razor::host
