#pragma once
// The host's built-in datasets as registry entries: dataset/digits, dataset/idx, dataset/cifar10.
#include <vector>

#include "razor/plugin.h"

namespace razor::host {

std::vector<ComponentInfo> data_components();

}  // namespace razor::host
