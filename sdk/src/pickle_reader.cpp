#include "pickle_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

#include <fmt/format.h>

#include <ATen/ATen.h>

#include "razor/errors.h"

namespace razor::pickle {

namespace {

constexpr int kMaxDepth = 1000;
constexpr std::size_t kMaxMemo = 1u << 24;

using Kind = Value::Kind;

ValuePtr make(Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

ValuePtr object_of(const std::string& type) {
  ValuePtr v = make(Kind::object);
  v->text = type;
  return v;
}

// The callables torch.save's pickles apply with REDUCE (tensors, parameters, OrderedDicts); any
// other global stays an opaque object of its name.
bool is_storage_type(const std::string& name) {
  return name.rfind("torch.", 0) == 0 && name.size() > 13 && name.compare(name.size() - 7, 7, "Storage") == 0;
}

class Reader {
 public:
  Reader(const std::string& bytes, const StorageLoader& load) : in_(bytes), load_storage_(load) {}

  ValuePtr run() {
    while (true) {
      op_at_ = pos_;
      const auto op = static_cast<unsigned char>(byte());
      switch (op) {
        case 0x80: byte(); break;                // PROTO
        case 0x95: take(8); break;               // FRAME (a length hint)
        case '.': return finish();               // STOP
        case '(': marks_.push_back(stack_.size()); break;
        case 'N': push(make(Kind::none)); break;
        case 0x88: push(boolean(true)); break;   // NEWTRUE
        case 0x89: push(boolean(false)); break;  // NEWFALSE
        case 'J': push(integer(static_cast<std::int32_t>(little(4)))); break;
        case 'K': push(integer(static_cast<std::int64_t>(little(1)))); break;
        case 'M': push(integer(static_cast<std::int64_t>(little(2)))); break;
        case 0x8a: push(long_integer(static_cast<std::size_t>(little(1)))); break;  // LONG1
        case 0x8b: push(long_integer(static_cast<std::size_t>(little(4)))); break;  // LONG4
        case 'G': push(binary_float()); break;
        case 'X': case 'T': case 'B': push(string(little(4))); break;  // BINUNICODE, BINSTRING, BINBYTES
        case 0x8c: case 'U': case 'C': push(string(little(1))); break;  // the short forms
        case 0x8d: case 0x8e: push(string(little(8))); break;           // the 8-byte forms
        case ')': push(make(Kind::tuple)); break;
        case 't': push(sequence(Kind::tuple, pop_mark())); break;
        case 0x85: push(sequence(Kind::tuple, pop_n(1))); break;
        case 0x86: push(sequence(Kind::tuple, pop_n(2))); break;
        case 0x87: push(sequence(Kind::tuple, pop_n(3))); break;
        case ']': push(make(Kind::list)); break;
        case 'l': push(sequence(Kind::list, pop_mark())); break;
        case 'a': append(pop_n(1)); break;
        case 'e': append(pop_mark()); break;
        case '}': push(make(Kind::dict)); break;
        case 'd': push(set_items(make(Kind::dict), pop_mark())); break;
        case 's': { auto items = pop_n(2); set_items(top_dict(0), items); break; }
        case 'u': { auto items = pop_mark(); set_items(top_dict(0), items); break; }
        case 'c': { std::string module = line(); push(global(module + "." + line())); break; }
        case 0x93: { auto names = pop_n(2); push(global(text_of(names[0]) + "." + text_of(names[1]))); break; }
        case 'q': memo(little(1)); break;       // BINPUT
        case 'r': memo(little(4)); break;       // LONG_BINPUT
        case 0x94: memo(memo_.size()); break;    // MEMOIZE
        case 'h': push(recall(little(1))); break;  // BINGET
        case 'j': push(recall(little(4))); break;  // LONG_BINGET
        case 'Q': push(persistent(pop())); break;  // BINPERSID
        case 'R': { ValuePtr args = pop(); push(reduce(pop(), args)); break; }
        case 0x81: { ValuePtr args = pop(); push(reduce(pop(), args)); break; }  // NEWOBJ
        case 'b': pop(); top(); break;  // BUILD: object state (an OrderedDict's _metadata) is not needed
        case '0': pop(); break;
        case '1': pop_mark(); break;
        case '2': push(top()); break;
        default: fail(fmt::format("a pickle opcode razor does not read (0x{:02x})", op));
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw Error(fmt::format("data.pkl byte {}: {}", op_at_, why)); }

  char byte() {
    if (pos_ >= in_.size()) fail("the pickle ends before its STOP (truncated)");
    return in_[pos_++];
  }
  const char* take(std::uint64_t n) {
    if (n > in_.size() - pos_) fail(fmt::format("{} bytes asked for, {} left (truncated or damaged)", n, in_.size() - pos_));
    const char* p = in_.data() + pos_;
    pos_ += static_cast<std::size_t>(n);
    return p;
  }
  std::uint64_t little(int n) {
    const char* p = take(static_cast<std::uint64_t>(n));
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }
  std::string line() {
    const std::size_t end = in_.find('\n', pos_);
    if (end == std::string::npos || end - pos_ > 256) fail("a global's name without its newline");
    std::string s = in_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }

  static ValuePtr boolean(bool b) {
    ValuePtr v = make(Kind::boolean);
    v->integer = b;
    return v;
  }
  static ValuePtr integer(std::int64_t i) {
    ValuePtr v = make(Kind::integer);
    v->integer = i;
    return v;
  }
  ValuePtr long_integer(std::size_t n) {
    if (n > 8) fail(fmt::format("an integer of {} bytes", n));
    const char* p = take(n);
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(p[i]);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(p[n - 1]) & 0x80)) v |= ~std::uint64_t{0} << (8 * n);  // sign
    return integer(static_cast<std::int64_t>(v));
  }
  ValuePtr binary_float() {
    const char* p = take(8);
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(p[i]);  // big-endian
    ValuePtr v = make(Kind::floating);
    std::memcpy(&v->floating, &bits, sizeof bits);
    return v;
  }
  ValuePtr string(std::uint64_t n) {
    const char* p = take(n);
    ValuePtr v = make(Kind::string);
    v->text.assign(p, static_cast<std::size_t>(n));
    return v;
  }
  std::string text_of(const ValuePtr& v) const {
    if (v->kind != Kind::string) fail("a global's name that is not a string");
    return v->text;
  }

  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr& top() {
    if (stack_.size() <= floor()) fail("an opcode with nothing on the stack to act on");
    return stack_.back();
  }
  ValuePtr pop() {
    ValuePtr v = std::move(top());
    stack_.pop_back();
    return v;
  }
  std::size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<ValuePtr> pop_n(std::size_t n) {
    if (stack_.size() < floor() + n) fail("an opcode with too few values on the stack");
    std::vector<ValuePtr> out(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
    stack_.resize(stack_.size() - n);
    return out;
  }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("an opcode that needs a MARK without one");
    const std::size_t at = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> out(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return out;
  }

  // A container inserted into another is sealed: what Python's pickler writes fills every container
  // before its parent takes it, so a change after that could only build a cycle.
  void nest(Value& parent, const ValuePtr& child) {
    if (parent.sealed || child.get() == &parent) fail("a container that contains itself");
    child->sealed = true;
    parent.depth = std::max(parent.depth, child->depth + 1);
    if (parent.depth > kMaxDepth) fail(fmt::format("containers nested more than {} deep", kMaxDepth));
  }
  ValuePtr sequence(Kind kind, std::vector<ValuePtr> items) {
    ValuePtr v = make(kind);
    for (const auto& item : items) nest(*v, item);
    v->items = std::move(items);
    return v;
  }
  void append(std::vector<ValuePtr> items) {
    ValuePtr& list = top();
    if (list->kind != Kind::list) fail("APPEND to " + describe(*list));
    for (auto& item : items) {
      nest(*list, item);
      list->items.push_back(std::move(item));
    }
  }
  ValuePtr& top_dict(std::size_t above) {
    if (stack_.size() < floor() + above + 1) fail("SETITEM with too few values on the stack");
    ValuePtr& dict = stack_[stack_.size() - above - 1];
    if (dict->kind != Kind::dict) fail("SETITEM on " + describe(*dict));
    return dict;
  }
  ValuePtr set_items(ValuePtr dict, const std::vector<ValuePtr>& items) {
    if (items.size() % 2) fail("a dict with a key and no value");
    for (std::size_t i = 0; i < items.size(); i += 2) {
      nest(*dict, items[i + 1]);
      dict->entries.emplace_back(items[i], items[i + 1]);
    }
    return dict;
  }

  void memo(std::uint64_t index) {
    if (index >= kMaxMemo) fail(fmt::format("memo index {} (damaged)", index));
    if (index >= memo_.size()) memo_.resize(static_cast<std::size_t>(index) + 1);
    memo_[static_cast<std::size_t>(index)] = top();
  }
  ValuePtr recall(std::uint64_t index) const {
    if (index >= memo_.size() || !memo_[static_cast<std::size_t>(index)]) fail(fmt::format("memo index {} never stored", index));
    return memo_[static_cast<std::size_t>(index)];
  }

  ValuePtr global(const std::string& name) {
    ValuePtr v = object_of(name);
    if (is_storage_type(name)) v->kind = Kind::storage_type;
    return v;
  }

  // ('storage', storage type, key, location, numel): a tensor's bytes, one record of the zip.
  ValuePtr persistent(const ValuePtr& id) {
    const auto& f = id->items;
    if (id->kind != Kind::tuple || f.size() != 5 || f[0]->kind != Kind::string || f[0]->text != "storage" ||
        f[1]->kind != Kind::storage_type || f[2]->kind != Kind::string || f[4]->kind != Kind::integer) {
      fail("a persistent id that is not a tensor storage");
    }
    if (f[4]->integer < 0) fail("a storage of negative size");
    auto found = storages_.find(f[2]->text);
    if (found == storages_.end()) {
      found = storages_.emplace(f[2]->text, load_storage_(f[2]->text, f[1]->text.substr(6), f[4]->integer)).first;
    }
    ValuePtr v = make(Kind::tensor);
    v->tensor = found->second;
    return v;
  }

  std::vector<std::int64_t> int_tuple(const ValuePtr& v, const char* what) const {
    if (v->kind != Kind::tuple) fail(fmt::format("a tensor's {} that is not a tuple", what));
    std::vector<std::int64_t> out;
    for (const auto& item : v->items) {
      if (item->kind != Kind::integer || item->integer < 0) fail(fmt::format("a tensor's {} with a bad entry", what));
      out.push_back(item->integer);
    }
    return out;
  }

  // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...): a view of the storage,
  // checked to lie inside it.
  ValuePtr rebuild_tensor(const std::vector<ValuePtr>& a) {
    if (a.size() < 4 || a[0]->kind != Kind::tensor || a[1]->kind != Kind::integer)
      fail("a tensor rebuilt from arguments razor does not know");
    const auto size = int_tuple(a[2], "size");
    const auto stride = int_tuple(a[3], "stride");
    if (size.size() != stride.size()) fail("a tensor whose size and stride differ in length");
    const std::int64_t offset = a[1]->integer, numel = a[0]->tensor.numel();
    std::int64_t last = offset;  // the last element the view reaches
    bool empty = false;
    for (std::size_t d = 0; d < size.size(); ++d) {
      if (size[d] == 0) empty = true;
      else if (size[d] - 1 > (std::numeric_limits<std::int64_t>::max() - last) / std::max<std::int64_t>(stride[d], 1))
        fail("a tensor larger than its storage");
      else last += (size[d] - 1) * stride[d];
    }
    if (offset < 0 || (!empty && last >= numel)) fail("a tensor that reaches past the end of its storage (damaged)");
    ValuePtr v = make(Kind::tensor);
    v->tensor = empty ? at::empty(size, a[0]->tensor.options()) : a[0]->tensor.as_strided(size, stride, offset);
    return v;
  }

  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args) {
    if (args->kind != Kind::tuple) fail("a call whose arguments are not a tuple");
    const std::string& name = callable->text;
    if (callable->kind == Kind::object && args->items.empty() && name == "collections.OrderedDict") return make(Kind::dict);
    if (callable->kind == Kind::object && (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor"))
      return rebuild_tensor(args->items);
    if (callable->kind == Kind::object &&
        (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state")) {
      if (args->items.empty() || args->items[0]->kind != Kind::tensor) fail("a parameter without its tensor");
      return args->items[0];
    }
    return object_of(callable->kind == Kind::object ? name : describe(*callable));  // never executed
  }

  ValuePtr finish() {
    if (stack_.size() != 1 || !marks_.empty()) fail("the pickle stops with a stack that is not one value");
    return stack_.back();
  }

  const std::string& in_;
  const StorageLoader& load_storage_;
  std::size_t pos_ = 0, op_at_ = 0;
  std::vector<ValuePtr> stack_, memo_;
  std::vector<std::size_t> marks_;
  std::map<std::string, at::Tensor> storages_;
};

}  // namespace

ValuePtr read(const std::string& bytes, const StorageLoader& load_storage) {
  return Reader(bytes, load_storage).run();
}

std::string describe(const Value& value) {
  switch (value.kind) {
    case Kind::none: return "None";
    case Kind::boolean: return "a bool";
    case Kind::integer: return "an int";
    case Kind::floating: return "a float";
    case Kind::string: return "a string";
    case Kind::tuple: return "a tuple";
    case Kind::list: return "a list";
    case Kind::dict: return "a dict";
    case Kind::tensor: return "a tensor";
    case Kind::storage_type: return "a storage type";
    case Kind::object: return "a `" + value.text + "` object";
  }
  return "a value";
}

}  // namespace razor::pickle
