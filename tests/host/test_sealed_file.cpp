// Sealed files (checkpoints, search states): the bytes come back exactly, or a damaged file is one line
// naming it and the fault; a write that cannot finish leaves the previous file as it was.
#include "razor_doctest.hpp"

#include <fstream>

#include <sys/mount.h>

#include "test_support.hpp"
#include "base/sealed_file.h"

using namespace razor;
using namespace razor::host;

namespace {

std::string bytes_of(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a sealed file gives back its bytes; truncated, changed or foreign ones are refused by name") {
  test::TempDir dir("sealed");
  std::string payload = "PK\x03\x04 zip-like payload with a\nnewline and a \0 byte";
  payload += std::string(1000, 'x');
  const std::string file = dir.file("state.pt");
  write_sealed(file, payload);
  CHECK_FALSE(std::filesystem::exists(file + ".tmp"));
  CHECK(read_sealed(file, "checkpoint") == payload);
  const std::string sealed = bytes_of(file);
  CHECK(sealed.rfind("razor-sealed 1 " + std::to_string(payload.size()) + " ", 0) == 0);

  dir.write("cut.pt", sealed.substr(0, sealed.size() - 10));
  CHECK(test::error_of([&] { read_sealed(dir.file("cut.pt"), "checkpoint"); }) ==
        dir.file("cut.pt") + ": damaged checkpoint: " + std::to_string(payload.size() - 10) + " bytes after the header, expected " +
            std::to_string(payload.size()) + " (truncated?)");
  std::string flipped = sealed;
  flipped[flipped.size() - 3] ^= 0x01;
  dir.write("flipped.pt", flipped);
  CHECK(test::error_of([&] { read_sealed(dir.file("flipped.pt"), "search state"); }) ==
        dir.file("flipped.pt") + ": damaged search state: its SHA-256 does not match the one written with it");
  dir.write("foreign.pt", "hello\n");
  CHECK(test::error_of([&] { read_sealed(dir.file("foreign.pt"), "checkpoint"); }) ==
        dir.file("foreign.pt") + ": not a razor checkpoint (no 'razor-sealed 1' header)");
  dir.write("empty.pt", "");
  CHECK(test::error_of([&] { read_sealed(dir.file("empty.pt"), "checkpoint"); }) ==
        dir.file("empty.pt") + ": not a razor checkpoint (no 'razor-sealed 1' header)");
  // A bare archive (what razor wrote before sealing existed) is refused: it is not known to be intact, and
  // LibTorch's reader is not hardened against damaged archives.
  dir.write("old.pt", "PK\x03\x04rest");
  CHECK(test::error_of([&] { read_sealed(dir.file("old.pt"), "checkpoint"); }) ==
        dir.file("old.pt") + ": an unsealed checkpoint (written before razor sealed them, or not by razor): it "
                             "cannot be checked, so it is not loaded");
  CHECK(test::error_of([&] { read_sealed(dir.file("none.pt"), "checkpoint"); }) ==
        dir.file("none.pt") + ": cannot read the checkpoint");
  CHECK(test::error_of([&] { write_sealed(dir.file("no/such/dir/x.pt"), payload); }) ==
        dir.file("no/such/dir/x.pt") + ": cannot write: No such file or directory");
}

TEST_CASE("a full disk is a clear error and the previous sealed file survives") {
  test::TempDir dir("sealed_full");
  const std::string mount_point = dir.file("small");
  std::filesystem::create_directories(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=64k") != 0) {
    MESSAGE("SKIPPED: the full-disk check (cannot mount a small tmpfs here: not root, or no mount rights)");
    return;
  }
  struct Unmount {
    std::string at;
    ~Unmount() { ::umount(at.c_str()); }
  } unmount{mount_point};  // before the folder goes, even when a check fails
  const std::string file = mount_point + "/latest.pt";
  write_sealed(file, std::string(20000, 'a'));
  CHECK(test::error_of([&] { write_sealed(file, std::string(200000, 'b')); }) == file + ": cannot write: No space left on device");
  CHECK(read_sealed(file, "checkpoint") == std::string(20000, 'a'));
  CHECK_FALSE(std::filesystem::exists(file + ".tmp"));
}
