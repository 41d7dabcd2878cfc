#include "loader/host_context.h"

#include <fmt/format.h>

#include "config/unread_keys.h"
#include "razor/closest_match.h"
#include "razor/errors.h"

namespace razor::host {

HostContext::HostContext(const Registry& registry, std::shared_ptr<const TomlConfigView> config,
                         const RunSettings& settings)
    : registry_(registry), config_(std::move(config)), settings_(settings) {}

const RegisteredComponent& resolve_type(const Registry& registry, const ConfigView& table,
                                        const std::string& kind) {
  const auto* view = dynamic_cast<const TomlConfigView*>(&table);
  std::string type;
  if (table.has("type")) {
    type = table.get_string("type");
  } else if (view && !view->default_type().empty()) {
    type = view->default_type();  // the declared default's type, e.g. [optimizer] with only lr set
  } else {
    table.fail("", fmt::format("missing required key 'type' (which {} to build; registered: {})", kind,
                               fmt::join(registry.names(kind), ", ")));
  }
  std::string name = type;
  if (const auto slash = type.find('/'); slash != std::string::npos) {
    const std::string given_kind = type.substr(0, slash);
    if (given_kind != kind) {
      table.fail("type", fmt::format("'{}' is a {}, expected a {} here", type, given_kind, kind));
    }
    name = type.substr(slash + 1);
  }
  if (const RegisteredComponent* rc = registry.find(kind, name)) return *rc;
  const auto known = registry.names(kind);
  const std::string guess = closest_match(name, known);
  const std::string plural = kind.back() == 's' ? kind + "es" : kind + "s";
  table.fail("type", fmt::format("unknown {} '{}'{} (registered {}: {})", kind, type,
                                 guess.empty() ? "" : fmt::format(", did you mean '{}'?", guess), plural,
                                 known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
}

std::shared_ptr<Component> HostContext::build(const ConfigView& table, const std::string& kind) const {
  const auto* view = dynamic_cast<const TomlConfigView*>(&table);
  if (!view) throw PluginError("BuildContext::build needs a view the host created (ConfigView::table)");
  const RegisteredComponent& rc = resolve_type(registry_, table, kind);
  auto bound = view->bind(&rc.info->options, rc.key());
  std::vector<std::string> others;
  for (const auto& [key, other] : registry_.components())
    if (other.info != rc.info && kind == other.info->kind)
      for (const auto& o : other.info->options) others.emplace_back(o.name);
  bound->note_other_types_options(others);
  HostContext child(registry_, bound, settings_);
  return registry_.create(rc, child);
}

}  // namespace razor::host
