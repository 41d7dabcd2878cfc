#include "export/inference_module.h"

#include <sstream>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/frozen_graph_optimizations.h>
#include <torch/csrc/jit/serialization/import.h>

namespace razor::host {

torch::jit::Module inference_module(const torch::jit::Module& scripted) {
  // A serialised round trip gives an independent copy to freeze.
  std::stringstream bytes;
  scripted.save(bytes);
  torch::jit::Module copy = torch::jit::load(bytes);
  copy.eval();
  // The two steps of torch::jit::freeze(), which in LibTorch 1.13 optimises the graph of the module it
  // was given instead of the frozen one. Not torch::jit::optimize_for_inference(): its MKLDNN
  // constants are saved but cannot be loaded back ("required keyword attribute 'value' is
  // undefined", in C++ and Python alike); a deployment applies it after loading.
  torch::jit::Module frozen = torch::jit::freeze_module(copy);
  std::shared_ptr<torch::jit::Graph> graph = frozen.get_method("forward").graph();
  torch::jit::OptimizeFrozenGraph(graph, /*optimize_numerics=*/true);
  return frozen;
}

}  // namespace razor::host
