// checkpoint: a checkpoint file restored into a small model and its SGD optimizer.
// Input: one flag byte, then the file. Flag bit 0 seals the rest with a valid header first, so the
// mutations reach the archive inside and not only the checksum that guards it.
#include <cstdio>
#include <fstream>
#include <iterator>

#include "fuzz_target.h"
#include "razor/errors.h"
#include "tiny_algorithm.hpp"
#include "train/checkpoint.h"
#include "train/sealed_file.h"

namespace razor::fuzz {
namespace {

using test::Trainee;

void run(const std::string& bytes) {
  if (bytes.empty()) return;
  const std::string path = scratch_dir() + "/checkpoint.pt";
  if (bytes[0] & 1) {
    host::write_sealed(path, bytes.substr(1));
  } else {
    write_scratch("checkpoint.pt", bytes.substr(1));
  }
  Trainee t;
  try {
    const auto position = host::load_checkpoint(path, *t.algorithm, t.optimizer, c10::kCPU);
    (void)position;
  } catch (const Error& e) {
    require_names(e.what(), path);
    throw;
  }
  // A checkpoint that loads gives a model that still runs on the shapes it was built for.
  if (t.algorithm->predict(at::ones({2, 4})).sizes() != at::IntArrayRef{2, 3}) {
    std::fprintf(stderr, "razor_fuzz: a loaded checkpoint changed the model's output shape\n");
    std::abort();
  }
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<Seed> seeds() {
  Trainee t(3, /*step=*/true);
  const std::string path = scratch_dir() + "/seed.pt";
  host::save_checkpoint(path, *t.algorithm, t.optimizer, {1, 2, 3, 0.5}, c10::kCPU);
  const std::string sealed = file_bytes(path);
  const std::string archive = sealed.substr(sealed.find('\n') + 1);
  return {{"sealed", '\0' + sealed}, {"archive_resealed", '\1' + archive}, {"legacy_zip", '\0' + archive}};
}

}  // namespace

const FuzzTarget& checkpoint_target() {
  static const FuzzTarget t{"checkpoint", "a (sealed) checkpoint restored into a model and optimizer", &run, &seeds};
  return t;
}

}  // namespace razor::fuzz
