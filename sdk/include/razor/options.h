#pragma once
/// Options: the options of a component (or of a host section), each declared once, as a field of a
/// struct: its type, name, doc, default and checks. From that one declaration come the descriptor's
/// option table (OptionInfo, the ABI wire format), the defaults, the reading from a ConfigView, the
/// checks, and the generated reference (docs/config-options.md). A declared type and the type read
/// cannot disagree, and non-finite floats are refused for every float option.
///
/// Example:
///   struct ScaleOptions : razor::Options<ScaleOptions> {
///     RAZOR_OPTION(double, factor, "what the input is multiplied by", 2.0).positive();
///     RAZOR_OPTION(std::vector<std::int64_t>, sizes, "sizes to try", {8, 16}).each_positive();
///     RAZOR_OPTION(std::string, mode, "how results combine", "sum").one_of({"sum", "mean"});
///     RAZOR_OPTION(razor::Nested<razor::Loss>, loss, "the criterion", "{ type = 'cross_entropy' }");
///   };
///   const ScaleOptions o = ScaleOptions::read(cfg);  // o.factor, o.sizes, o.mode, ctx.build(o.loss)
///
/// A component names its struct `Options` (`using Options = ScaleOptions;`); razor::component<T>()
/// then lists the options in the descriptor and hands the constructor its filled options.
/// Cross-field checks go in `void validate(const razor::ConfigView&) const` of the struct.
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "razor/config.h"
#include "razor/export.h"
#include "razor/option_info.h"

namespace razor {

/// A free-form table option (its keys are the user's: cost names, unit names, ...).
struct Table {
  std::shared_ptr<const ConfigView> view;
  const ConfigView& operator*() const { return *view; }
  const ConfigView* operator->() const { return view.get(); }
  explicit operator bool() const { return view != nullptr; }
};

/// A nested component of interface K (its table with `type`); BuildContext::build(nested) builds it.
template <class K>
struct Nested : Table {
  using Kind = K;
};

/// A list of nested components of interface K: an array of tables, each with its `type`, built in
/// order (BuildContext::build(list)); a data pipeline, for example.
template <class K>
struct NestedList {
  using Kind = K;
  std::vector<std::shared_ptr<const ConfigView>> views;
};

/// The default of an option that must be set. (Not constructible from `{}`, an empty list default.)
struct Required {
  explicit constexpr Required(int) {}
};
inline constexpr Required required{0};

namespace detail {

// Rendering defaults as TOML and the messages of the checks (options.cpp).
RAZOR_API std::string toml_value(bool v);
RAZOR_API std::string toml_value(std::int64_t v);
RAZOR_API std::string toml_value(double v);
RAZOR_API std::string toml_value(const std::string& v);
RAZOR_API std::string number_text(double v);
RAZOR_API std::string alternatives(const std::vector<std::string>& names);  // "a, b or c"
[[noreturn]] RAZOR_API void fail_non_finite(const ConfigView& cfg, const std::string& key, double v);

template <class T>
std::string toml_value(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_value(v[i]);
  return out + "]";
}

template <class T> struct is_nested : std::false_type {};
template <class K> struct is_nested<Nested<K>> : std::true_type {};
template <class T> struct is_list : std::false_type {};
template <class E> struct is_list<std::vector<E>> : std::true_type {};
template <class T> struct is_nested_list : std::false_type {};
template <class K> struct is_nested_list<NestedList<K>> : std::true_type {};
// Options whose default is TOML text and whose value comes from the config view.
template <class T>
inline constexpr bool is_table_like = std::is_base_of_v<Table, T> || is_nested_list<T>::value;

/// How an option of type T is named in the option table, defaulted and read.
template <class T>
struct OptionType {
  static_assert(std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                    std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::int64_t>> ||
                    std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<std::string>> ||
                    std::is_same_v<T, Table> || is_nested<T>::value || is_nested_list<T>::value,
                "an option is bool, std::int64_t, double, std::string, a std::vector of those three, "
                "razor::Table, razor::Nested<Kind> or razor::NestedList<Kind>");
  // Tables are defaulted by TOML text, values by a value.
  using Default = std::conditional_t<is_table_like<T>, const char*, T>;

