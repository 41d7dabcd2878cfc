#pragma once
// The host's own config sections, declared like component options: documented once, defaulted by the
// config view, and checked for typos like any component table.
#include <vector>

#include "razor/plugin.h"

namespace razor::host::sections {

const std::vector<OptionInfo>& root();
const std::vector<OptionInfo>& runtime();
const std::vector<OptionInfo>& data();
const std::vector<OptionInfo>& augment();
const std::vector<OptionInfo>& optimizer();
const std::vector<OptionInfo>& schedule();
const std::vector<OptionInfo>& train();
const std::vector<OptionInfo>& search();
const std::vector<OptionInfo>& export_();
const std::vector<OptionInfo>& plugins();
const std::vector<OptionInfo>& distributed();

}  // namespace razor::host::sections
