// The spos plugin: Single Path One-Shot NAS (supernet training and subnet retraining).
#include "razor/plugin.h"
#include "spos.h"

RAZOR_PLUGIN("spos", "0.1.0", "Single Path One-Shot NAS: uniform single-path supernet training and subnet retraining",
             {"algorithm", "spos",
              "Trains a supernet one uniformly sampled path per step, or (with `subnet`) a fixed subnet",
              {{"architecture", "model", nullptr, "the supernet (a model with one-shot mutables)"},
               {"loss", "loss", "{ type = 'cross_entropy' }", "criterion between logits and labels"},
               {"mutator", "mutator", "{ type = 'nas' }", "finds and groups the supernet's choices"},
               {"subnet", "string", "''", "retrain mode: a subnet.toml whose choices are fixed before training"},
               {"init_weights", "string", "''",
                "retrain mode: supernet weights (a model.pt) loaded before fixing; empty = from scratch"}},
              &razor::make_component<razor::spos::Spos>})
