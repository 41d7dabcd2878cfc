// The evolution plugin: evolutionary subnet search, usable by any NAS algorithm with a mutator.
#include "evolution_searcher.h"
#include "razor/plugin.h"

RAZOR_PLUGIN(
    "evolution", "0.1.0", "Evolutionary search of subnets under resource constraints",
    {"searcher", "evolution",
     "Rounds of random, mutated and crossed-over subnets within the constraints; keeps the top-k by score",
     {{"generations", "int", "20", "rounds of scoring"},
      {"num_candidates", "int", "50", "candidates scored per round"},
      {"top_k", "int", "10", "best candidates kept across rounds, the parents of the next"},
      {"num_mutation", "int", "25", "mutated parents per round"},
      {"num_crossover", "int", "25", "crossed-over parent pairs per round"},
      {"mutate_prob", "float", "0.1", "per group: chance a mutation draws a fresh choice"},
      {"crossover_prob", "float", "0.5", "per group: chance a crossover takes the second parent's choice"},
      {"max_tries", "int", "1000", "attempts per kind of candidate to find ones within the constraints"},
      {"constraints", "table", "{}",
       "cost name = upper bound, or [low, high], e.g. { flops = 2e6 }; checked on the sliced subnet"}},
     &razor::make_component<razor::evolution::EvolutionSearcher>})
