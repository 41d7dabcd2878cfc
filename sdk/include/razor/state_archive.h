#pragma once
/// Helpers for Component::save_state/load_state: text, random generators and search candidates in
/// LibTorch archives.
#include <random>
#include <string>
#include <vector>

#include "razor/export.h"
#include "razor/searcher.h"

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

/// Scored candidates (subnet, score, costs), exactly: scores and costs round-trip bit for bit.
RAZOR_API void write_candidates(torch::serialize::OutputArchive& archive, const std::string& key,
                                const std::vector<Candidate>& candidates);
RAZOR_API std::vector<Candidate> read_candidates(torch::serialize::InputArchive& archive, const std::string& key);

}  // namespace razor
