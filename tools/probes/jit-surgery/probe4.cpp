#include "helpers.h"
void narrowIR(Module f, int64_t h) {
  narrowT(sub(f, "conv.0.0"), "weight", 0, h); narrowBN(sub(f, "conv.0.1"), h);
  narrowT(sub(f, "conv.1.0"), "weight", 0, h); narrowBN(sub(f, "conv.1.1"), h);
  narrowT(sub(f, "conv.2"), "weight", 1, h);
}
void narrowBranch2(Module b, int64_t h) {  // shufflenet InvertedResidual branch2 hidden width
  narrowT(sub(b, "branch2.0"), "weight", 0, h); narrowBN(sub(b, "branch2.1"), h);
  narrowT(sub(b, "branch2.3"), "weight", 0, h); narrowBN(sub(b, "branch2.4"), h);
  narrowT(sub(b, "branch2.5"), "weight", 1, h);
}
int main() {
  {
    std::cout << "######## mbv2: unshareClone, run, edit, refreshAll\n";
    auto m = torch::jit::load("mbv2_script.pt"); m.eval();
    auto u = unshareClone(m);
    std::cout << "forward before edit " << fwdShape(u) << "\n";
    narrowIR(sub(u, "features.5"), 128);
    setConvGroups(convGraph(sub(u, "features.5.conv.1.0")), 128);
    TRY("forward after edit, stale executors", fwdShape(u));
    refreshAll(u);
    TRY("forward after refreshAll(u)", std::cout << fwdShape(u) << " " << fwdShape(u, {3,3,48,48}) << "\n");
    TRY("features.5 direct forward after refreshAll", std::cout << sub(u,"features.5").forward({torch::randn({1,32,8,8})}).toTensor().sizes() << "\n");
    TRY("save q6_mbv2_refresh.pt", u.save("q6_mbv2_refresh.pt"));
  }
  for (std::string f : {"shv2_script.pt", "shv2_trace.pt"}) {
    std::cout << "\n######## " << f << "\n";
    auto m = torch::jit::load(f); m.eval();
    auto b1 = sub(m, "stage2.1"), b2 = sub(m, "stage2.2");
    std::cout << "stage2.1 vs stage2.2 same type " << (b1.type() == b2.type()) << "\n";
    std::cout << "stage2.1 forward graph (shuffle-relevant lines):\n";
    grepGraph(graphOf(b1, "forward"), {"size", "view", "NumToTensor", "floor", "aten::Int", "CallFunction", "chunk", "cat"});
    if (f == "shv2_script.pt") {
      // channel_shuffle is a separate function: find it via CallFunction constant
      forEachNode(graphOf(b1, "forward")->block(), [&](Node* n) {
        if (n->kind() == prim::CallFunction) {
          auto ft = n->input(0)->type()->cast<c10::FunctionType>();
          if (ft) { std::cout << "  callee " << ft->function()->qualname().qualifiedName() << ":\n";
            grepGraph(toGraphFunction(*ft->function()).graph(), {"size", "view", "floordiv", "reshape", "ListUnpack"}); }
        }
      });
    }
    Module w = (f == "shv2_script.pt") ? unshareClone(m) : m;
    auto bb1 = sub(w, "stage2.1");
    narrowBranch2(bb1, 16);
    std::cout << "groups rewritten: " << setConvGroups(convGraph(sub(bb1, "branch2.3")), 16) << "\n";
    TRY("forward after narrowing stage2.1.branch2 24->16", std::cout << fwdShape(w) << " " << fwdShape(w, {1,3,64,64}) << "\n");
    TRY("save q6_" + f, w.save("q6_" + f));
    // also: without unsharing (scripted) -> stage2.2/2.3 break?
    if (f == "shv2_script.pt") {
      auto m2 = torch::jit::load(f);
      narrowBranch2(sub(m2, "stage2.1"), 16);
      setConvGroups(convGraph(sub(m2, "stage2.1.branch2.3")), 16);
      TRY("control: same edit without unsharing", fwdShape(m2));
    }
  }
}
