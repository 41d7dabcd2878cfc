#include "stages/export/inference_module.h"

#include <cmath>
#include <sstream>

#include <c10/core/GradMode.h>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/frozen_graph_optimizations.h>
#include <torch/csrc/jit/serialization/import.h>

#include "base/timing.h"

namespace razor::host {

torch::jit::Module inference_module(const torch::jit::Module& scripted, bool channels_last) {
  // A serialised round trip gives an independent copy to freeze.
  std::stringstream bytes;
  scripted.save(bytes);
  torch::jit::Module copy = torch::jit::load(bytes);
  copy.eval();
  if (channels_last) {
    // Convolutions take the memory format of their weight when the input's is plain, so the
    // activations follow the weights into channels-last (NHWC) from the first convolution on.
    for (const auto& p : copy.parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
  // The two steps of torch::jit::freeze(), which in LibTorch 1.13 optimises the graph of the module it
  // was given instead of the frozen one. Not torch::jit::optimize_for_inference(): its MKLDNN
  // constants are saved but cannot be loaded back ("required keyword attribute 'value' is
  // undefined", in C++ and Python alike); a deployment applies it after loading.
  torch::jit::Module frozen = torch::jit::freeze_module(copy);
  std::shared_ptr<torch::jit::Graph> graph = frozen.get_method("forward").graph();
  torch::jit::OptimizeFrozenGraph(graph, /*optimize_numerics=*/true);
  return frozen;
}

torch::jit::Module inference_module(const torch::jit::Module& scripted, const std::string& layout,
                                    const std::vector<at::Tensor>& inputs, int runs, LayoutChoice& choice) {
  if (layout != "auto") {
    choice.layout = layout;
    return inference_module(scripted, layout == "channels_last");
  }
  torch::jit::Module plain = inference_module(scripted, false), nhwc = inference_module(scripted, true);
  c10::NoGradGuard no_grad;
  double log_ratio = 0;
  for (const at::Tensor& x : inputs) {
    choice.batches.push_back(x.size(0));
    choice.contiguous_ms.push_back(time_calls([&] { plain.forward({x}); }, x.size(0), runs, 3).median_ms);
    choice.channels_last_ms.push_back(time_calls([&] { nhwc.forward({x}); }, x.size(0), runs, 3).median_ms);
    log_ratio += std::log(choice.channels_last_ms.back() / choice.contiguous_ms.back());
  }
  choice.layout = log_ratio < 0 ? "channels_last" : "contiguous";
  return choice.layout == "channels_last" ? nhwc : plain;
}

}  // namespace razor::host
