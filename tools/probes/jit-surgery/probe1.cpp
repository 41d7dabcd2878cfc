#include "helpers.h"
// Q1 + Q2: replacing params, where do constants live
int main() {
  torch::NoGradGuard ng;  // not needed for forward; param flags checked separately
  for (std::string f : {"cnn_script.pt", "cnn_trace.pt"}) {
    std::cout << "\n################ " << f << "\n";
    auto m = torch::jit::load(f);
    m.eval();
    auto conv1 = m.attr("conv1").toModule();
    auto bn1 = m.attr("bn1").toModule();
    dumpType(conv1, "conv1");
    dumpType(bn1, "bn1");
    dumpType(m.attr("fc").toModule(), "fc");
    auto dw = m.attr("block1").toModule().attr("dw").toModule();
    dumpType(dw, "block1.dw");
    for (auto* fn : conv1.type()->methods())
      std::cout << "--- conv1." << fn->name() << " graph:\n" << toGraphFunction(*fn).graph()->toString();
    for (auto* fn : dw.type()->methods())
      std::cout << "--- block1.dw." << fn->name() << " graph:\n" << toGraphFunction(*fn).graph()->toString();
    for (auto* fn : bn1.type()->methods())
      if (fn->name() == "forward") std::cout << "--- bn1.forward graph:\n" << toGraphFunction(*fn).graph()->toString();
    std::cout << "forward before: " << fwdShape(m) << "\n";

    // Q1: narrow conv3 (16->6 out) + bn3 + fc in-features (consistent, no groups involved)
    auto conv3 = m.attr("conv3").toModule();
    auto bn3 = m.attr("bn3").toModule();
    auto fc = m.attr("fc").toModule();
    auto w3 = conv3.attr("weight").toTensor();
    TRY("conv3.setattr(weight, narrower)", conv3.setattr("weight", w3.narrow(0, 0, 6).clone()));
    for (auto n : {"weight", "bias", "running_mean", "running_var"})
      TRY(std::string("bn3.setattr ") + n, bn3.setattr(n, bn3.attr(n).toTensor().narrow(0, 0, 6).clone()));
    TRY("fc.register_parameter(weight, narrower)",
        fc.register_parameter("weight", fc.attr("weight").toTensor().narrow(1, 0, 6).clone(), false));
    TRY("conv1.setattr(weight, int) [type check]", conv1.setattr("weight", c10::IValue(3)));
    TRY("conv1.setattr(groups, 2) [constant]", conv1.setattr("groups", c10::IValue(2)));
    TRY("conv1.setattr(in_channels, 2) [constant?]", conv1.setattr("in_channels", c10::IValue(2)));
    dumpType(conv3, "conv3 after");
    dumpType(bn3, "bn3 after");
    dumpType(fc, "fc after");
    // requires_grad via named_parameters
    for (const auto& p : m.named_parameters(true))
      if (p.name.rfind("conv3", 0) == 0 || p.name.rfind("bn3", 0) == 0 || p.name.rfind("fc", 0) == 0)
        std::cout << "  named_parameters: " << p.name << " " << p.value.sizes() << " requires_grad=" << p.value.requires_grad() << "\n";
    TRY("forward after narrowing conv3/bn3/fc -> " + std::string(""), std::cout << "   out " << fwdShape(m) << "\n");
    std::string out = "q1_" + f;
    TRY("save " + out, m.save(out));
  }
}
