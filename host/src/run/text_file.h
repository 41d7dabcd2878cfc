#pragma once
// Writing a text output so that a reader never sees half of it: written beside the target, then renamed.
#include <string>

namespace razor::host {

/// Throws razor::Error naming `path` when it cannot be written.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace razor::host
