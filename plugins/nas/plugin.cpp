// The nas plugin: the mutator shared by one-shot NAS algorithms.
#include "nas_mutator.h"
#include "razor/plugin.h"

RAZOR_PLUGIN("nas", "0.1.0", "The NAS mutator: search groups of one-shot mutables, subnet sampling and fixing",
             {"mutator", "nas",
              "Groups the model's mutables (custom group, else alias, else module path); samples, sets and fixes "
              "subnets",
              {{"groups", "table", "{}",
                "custom search groups: name = [module paths]; the listed mutables share one choice"}},
              &razor::make_component<razor::nas::NasMutator>})
