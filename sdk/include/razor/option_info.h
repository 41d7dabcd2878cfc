#pragma once
/// OptionInfo: one option as the plugin descriptor lists it (the ABI wire format). Components do not
/// write these by hand: they come from an options struct (razor/options.h).
namespace razor {

/// `default_toml` is a TOML value ("0.1", "[1, 2]", "'sgd'", "{ type = 'cross_entropy' }"), or nullptr
/// for an option without default. `type` documents the expected value: bool, int, float, string,
/// int[], float[], string[], table, or a component kind (model, loss, ...).
struct OptionInfo {
  const char* name;
  const char* type;
  const char* default_toml;
  const char* doc;
};

}  // namespace razor
