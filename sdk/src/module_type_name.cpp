#include "razor/module_type_name.h"

namespace razor {

std::string module_type_name(const torch::nn::Module& module) {
  std::string name = module.name();
  name = name.substr(0, name.find('<'));  // a class template: its name without arguments
  if (const auto colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
  const std::string impl = "Impl";  // LibTorch's module holder pattern: FooImpl behind the holder Foo
  if (name.size() > impl.size() && name.compare(name.size() - impl.size(), impl.size(), impl) == 0) {
    name.resize(name.size() - impl.size());
  }
  return name;
}

}  // namespace razor
