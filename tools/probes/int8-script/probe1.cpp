// Q1: quantized ops with prepacked weights held as attributes of a TorchScript module built in C++;
// run in C++, save, load in Python (check.py). Q2: which engine; what saving records.
#include <iostream>
#include <fstream>
#include <torch/script.h>
#include <torch/serialize.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/sugared_value.h>

// `quantized.op(...)` in the source means the quantized:: operator (define()'s native resolver only knows `torch`).
struct QuantizedResolver : torch::jit::NativeResolver {
  std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string& name, torch::jit::GraphFunction& f,
                                                         const torch::jit::SourceRange& loc) override {
    if (name == "quantized") return std::make_shared<torch::jit::BuiltinModule>("quantized");
    return NativeResolver::resolveValue(name, f, loc);
  }
};

c10::IValue call(const char* name, torch::jit::Stack stack) {
  auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
  op.callBoxed(&stack);
  return stack.at(0);
}

void save(const at::Tensor& t, const char* path) {
  auto bytes = torch::pickle_save(t);
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

int main() {
  std::cout << "engine at start: " << (int)at::globalContext().qEngine() << "\n";
  for (auto e : at::globalContext().supportedQEngines()) std::cout << " supported " << toString(e) << "\n";
  at::globalContext().setQEngine(at::QEngine::ONEDNN);
  torch::manual_seed(0);
  at::Tensor w = torch::randn({8, 3, 3, 3}) * 0.2, b = torch::randn({8}) * 0.1;
  // int8 symmetric per-channel weights
  at::Tensor wmax = w.abs().amax({1, 2, 3});
  at::Tensor wscale = (wmax / 127.0).to(torch::kDouble);
  at::Tensor wzp = torch::zeros({8}, torch::kLong);
  at::Tensor qw = at::quantize_per_channel(w, wscale, wzp, 0, at::kQInt8);
  auto packed = call("quantized::conv2d_prepack", {qw, c10::optional<at::Tensor>(b), c10::List<int64_t>({1, 1}),
                                                   c10::List<int64_t>({1, 1}), c10::List<int64_t>({1, 1}), int64_t(1)});
  std::cout << "packed type: " << packed.type()->str() << "\n";
  at::Tensor lw = torch::randn({10, 8}) * 0.2, lb = torch::randn({10}) * 0.1;
  at::Tensor lq = at::quantize_per_tensor(lw, (lw.abs().max() / 127.0).item<double>(), 0, at::kQInt8);
  auto lpacked = call("quantized::linear_prepack", {lq, c10::optional<at::Tensor>(lb)});
  std::cout << "linear packed type: " << lpacked.type()->str() << "\n";

  torch::jit::Module m("__torch__.Int8Net");
  m.register_attribute("training", c10::BoolType::get(), false);
  m.register_attribute("conv0", packed.type(), packed);
  m.register_attribute("fc", lpacked.type(), lpacked);
  m.define(R"(
def forward(self, x):
    q = torch.quantize_per_tensor(x, 0.02, 128, 13)  # 13: quint8 (no torch.dtype names without the Python resolver)
    y = quantized.conv2d_relu(q, self.conv0, 0.01, 0)
    z = quantized.add(y, y, 0.02, 0)
    z = torch.adaptive_avg_pool2d(z, [1, 1])
    z = torch.flatten(z, 1)
    o = quantized.linear(z, self.fc, 0.05, 128)
    return o.dequantize()
)", std::make_shared<QuantizedResolver>());
  at::Tensor x = torch::rand({2, 3, 8, 8});
  save(x, "x.pt");
  at::Tensor y = m.forward({x}).toTensor();
  std::cout << "cpp out: " << y.sizes() << " sum " << y.sum().item<double>() << "\n";
  save(y, "y_cpp.pt");
  m.save("int8.pt");
  auto back = torch::jit::load("int8.pt");
  at::Tensor y2 = back.forward({x}).toTensor();
  std::cout << "reloaded max diff " << (y2 - y).abs().max().item<double>() << "\n";
  // reference: the same ops called eagerly
  std::cout << back.get_method("forward").graph()->toString() << "\n";
}
