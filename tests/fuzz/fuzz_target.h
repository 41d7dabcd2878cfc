#pragma once
// One fuzz target: what it feeds the bytes to, and the seeds it writes for itself. razor_fuzz runs the
// target named by RAZOR_FUZZ_TARGET; every input must end in success or in a razor::Error with a one-line
// message — any other exception, a crash or a sanitizer report is a finding.
#include <cstdint>
#include <string>
#include <vector>

namespace razor::fuzz {

struct Seed {
  std::string name;
  std::string bytes;
};

struct FuzzTarget {
  const char* name;
  const char* what;                           // one line for `razor_fuzz` without a target
  void (*run)(const std::string& bytes);      // throws razor::Error for input it refuses
  std::vector<Seed> (*seeds)();               // valid inputs the mutations start from
};

const FuzzTarget& config_target();
const FuzzTarget& subnet_target();
const FuzzTarget& idx_target();
const FuzzTarget& cifar_target();
const FuzzTarget& checkpoint_target();
const FuzzTarget& archive_target();
const FuzzTarget& plugin_target();
const FuzzTarget& picture_target();
const FuzzTarget& state_dict_target();
const FuzzTarget& zip_target();

/// A folder of this process for the files a target writes (removed at exit).
const std::string& scratch_dir();
/// Writes `bytes` to scratch_dir()/name and returns the path.
std::string write_scratch(const std::string& name, const std::string& bytes);
/// Aborts (a finding) when `message` does not name `file`.
void require_names(const std::string& message, const std::string& file);
/// Splits on "\n%%\n", the separator of multi-file inputs.
std::vector<std::string> split_parts(const std::string& bytes);
/// Joins parts with the separator (for seeds).
std::string join_parts(const std::vector<std::string>& parts);

}  // namespace razor::fuzz