  static std::string name() {
    if constexpr (std::is_same_v<T, bool>) return "bool";
    if constexpr (std::is_same_v<T, std::int64_t>) return "int";
    if constexpr (std::is_same_v<T, double>) return "float";
    if constexpr (std::is_same_v<T, std::string>) return "string";
    if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) return "int[]";
    if constexpr (std::is_same_v<T, std::vector<double>>) return "float[]";
    if constexpr (std::is_same_v<T, std::vector<std::string>>) return "string[]";
    if constexpr (std::is_same_v<T, Table>) return "table";
    if constexpr (is_nested<T>::value) return T::Kind::kKind;
    if constexpr (is_nested_list<T>::value) return std::string(T::Kind::kKind) + "[]";
  }
  static std::string toml(const Default& d) {
    if constexpr (is_table_like<T>) {
      return d;
    } else {
      return toml_value(d);
    }
  }
  static T value(const Default& d) {
    if constexpr (is_table_like<T>) {
      return T{};  // a table's value comes from the config view, which applies the TOML default
    } else {
      return d;
    }
  }
  static T read(const ConfigView& cfg, const std::string& key) {
    if constexpr (std::is_base_of_v<Table, T>) {
      T t;
      t.view = cfg.table(key);
      return t;
    } else if constexpr (is_nested_list<T>::value) {
      return T{cfg.table_list(key)};
    } else {
      T v = cfg.get<T>(key);
      if constexpr (std::is_same_v<T, double>) {
        if (!std::isfinite(v)) fail_non_finite(cfg, key, v);
      }
      if constexpr (std::is_same_v<T, std::vector<double>>) {
        for (double x : v)
          if (!std::isfinite(x)) fail_non_finite(cfg, key, x);
      }
      return v;
    }
  }
};

/// One declared option, type-erased: where it lives in its struct and how it is read.
struct OptionSpec {
  std::string name, type, default_toml, doc;
  bool has_default = false;
  bool optional = false;  // no default, yet not required (the component checks has())
  std::size_t offset = 0;  // of the field from the start of its struct
  std::function<void(void* field, const ConfigView& cfg)> read;
};

/// The options of one struct, recorded once by constructing a prototype.
struct OptionSpecs {
  std::vector<OptionSpec> specs;
  std::vector<OptionInfo> infos;  // point into specs
  const unsigned char* prototype = nullptr;
};

/// The struct being recorded on this thread, if any.
RAZOR_API OptionSpecs*& recording();
struct Recording {
  explicit Recording(OptionSpecs& rec) { recording() = &rec; }
  ~Recording() { recording() = nullptr; }
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;
};

/// What RAZOR_OPTION expands to: the default value of the field, and, while a prototype is being
/// recorded, the option's entry. The checks chain (`.positive().in_range(...)`).
template <class T>
class Declaration {
 public:
  Declaration(T* field, const char* name, const char* doc, std::string default_toml, T default_value,
              bool has_default)
      : field_(field), value_(std::move(default_value)) {
    spec_.name = name;
    spec_.type = OptionType<T>::name();
    spec_.doc = doc;
    spec_.default_toml = std::move(default_toml);
    spec_.has_default = has_default;
  }

  /// A predicate the value must meet, and the message when it does not.
  Declaration& check(std::function<bool(const T&)> ok, std::string message) {
    checks_.push_back({std::move(ok), std::move(message)});
    return *this;
  }
  /// Numbers > 0; for lists, every element.
  Declaration& positive() { return each([](auto x) { return x > 0; }, "must be positive"); }
  Declaration& non_negative() { return each([](auto x) { return x >= 0; }, "must not be negative"); }
  template <class N>
  Declaration& at_least(N low) {
    return each([low](auto x) { return x >= low; }, "must be at least " + number_text(static_cast<double>(low)));
  }
  /// Closed interval [low, high].
  template <class N>
  Declaration& in_range(N low, N high) {
    return each([low, high](auto x) { return x >= low && x <= high; },
                "must be in [" + number_text(static_cast<double>(low)) + ", " +
                    number_text(static_cast<double>(high)) + "]");
  }
  /// Half-open interval [low, high).
  template <class N>
  Declaration& in_range_open(N low, N high) {
    return each([low, high](auto x) { return x >= low && x < high; },
                "must be in [" + number_text(static_cast<double>(low)) + ", " +
                    number_text(static_cast<double>(high)) + ")");
  }
  /// A string among `names`: "expected a, b or c, got 'x'".
  Declaration& one_of(std::vector<std::string> names) {
    static_assert(std::is_same_v<T, std::string>, "one_of() is for string options");
    names_ = std::move(names);
    return *this;
  }
  /// A list (or string) with at least one element.
  Declaration& not_empty(std::string message = "must not be empty") {
    return check([](const T& v) { return !v.empty(); }, std::move(message));
  }
  /// A file or folder path: resolved relative to the config file that sets it (ConfigView::resolve_path).
  Declaration& file_path() {
    static_assert(std::is_same_v<T, std::string>, "file_path() is for string options");
    is_path_ = true;
    spec_.doc += " (relative to the config file that sets it)";
    return *this;
  }
  /// No default and not required: absent stays empty (for tables) and the component asks has().
  Declaration& optional() {
    spec_.optional = true;
    return *this;
  }

  /// The field's initial value; records the option when a prototype is being recorded.
  operator T() {
    if (OptionSpecs* rec = recording()) record(*rec);
    return std::move(value_);
  }

 private:
  struct Check {
    std::function<bool(const T&)> ok;
    std::string message;
  };

  // A check of a number, or of each element of a list of numbers ("values must ..." then).
  template <class Pred>
  Declaration& each(Pred pred, const std::string& message) {
    if constexpr (is_list<T>::value) {
      return check([pred](const T& v) {
                     for (const auto& x : v)
                       if (!pred(x)) return false;
                     return true;
                   },
                   "values " + message);
    } else {
      static_assert(std::is_arithmetic_v<T>, "this check is for numbers and lists of numbers");
      return check([pred](const T& v) { return pred(v); }, message);
    }
  }

