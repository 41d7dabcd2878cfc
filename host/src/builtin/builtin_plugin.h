#pragma once
// The host's own components, registered through the same descriptor as any plugin.
#include <memory>

#include "plugins/loaded_plugin.h"

namespace razor::host {

std::shared_ptr<LoadedPlugin> builtin_plugin();

}  // namespace razor::host
