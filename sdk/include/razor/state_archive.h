#pragma once
/// Helpers for Component::save_state/load_state: text and random generators in LibTorch archives.
#include <random>
#include <string>

#include "razor/export.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace razor {

RAZOR_API void write_text(torch::serialize::OutputArchive& archive, const std::string& key, const std::string& text);
/// Throws razor::Error if `key` is missing.
RAZOR_API std::string read_text(torch::serialize::InputArchive& archive, const std::string& key);

RAZOR_API void write_rng(torch::serialize::OutputArchive& archive, const std::string& key, const std::mt19937_64& rng);
RAZOR_API void read_rng(torch::serialize::InputArchive& archive, const std::string& key, std::mt19937_64& rng);

}  // namespace razor
