#include "helpers.h"
#include <torch/csrc/jit/passes/inliner.h>
// Q4 per-instance unsharing on mobilenet_v2: narrow features.5 hidden 192->128, leave features.6 at 192
void narrowIR(Module f, int64_t h) {  // f = InvertedResidual with expand
  narrowT(sub(f, "conv.0.0"), "weight", 0, h);
  narrowBN(sub(f, "conv.0.1"), h);
  narrowT(sub(f, "conv.1.0"), "weight", 0, h);
  narrowBN(sub(f, "conv.1.1"), h);
  narrowT(sub(f, "conv.2"), "weight", 1, h);
}
int main() {
  auto m = torch::jit::load("mbv2_script.pt"); m.eval();
  auto T = [&](Module r, const std::string& p) { return sub(r, p).type(); };
  std::cout << "orig: features.5 vs 6 same type " << (T(m,"features.5")==T(m,"features.6"))
            << "; conv.1.0 same " << (T(m,"features.5.conv.1.0")==T(m,"features.6.conv.1.0")) << "\n";
  {
    auto c = m.clone();
    std::cout << "clone(): features.5 vs 6 same type " << (T(c,"features.5")==T(c,"features.6")) << " (sharing preserved)\n";
    auto d = m.deepcopy();
    std::cout << "deepcopy(): same type as original " << (T(d,"features.5")==T(m,"features.5")) << "\n";
  }
  // naive: clone one child and put it into the parent
  {
    auto m2 = torch::jit::load("mbv2_script.pt");
    auto feats = sub(m2, "features");
    auto c5 = sub(m2, "features.5").clone();
    std::cout << "child clone type " << c5.type()->str() << "\n";
    TRY("features.register_module(\"5\", features5.clone())", feats.register_module("5", c5));
    TRY("features.setattr(\"5\", features5.clone())", feats.setattr("5", c5._ivalue()));
  }
  // U3: full per-instance unshare clone
  {
    auto u = unshareClone(m);
    std::cout << "unshareClone: features.5 vs 6 same type " << (T(u,"features.5")==T(u,"features.6"))
              << "; conv.1.0 same " << (T(u,"features.5.conv.1.0")==T(u,"features.6.conv.1.0"))
              << "; shares tensors with orig " << sub(u,"features.5.conv.1.0").attr("weight").toTensor().is_same(sub(m,"features.5.conv.1.0").attr("weight").toTensor()) << "\n";
    std::cout << "unshareClone features.forward graph head:\n";
    { auto s = graphOf(sub(u, "features"), "forward")->toString(); std::istringstream is(s); std::string l; int k=0; while (std::getline(is,l) && k++<9) std::cout << l << "\n"; }
    TRY("unshareClone forward (unchanged)", std::cout << fwdShape(u) << "\n");
    narrowIR(sub(u, "features.5"), 128);
    auto dw5 = sub(u, "features.5.conv.1.0");
    std::cout << "groups rewritten in features.5 dw: " << setConvGroups(convGraph(dw5), 128) << "\n";
    setTypeConstant(dw5.type(), "groups", 128);
    setTypeConstant(dw5.type(), "in_channels", 128);
    setTypeConstant(dw5.type(), "out_channels", 128);
    setTypeConstant(sub(u, "features.5.conv.0.0").type(), "out_channels", 128);
    setTypeConstant(sub(u, "features.5.conv.2").type(), "in_channels", 128);
    setTypeConstant(sub(u, "features.5.conv.1.1").type(), "num_features", 128);
    std::cout << "features.6 dw groups const still " << sub(u, "features.6.conv.1.0").attr("groups") << " graph:\n"
              << convGraph(sub(u, "features.6.conv.1.0"))->toString();
    TRY("unshareClone + narrow features.5 only: forward", std::cout << fwdShape(u) << " " << fwdShape(u, {1,3,64,64}) << "\n");
    TRY("save q4_mbv2_unshared.pt", u.save("q4_mbv2_unshared.pt"));
    // control: the same narrowing without unsharing -> must break features.6
    auto m3 = torch::jit::load("mbv2_script.pt");
    narrowIR(sub(m3, "features.5"), 128);
    setConvGroups(convGraph(sub(m3, "features.5.conv.1.0")), 128);
    TRY("control (shared types) forward", std::cout << fwdShape(m3) << "\n");
  }
  // U4: inline everything into root forward and edit per call site
  {
    auto m4 = torch::jit::load("mbv2_script.pt"); m4.eval();
    auto g = graphOf(m4, "forward")->copy();
    Inline(*g);
    int convs = 0, edited = 0;
    forEachNode(g->block(), [&](Node* n) {
      if (n->kind() != aten::conv2d && n->kind() != aten::_convolution) return;
      ++convs;
      auto p = attrPath(n->input(1));
      if (p == "features.5.conv.1.0.weight") {
        std::cout << "U4 found conv node for " << p << ": " << *n;
        WithInsertPoint guard(n);
        n->replaceInput(n->kind() == aten::conv2d ? 6 : 8, g->insertConstant(int64_t(128)));
        ++edited;
      }
    });
    std::cout << "U4 inlined graph: conv nodes " << convs << " edited " << edited << "\n";
    replaceMethodGraph(m4, "forward", g);
    narrowIR(sub(m4, "features.5"), 128);
    TRY("U4 inline+per-call-site edit forward", std::cout << fwdShape(m4) << "\n");
    TRY("U4 submodule features.5 forward (not inlined, stale)", std::cout << sub(m4,"features.5").forward({torch::randn({1,32,8,8})}).toTensor().sizes() << "\n");
    TRY("save q4_mbv2_inlined.pt", m4.save("q4_mbv2_inlined.pt"));
  }
}
