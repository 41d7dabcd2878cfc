#pragma once
// After every component is built: a key nobody read is a typo or a misplaced option.
#include "config/config_document.h"

namespace razor::host {

/// Throws razor::ConfigError "file:line:col: path.key: unknown key (did you mean 'x'?)" for the first
/// key, in file order, that no component or host section read.
void check_all_keys_read(const ConfigDocument& doc);

}  // namespace razor::host
