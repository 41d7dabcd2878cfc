// subnet: a subnet.toml checked against a fixed search space; one that loads must save and load back equal.
#include "fuzz_target.h"
#include "razor/errors.h"
#include "razor/subnet_file.h"

namespace razor::fuzz {
namespace {

const std::vector<SearchGroup>& space() {
  static const std::vector<SearchGroup> groups{
      {"stages.0", {"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "shuffle_xception"}, {}},
      {"stages.1", {"shuffle_3x3", "shuffle_xception"}, {}},
      {"stages.10", {"identity", "shuffle_3x3"}, {}},
      {"width", {"0.25", "0.5", "1.0"}, {0.2, 0.3, 0.5}},
  };
  return groups;
}

void run(const std::string& bytes) {
  const std::string path = write_scratch("subnet.toml", bytes);
  Subnet subnet;
  try {
    subnet = load_subnet(path, space());
  } catch (const ConfigError& e) {
    require_names(e.what(), path);
    throw;
  }
  const std::string again = scratch_dir() + "/again.toml";
  save_subnet(again, subnet);
  if (load_subnet(again, space()) != subnet) {
    std::fprintf(stderr, "razor_fuzz: a saved subnet loads back different\n");
    std::abort();
  }
}

std::vector<Seed> seeds() {
  return {{"plain", "# razor subnet\n[subnet]\n\"stages.0\" = \"shuffle_7x7\"\n\"stages.1\" = \"shuffle_3x3\"\n"
                    "\"stages.10\" = \"identity\"\nwidth = \"0.5\"\n"},
          {"dotted", "[subnet]\n\"stages.0\" = 'shuffle_xception'\n\"stages.1\" = 'shuffle_xception'\n"
                     "\"stages.10\" = 'shuffle_3x3'\n\"width\" = '1.0'\n"},
          {"missing", "[subnet]\n\"stages.0\" = \"shuffle_3x3\"\n"},
          {"unknown", "[subnet]\n\"stages.0\" = \"shuffle_3x3\"\n\"stages.1\" = \"x\"\n\"stages.2\" = 1\n"}};
}

}  // namespace

const FuzzTarget& subnet_target() {
  static const FuzzTarget t{"subnet", "subnet.toml against a search space; loaded ones round-trip", &run, &seeds};
  return t;
}

}  // namespace razor::fuzz
