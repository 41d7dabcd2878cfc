// zip: any bytes as a weights or TorchScript file, through razor::check_zip_archive; an archive it lets
// pass is then opened by LibTorch's zip reader and every record read — the promise of the check is that
// nothing it passes can crash that reader. Seeds: archives LibTorch's writer makes.
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <caffe2/serialize/inline_container.h>
#include <c10/util/Exception.h>

#include "fuzz_target.h"
#include "razor/errors.h"
#include "razor/zip_check.h"

namespace razor::fuzz {
namespace {

void run_zip(const std::string& bytes) {
  const std::string path = write_scratch("archive.pt", bytes);
  check_zip_archive(path);  // throws razor::Error for what it refuses
  try {
    caffe2::serialize::PyTorchStreamReader zip(path);
    for (const std::string& name : zip.getAllRecords()) (void)zip.getRecord(name);
  } catch (const c10::Error& e) {  // a sound zip LibTorch does not want (no version record, ...)
    const std::string what = e.what_without_backtrace();
    throw Error(what.substr(0, what.find('\n')));
  }
}

std::vector<Seed> zip_seeds() {
  std::vector<Seed> seeds;
  for (const auto& [name, records] : std::vector<std::pair<std::string, int>>{{"one_record", 1}, {"three_records", 3}}) {
    const std::string path = scratch_dir() + "/seed.pt";
    {
      caffe2::serialize::PyTorchStreamWriter writer(path);
      for (int i = 0; i < records; ++i) {
        const std::string data(static_cast<std::size_t>(16 * (i + 1)), static_cast<char>('a' + i));
        writer.writeRecord("data/" + std::to_string(i), data.data(), data.size());
      }
      writer.writeEndOfFile();
    }
    std::ifstream in(path, std::ios::binary);
    seeds.push_back({name, std::string(std::istreambuf_iterator<char>(in), {})});
  }
  return seeds;
}

}  // namespace

const FuzzTarget& zip_target() {
  static const FuzzTarget t{"zip", "any bytes as a zip archive: razor's check, then LibTorch's reader on what it passes",
                            &run_zip, &zip_seeds};
  return t;
}

}  // namespace razor::fuzz
