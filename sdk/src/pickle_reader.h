#pragma once
// A reader for the pickles Python's torch.save writes (data.pkl of its zip format) that executes
// nothing: it builds only None, booleans, numbers, strings, tuples, lists, dicts and tensors, and
// keeps any other object as an opaque value that names its Python type. (LibTorch's own unpickler
// turns every collections.OrderedDict, the type of every state_dict, into None.)
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

namespace razor::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind { none, boolean, integer, floating, string, tuple, list, dict, tensor, storage_type, object };
  Kind kind = Kind::none;
  std::int64_t integer = 0;  // also the boolean
  double floating = 0;
  std::string text;  // a string; the Python type of a global (storage_type, object): "module.name"
  std::vector<ValuePtr> items;                          // tuple, list
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // dict, in insertion order
  at::Tensor tensor;
  int depth = 0;  // nesting, bounded so that destroying a hostile pickle cannot overflow the stack
  bool sealed = false;  // held by another container: no longer changed (so no cycles)
};

/// A storage's bytes: `key` is the record under data/, `dtype` from the storage type ("FloatStorage").
/// Returns a 1-D tensor of `numel` elements; throws razor::Error when the record disagrees.
using StorageLoader = std::function<at::Tensor(const std::string& key, const std::string& storage_type,
                                               std::int64_t numel)>;

/// The value the pickle in `bytes` describes. Throws razor::Error "byte N: why" for anything it
/// cannot read (an opcode outside what torch.save writes, a truncated or inconsistent stream).
ValuePtr read(const std::string& bytes, const StorageLoader& load_storage);

/// "a dict", "a tensor", "a `torch.nn.modules.linear.Linear` object", ... for messages.
std::string describe(const Value& value);

}  // namespace razor::pickle
