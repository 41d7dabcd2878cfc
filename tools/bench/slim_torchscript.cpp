// slim_torchscript: a TorchScript file from Python as razor's `torchscript` architecture, slimmed by L1
// importance to a fraction of every prunable channel unit: the analysis, the masked forward, the slimmed
// forward (the export gate compares the two), and the slimmed module written as its own code with the
// check input and output beside it (tests/sdk/check_torchscript.py runs it in Python). One line out:
//   units U prunable P macs_before B macs_after A max_diff D analysis_s S
// Usage: slim_torchscript FILE.pt C,H,W OUT.pt [KEEP_RATIO=0.5]   (tools/bench/torchvision-prunability)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/serialize.h>
#include <torch/utils.h>

#include "criteria.h"
#include "flops_estimator.h"
#include "razor/channel_slicer.h"
#include "razor/channel_units.h"
#include "razor/errors.h"
#include "razor/torchscript_export.h"
#include "torchscript/torchscript_model.h"

namespace {

void write(const std::string& path, const at::Tensor& t) {
  const std::vector<char> bytes = torch::pickle_save(t);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: slim_torchscript FILE.pt C,H,W OUT.pt [KEEP_RATIO]\n");
    return 2;
  }
  try {
    const std::string out = argv[3];
    const double keep_ratio = argc > 4 ? std::stod(argv[4]) : 0.5;
    std::vector<std::int64_t> shape{1};
    for (std::string chw = argv[2]; !chw.empty();) {
      const auto comma = chw.find(',');
      shape.push_back(std::stoll(chw.substr(0, comma)));
      chw = comma == std::string::npos ? "" : chw.substr(comma + 1);
    }
    razor::models::TorchScriptModel net(argv[1]);
    razor::estimators::FlopsEstimator flops;
    torch::manual_seed(0);
    std::vector<std::int64_t> batch = shape;
    batch[0] = 2;
    const at::Tensor x = at::randn(batch);
    const double before = flops.estimate(*net, shape).at("flops");

    const auto start = std::chrono::steady_clock::now();
    const razor::ChannelAnalysis analysis = razor::analyse_channels(*net, x.narrow(0, 0, 1));
    const double analysis_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    razor::ChannelSlicer slicer(*net, analysis.units);
    std::map<std::string, std::vector<std::int64_t>> keep;
    razor::pruning::L1Pruner l1;
    for (const auto& u : slicer.units()) {
      const auto k = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(keep_ratio * u.channels)));
      const at::Tensor best = std::get<0>(std::get<1>(l1.importance(slicer.filters(u.name)).topk(k)).sort());
      keep[u.name] = std::vector<std::int64_t>(best.data_ptr<std::int64_t>(), best.data_ptr<std::int64_t>() + k);
    }
    slicer.keep(keep);
    net->eval();
    torch::NoGradGuard no_grad;
    const at::Tensor masked = net->forward(x);
    slicer.slim();
    const at::Tensor slim = net->forward(x);
    const double after = flops.estimate(*net, shape).at("flops");
    razor::save_script_module(razor::to_torchscript(*net, x), out);
    write(out + ".x", x);
    write(out + ".y", slim);
    std::printf("units %zu prunable %zu macs_before %.0f macs_after %.0f max_diff %.3g analysis_s %.2f\n",
                analysis.units.size(), slicer.units().size(), before, after, (slim - masked).abs().max().item<double>(),
                analysis_s);
    return 0;
  } catch (const std::exception& e) {
    const std::string what = e.what();
    std::printf("error %s\n", what.substr(0, what.find('\n')).c_str());
    return 1;
  }
}
