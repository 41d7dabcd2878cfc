#pragma once
// Writing an output so that a reader never sees half of it: written beside the target, flushed to the
// disk, then renamed over it.
#include <string>

namespace razor::host {

/// Writes `bytes` to `path`. Throws razor::Error naming `path` and the system's reason (e.g. no space
/// left) when it cannot; the previous file at `path`, if any, is then left as it was.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace razor::host
