#include "configurable_distiller.h"

#include <algorithm>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::distill {
namespace {

std::string listed(const std::vector<std::string>& names) {
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::vector<ConfigurableDistiller::NamedRecorder> ConfigurableDistiller::build_recorders(const BuildContext& ctx,
                                                                                       const Table& tables) {
  std::vector<NamedRecorder> out;
  for (const auto& name : tables->keys()) {
    auto table = tables->table(name);
    out.push_back({name, ctx.build<Recorder>(*table), table});
  }
  return out;
}

ConfigurableDistiller::ConfigurableDistiller(const BuildContext& ctx, const Options& options)
    : student_recorders_(build_recorders(ctx, options.student_recorders)),
      teacher_recorders_(build_recorders(ctx, options.teacher_recorders)) {
  connectors_ = register_module("connectors", torch::nn::ModuleDict());
  const Table& connector_tables = options.connectors;
  for (const auto& name : connector_tables->keys()) {
    connectors_->update({{name, ctx.build<Connector>(*connector_tables->table(name))}});
  }

  losses_ = register_module("distill_losses", torch::nn::ModuleDict());
  const Table& loss_tables = options.distill_losses;  // not empty (checked when read)
  const Table& mapping_tables = options.loss_forward_mappings;
  for (const auto& name : mapping_tables->keys()) {
    if (!contains(loss_tables->keys(), name)) {
      mapping_tables->fail(name, fmt::format("no distill loss '{}' (distill_losses: {})", name, listed(loss_tables->keys())));
    }
  }
  for (const auto& name : loss_tables->keys()) {
    Term term{name, ctx.build<DistillLoss>(*loss_tables->table(name)), {}};
    losses_->update({{name, term.loss}});
    const auto expected = term.loss->arguments();
    if (!mapping_tables->has(name)) {
      loss_tables->fail(name, fmt::format("no loss_forward_mappings.{} maps its arguments ({})", name, listed(expected)));
    }
    const auto mapping = mapping_tables->table(name);
    for (const auto& argument : mapping->keys()) {
      if (!contains(expected, argument)) {
        mapping->fail(argument, fmt::format("the loss takes no argument '{}' (arguments: {})", argument, listed(expected)));
      }
    }
    for (const auto& argument : expected) {
      if (!mapping->has(argument)) {
        mapping->fail("", fmt::format("argument '{}' is not mapped (arguments: {})", argument, listed(expected)));
      }
      term.arguments.push_back(read_argument(*mapping->table(argument), argument));
    }
    terms_.push_back(std::move(term));
  }
}

ConfigurableDistiller::Argument ConfigurableDistiller::read_argument(const ConfigView& entry,
                                                                     const std::string& argument) const {
  static const std::vector<std::string> known{"recorder", "from_student", "record_idx", "connector"};
  for (const auto& key : entry.keys()) {
    if (!contains(known, key)) entry.fail(key, fmt::format("unknown key (expected: {})", listed(known)));
  }
  if (!entry.has("recorder")) entry.fail("", "missing required key recorder (the recorder whose tensor is passed)");
  if (!entry.has("from_student")) entry.fail("", "missing required key from_student (true: student's recorder)");
  Argument a{argument, nullptr, entry.get<std::string>("recorder"), entry.get<bool>("from_student"), 0, nullptr};
  const auto& side = a.from_student ? student_recorders_ : teacher_recorders_;
  std::vector<std::string> side_names;
  for (const auto& r : side) {
    side_names.push_back(r.name);
    if (r.name == a.recorder_name) a.recorder = r.recorder.get();
  }
  if (!a.recorder) {
    entry.fail("recorder", fmt::format("no {} recorder '{}' ({}_recorders: {})", a.from_student ? "student" : "teacher",
                                       a.recorder_name, a.from_student ? "student" : "teacher", listed(side_names)));
  }
  if (entry.has("record_idx")) {
    a.record_idx = entry.get<std::int64_t>("record_idx");
    if (a.record_idx < 0) entry.fail("record_idx", "must not be negative");
  }
  if (entry.has("connector")) {
    const auto connector = entry.get<std::string>("connector");
    if (!connectors_->contains(connector)) {
      entry.fail("connector", fmt::format("no connector '{}' (connectors: {})", connector, listed(connectors_->keys())));
    }
    a.connector = std::dynamic_pointer_cast<Connector>((*connectors_)[connector]);
  }
  return a;
}

void ConfigurableDistiller::prepare_side(std::vector<NamedRecorder>& recorders, Model& model) {
  for (auto& r : recorders) {
    try {
      r.recorder->prepare(model);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      r.table->fail(r.table->has("source") ? "source" : "", e.what());
    }
  }
}

void ConfigurableDistiller::prepare(Model& student, Model& teacher) {
  prepare_side(student_recorders_, student);
  prepare_side(teacher_recorders_, teacher);
}

std::vector<Recorder*> ConfigurableDistiller::pointers(const std::vector<NamedRecorder>& recorders) {
  std::vector<Recorder*> out;
  for (const auto& r : recorders) out.push_back(r.recorder.get());
  return out;
}

RecordingScope ConfigurableDistiller::record_student(const Batch& batch) {
  return RecordingScope(pointers(student_recorders_), batch);
}

RecordingScope ConfigurableDistiller::record_teacher(const Batch& batch) {
  return RecordingScope(pointers(teacher_recorders_), batch);
}

Losses ConfigurableDistiller::compute_losses() {
  Losses losses;
  for (auto& term : terms_) {
    std::vector<at::Tensor> args;
    for (const auto& a : term.arguments) {
      const auto& records = a.recorder->records();
      if (a.record_idx >= static_cast<std::int64_t>(records.size())) {
        throw Error(fmt::format("distiller: loss '{}' argument '{}': {} recorder '{}' recorded {} tensor(s) in the "
                                "last forward, record_idx {} is out of range",
                                term.name, a.name, a.from_student ? "student" : "teacher", a.recorder_name,
                                records.size(), a.record_idx));
      }
      const at::Tensor& recorded = records[a.record_idx];
      args.push_back(a.connector ? a.connector->forward(recorded) : recorded);
    }
    losses[term.name] = term.loss->forward(args);
  }
  return losses;
}

}  // namespace razor::distill
