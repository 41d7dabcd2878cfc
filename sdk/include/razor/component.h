#pragma once
/// Component: the common base of everything a config can name with `type = "..."`.
/// Each interface derived from it names its kind (kKind), the first half of the registry key "kind/name".
#include "razor/export.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace razor {

class RAZOR_API Component {
 public:
  virtual ~Component();
  /// State that is not a module parameter or buffer (random generators, search state) and that a
  /// checkpoint must carry for an exact resume. Modules' parameters and buffers are saved by the runner.
  virtual void save_state(torch::serialize::OutputArchive& archive) const;
  virtual void load_state(torch::serialize::InputArchive& archive);
};

}  // namespace razor
