// The nas family: Single Path One-Shot NAS (supernet training and subnet retraining), the mutator of
// one-shot mutables, and evolutionary search of subnets under resource constraints.
#include "evolution_searcher.h"
#include "nas_mutator.h"
#include "razor/plugin.h"
#include "spos.h"

using namespace razor::nas;

RAZOR_PLUGIN(
    "nas", "0.2.0", "Neural architecture search: SPOS supernets, the one-shot mutator, evolutionary search",
    razor::component<Spos>("spos",
                           "Trains a supernet one uniformly sampled path per step, or (with `subnet`) a fixed subnet"),
    razor::component<NasMutator>(
        "nas", "Groups the model's mutables (custom group, else alias, else module path); samples, sets and fixes subnets"),
    razor::component<EvolutionSearcher>(
        "evolution", "Rounds of random, mutated and crossed-over subnets within the constraints; keeps the top-k by score"))