  void record(OptionSpecs& rec) {
    OptionSpec spec = spec_;
    spec.offset = static_cast<std::size_t>(reinterpret_cast<const unsigned char*>(field_) - rec.prototype);
    spec.read = [checks = checks_, names = names_, key = spec_.name, is_path = is_path_](void* field,
                                                                                         const ConfigView& cfg) {
      T v = OptionType<T>::read(cfg, key);
      if constexpr (std::is_same_v<T, std::string>) {
        if (is_path) v = cfg.resolve_path(key, v);
      }
      for (const auto& c : checks)
        if (!c.ok(v)) cfg.fail(key, c.message);
      if constexpr (std::is_same_v<T, std::string>) {
        if (!names.empty()) {
          bool known = false;
          for (const auto& n : names) known = known || n == v;
          if (!known) cfg.fail(key, "expected " + alternatives(names) + ", got '" + v + "'");
        }
      }
      *static_cast<T*>(field) = std::move(v);
    };
    rec.specs.push_back(std::move(spec));
  }

  T* field_;
  T value_;
  OptionSpec spec_;
  std::vector<Check> checks_;
  std::vector<std::string> names_;
  bool is_path_ = false;
};

template <class T>
Declaration<T> declare(T* field, const char* name, const char* doc,
                       const typename OptionType<T>::Default& default_value) {
  return {field, name, doc, OptionType<T>::toml(default_value), OptionType<T>::value(default_value), true};
}
template <class T>
Declaration<T> declare(T* field, const char* name, const char* doc, Required) {
  return {field, name, doc, "", T{}, false};
}

}  // namespace detail

/// Base of an options struct (CRTP): its option table, reading and checks.
template <class Self>
struct Options {
  /// The option table of the plugin descriptor, in declaration order.
  static const std::vector<OptionInfo>& option_infos() { return specs().infos; }

  /// Every option read from `cfg` (a view bound to these options: absent keys take their defaults),
  /// checked, then the struct's validate().
  static Self read(const ConfigView& cfg) {
    Self out;
    auto* base = reinterpret_cast<unsigned char*>(&out);
    for (const auto& spec : specs().specs) {
      if (spec.optional && !cfg.has(spec.name)) continue;
      spec.read(base + spec.offset, cfg);
    }
    out.validate(cfg);
    return out;
  }

  /// Cross-field checks; shadow it in the struct.
  void validate(const ConfigView&) const {}

 private:
  static const detail::OptionSpecs& specs() {
    // On the heap, never moved: the option table points into the recorded strings.
    static const std::unique_ptr<const detail::OptionSpecs> recorded = [] {
      auto rec = std::make_unique<detail::OptionSpecs>();
      alignas(Self) unsigned char storage[sizeof(Self)];
      rec->prototype = storage;
      {
        const detail::Recording on(*rec);
        (new (storage) Self)->~Self();
      }
      for (const auto& s : rec->specs) {
        rec->infos.push_back({s.name.c_str(), s.type.c_str(), s.has_default ? s.default_toml.c_str() : nullptr,
                              s.doc.c_str()});
      }
      return rec;
    }();
    return *recorded;
  }
};

}  // namespace razor

/// Declares one option as a field: type, name, one-line doc, default (or razor::required), then
/// chained checks. Example: RAZOR_OPTION(std::int64_t, epochs, "training epochs", 10).positive();
#define RAZOR_OPTION(TYPE, NAME, DOC, ...) \
  TYPE NAME = ::razor::detail::declare<TYPE>(&this->NAME, #NAME, DOC, __VA_ARGS__)

/// RAZOR_OPTION with LibTorch's TORCH_ARG accessors instead of a public field (`o.widths({16, 32})`
/// sets and chains, `o.widths()` reads): for an options struct that is also a module's C++ options.
/// Example: RAZOR_ARG(std::int64_t, num_classes, "output logits", 10).positive();
#define RAZOR_ARG(TYPE, NAME, DOC, ...)                                      \
 public:                                                                      \
  auto NAME(const TYPE& new_##NAME)->decltype(*this) {                        \
    this->NAME##_ = new_##NAME;                                               \
    return *this;                                                             \
  }                                                                           \
  auto NAME(TYPE&& new_##NAME)->decltype(*this) {                             \
    this->NAME##_ = std::move(new_##NAME);                                    \
    return *this;                                                             \
  }                                                                           \
  const TYPE& NAME() const noexcept { return this->NAME##_; }                 \
  TYPE& NAME() noexcept { return this->NAME##_; }                             \
                                                                              \
 private:                                                                     \
  TYPE NAME##_ = ::razor::detail::declare<TYPE>(&this->NAME##_, #NAME, DOC, __VA_ARGS__)

/// RAZOR_OPTION for an option whose name is a C++ keyword: the field FIELD reads the option "NAME".
/// Example: RAZOR_OPTION_AS(razor::Table, export_, "export", "the export stage", "{}");
#define RAZOR_OPTION_AS(TYPE, FIELD, NAME, DOC, ...) \
  TYPE FIELD = ::razor::detail::declare<TYPE>(&this->FIELD, NAME, DOC, __VA_ARGS__)
