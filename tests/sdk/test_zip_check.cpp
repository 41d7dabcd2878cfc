// check_zip_archive: the zip structure and every entry's CRC-32 checked before LibTorch's reader opens a
// file (it trusts offsets and sizes). Archives written by Python's zipfile, stored and deflated, zip64.
#include <fstream>
#include <string>

#include "razor/errors.h"
#include "razor/zip_check.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string fault(const std::string& path) {
  return razor::test::error_of([&] { razor::check_zip_archive(path); });
}

}  // namespace

TEST_CASE("zip archives: sound ones pass; cut, flipped, misplaced or oddly compressed entries are named") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3 is needed to write the archives");
  razor::test::TempDir dir("zip_check");
  const razor::test::Output py = razor::test::run_command(
      "cd " + dir.path.string() + " && /usr/bin/python3 -c \""
      "import zipfile\n"
      "data = bytes(range(256)) * 64\n"
      "for name, method in (('stored.zip', zipfile.ZIP_STORED), ('deflated.zip', zipfile.ZIP_DEFLATED), "
      "('bzip2.zip', zipfile.ZIP_BZIP2)):\n"
      "    with zipfile.ZipFile(name, 'w', method) as z:\n"
      "        z.writestr('a/data/0', data)\n"
      "        z.writestr('a/version', b'3')\n"
      "with zipfile.ZipFile('zip64.zip', 'w', zipfile.ZIP_STORED, allowZip64=True) as z:\n"
      "    with z.open('big', 'w', force_zip64=True) as f:\n"
      "        f.write(data)\n"
      "\"");
  REQUIRE_MESSAGE(py.exit_code == 0, py.text);
  for (const char* name : {"stored.zip", "deflated.zip", "zip64.zip"}) {
    CAPTURE(name);
    CHECK(fault(dir.file(name)) == "(no error)");
  }
  CHECK(fault(dir.file("bzip2.zip")) == "entry 'a/data/0' uses compression method 12, which razor does not read");

  const std::string stored = read(dir.file("stored.zip")), deflated = read(dir.file("deflated.zip"));
  std::string flipped = stored;
  flipped[100] ^= 0x20;  // inside the first entry's data
  CHECK(fault(dir.write("flipped.zip", flipped)) == "damaged zip archive: entry 'a/data/0' fails its CRC-32 check");
  std::string bad_deflate = deflated;
  bad_deflate[60] ^= 0x55;
  const std::string inflated = fault(dir.write("bad_deflate.zip", bad_deflate));
  CHECK_MESSAGE(inflated.rfind("damaged zip archive: entry 'a/data/0' ", 0) == 0, inflated);
  CHECK(fault(dir.write("cut.zip", stored.substr(0, stored.size() - 30))) ==
        "not a zip archive: no end-of-central-directory record");
  // The central directory's offset moved past the end of the file.
  std::string moved = stored;
  const std::size_t end = moved.rfind("PK\x05\x06");
  moved[end + 19] = '\x7f';
  CHECK(fault(dir.write("moved.zip", moved)).rfind("damaged zip archive: the central directory lies outside the file", 0) == 0);
  // A local header offset that points at the wrong place.
  std::string misplaced = stored;
  const std::size_t entry = misplaced.find("PK\x01\x02");
  misplaced[entry + 42] = '\x05';
  CHECK(fault(dir.write("misplaced.zip", misplaced)) == "damaged zip archive: entry 'a/data/0' has no local header at offset 5");
  CHECK(fault(dir.write("text.zip", "not a zip")) == "not a zip archive: no end-of-central-directory record");
}
