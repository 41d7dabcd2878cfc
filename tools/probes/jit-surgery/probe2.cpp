#include "helpers.h"
#include <torch/csrc/jit/passes/dead_code_elimination.h>
// Q3: change groups constant on cnn, executor caching; Q4 type sharing in cnn; Q5 shuffle
void narrowCnn(Module& m, int64_t k) {
  narrowT(m.attr("conv1").toModule(), "weight", 0, k);
  narrowBN(m.attr("bn1").toModule(), k);
  for (auto b : {"block1", "block2"}) {
    auto blk = m.attr(b).toModule();
    narrowT(blk.attr("dw").toModule(), "weight", 0, k);
    narrowBN(blk.attr("bn").toModule(), k);
  }
  narrowT(m.attr("conv3").toModule(), "weight", 1, k);
}
int main() {
  for (std::string f : {"cnn_script.pt", "cnn_trace.pt"}) {
    std::cout << "\n################ " << f << "\n";
    {
      auto m = torch::jit::load(f); m.eval();
      auto b1 = m.attr("block1").toModule(), b2 = m.attr("block2").toModule();
      auto d1 = b1.attr("dw").toModule(), d2 = b2.attr("dw").toModule();
      std::cout << "Q4 block1 type " << b1.type()->str() << " block2 type " << b2.type()->str()
                << " same ClassType ptr: " << (b1.type() == b2.type()) << "; dw same: " << (d1.type() == d2.type())
                << "; same forward graph obj: " << (convGraph(d1) == convGraph(d2)) << "\n";
      // ---- scenario A: forward first, then edit in place
      std::cout << "A forward before edit: " << fwdShape(m) << "\n";
      narrowCnn(m, 12);
      int n1 = setConvGroups(convGraph(d1), 12, 16);
      int n2 = setConvGroups(convGraph(d2), 12, 16);  // no-op if shared
      std::cout << "A groups rewritten: d1 " << n1 << " d2 " << n2 << "\n";
      std::cout << "A dw conv graph after edit:\n" << convGraph(d1)->toString();
      TRY("A forward after edit (executor already built)", std::cout << fwdShape(m) << "\n");
      // clear optimized graphs of every function
      for (const auto& sm : m.modules())
        for (auto* fn : sm.type()->methods()) toGraphFunction(*fn).clear_optimized_graphs();
      TRY("A forward after clear_optimized_graphs on all fns", std::cout << fwdShape(m) << "\n");
      TRY("A save", m.save("q3A_" + f));
      TRY("A clone() + forward", { auto c = m.clone(); std::cout << fwdShape(c) << "\n"; });
      TRY("A clone(inplace=true) + forward", { auto c = m.clone(true); std::cout << fwdShape(c) << "\n"; });
      TRY("A deepcopy() + forward", { auto c = m.deepcopy(); std::cout << fwdShape(c) << "\n"; });
      TRY("A copy() + forward", { auto c = m.copy(); std::cout << fwdShape(c) << "\n"; });
      TRY("A refreshMethod(root, forward) + forward", { refreshMethod(m, "forward"); std::cout << fwdShape(m) << "\n"; });
      TRY("A 2nd forward", std::cout << fwdShape(m) << "\n");
      TRY("A 3rd forward batch 5", std::cout << fwdShape(m, {5,3,32,32}) << "\n");
    }
    {
      // ---- scenario B: edit before any forward
      auto m = torch::jit::load(f); m.eval();
      auto d1 = m.attr("block1").toModule().attr("dw").toModule();
      auto d2 = m.attr("block2").toModule().attr("dw").toModule();
      narrowCnn(m, 12);
      setConvGroups(convGraph(d1), 12, 16);
      setConvGroups(convGraph(d2), 12, 16);
      EliminateDeadCode(convGraph(d1));
      TRY("B forward (edit before first run)", std::cout << fwdShape(m) << " " << fwdShape(m) << " " << fwdShape(m) << "\n");
      TRY("B save", m.save("q3B_" + f));
    }
    {
      // ---- scenario C: change constant node value in place via i_
      auto m = torch::jit::load(f); m.eval();
      narrowCnn(m, 12);
      for (auto b : {"block1", "block2"}) {
        auto g = convGraph(m.attr(b).toModule().attr("dw").toModule());
        forEachNode(g->block(), [&](Node* n) {
          if (n->kind() == aten::conv2d || n->kind() == aten::_convolution) {
            Node* cn = n->input(n->kind() == aten::conv2d ? 6 : 8)->node();
            if (cn->kind() == prim::Constant && cn->i(attr::value) == 16) {
              std::cout << "C constant uses: " << cn->output()->uses().size() << "\n";
              cn->i_(attr::value, 12);
            }
          }
        });
      }
      TRY("C forward (i_ on constant node)", std::cout << fwdShape(m) << "\n");
      TRY("C save", m.save("q3C_" + f));
    }
  }
  // ---------- Q5 shuffle
  for (std::string f : {"shuf_script.pt", "shuf_trace.pt"}) {
    std::cout << "\n################ " << f << "\n";
    auto m = torch::jit::load(f); m.eval();
    std::cout << graphOf(m, "forward")->toString();
    narrowT(m.attr("conv").toModule(), "weight", 0, 6);
    narrowT(m.attr("conv").toModule(), "bias", 0, 6);
    narrowT(m.attr("conv2").toModule(), "weight", 1, 6);
    TRY("Q5 forward after conv 8->6", std::cout << fwdShape(m) << "\n");
    TRY("Q5 forward batch 3, 20x20", std::cout << fwdShape(m, {3,3,20,20}) << "\n");
    TRY("Q5 save", m.save("q5_" + f));
  }
}
