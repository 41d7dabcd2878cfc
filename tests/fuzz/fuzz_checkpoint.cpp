// checkpoint: a checkpoint file, as it is on disk, restored into a small model and its SGD optimizer.
// archive: the LibTorch archive inside, sealed by the harness, so the mutations get past the checksum
// into LibTorch's zip, pickle and TorchScript readers. Only a deliberately crafted file gets there in use,
// and LibTorch's readers are not hardened (this target crashes them), so it runs by hand, not in CI; its
// kept findings are replayed in CI.
#include <cstdio>
#include <fstream>
#include <iterator>

#include "fuzz_target.h"
#include "razor/errors.h"
#include "tiny_algorithm.hpp"
#include "stages/train/checkpoint.h"
#include "base/sealed_file.h"

namespace razor::fuzz {
namespace {

using test::Trainee;

void load(const std::string& path) {
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

void run_file(const std::string& bytes) { load(write_scratch("checkpoint.pt", bytes)); }

void run_archive(const std::string& bytes) {
  const std::string path = scratch_dir() + "/checkpoint.pt";
  host::write_sealed(path, bytes);
  load(path);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A real checkpoint: sealed, and the archive inside.
std::pair<std::string, std::string> real_checkpoint() {
  Trainee t(3, /*step=*/true);
  const std::string path = scratch_dir() + "/seed.pt";
  host::save_checkpoint(path, *t.algorithm, t.optimizer, {1, 2, 3, 0.5}, c10::kCPU);
  const std::string sealed = file_bytes(path);
  return {sealed, sealed.substr(sealed.find('\n') + 1)};
}

std::vector<Seed> file_seeds() {
  const auto [sealed, archive] = real_checkpoint();
  return {{"sealed", sealed}, {"bare_archive", archive}};
}

std::vector<Seed> archive_seeds() { return {{"archive", real_checkpoint().second}}; }

}  // namespace

const FuzzTarget& checkpoint_target() {
  static const FuzzTarget t{"checkpoint", "a checkpoint file restored into a model and optimizer", &run_file,
                            &file_seeds};
  return t;
}

const FuzzTarget& archive_target() {
  static const FuzzTarget t{"archive", "the archive inside a checkpoint, sealed by the harness (LibTorch's readers)",
                            &run_archive, &archive_seeds};
  return t;
}

}  // namespace razor::fuzz
