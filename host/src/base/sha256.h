#pragma once
// SHA-256 of a file, for configs that pin the plugins they run.
#include <string>

namespace razor::host {

/// Lower-case hex digest of `bytes`.
std::string sha256_hex(const std::string& bytes);

/// Lower-case hex digest of the file's contents; throws razor::Error if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace razor::host
