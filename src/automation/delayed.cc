// Commands for later (engine.h, DelayedView): the assistant's "turn off the fan
// in 10 minutes". Each is a store record "later/<id>" until it runs or is
// cancelled, and one of the engine's timers while it waits.

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "automation/engine.h"
#include "spec/validate.h"
#include "spec/value.h"

namespace millet::automation {

namespace json = boost::json;
using hub::Error;

namespace {

std::string later_key(std::uint64_t id) { return fmt::format("later/{:020}", id); }

Error invalid(std::string message) { return Error{Error::Code::kInvalid, std::move(message)}; }

json::object record_of(const DelayedView& view) {
  return json::object{{"id", view.id},     {"home", view.home_id},         {"user", view.user_id},
                      {"due", view.due_ms}, {"text", view.text}, {"operations", view.operations}};
}

}  // namespace

hub::Result<std::vector<hub::CheckedValue>> Engine::check_operation(const std::string& home_id,
                                                                     const json::value& operation) const {
  const json::object* o = operation.if_object();
  if (!o) return unexpected(invalid("an operation is an object: {\"device\", \"set\"}, {\"device\", \"action\"} or {\"scene\"}"));
  if (const std::string_view scene = spec::string_at(*o, "scene"); !scene.empty()) {
    if (!scene_by_id(home_id, scene)) {
      return unexpected(Error{Error::Code::kNotFound, fmt::format("no scene '{}' in this home", scene)});
    }
    return std::vector<hub::CheckedValue>();
  }
  const std::string_view device_id = spec::string_at(*o, "device");
  auto device = registry_.find_device(device_id);
  if (!device || device->home_id != home_id) {
    return unexpected(Error{Error::Code::kNotFound, fmt::format("no device '{}' in this home", device_id)});
  }
  const spec::DeviceType* type = registry_.catalog().find(device->type);
  if (!type) return unexpected(invalid(fmt::format("device '{}': its type is not in the catalog", device->name)));
  if (const json::value* set = o->if_contains("set"); set && set->is_object()) {
    if (set->get_object().empty()) return unexpected(invalid("a set needs at least one property"));
    auto checked = hub::check_set(*device, *type, set->get_object());
    if (!checked) return unexpected(invalid(std::move(checked.error())));
    return std::move(*checked);
  }
  if (const std::string_view action = spec::string_at(*o, "action"); !action.empty()) {
    if (!type->find_action(action)) {
      return unexpected(invalid(fmt::format("device '{}': {} has no action '{}'", device->name, type->name, action)));
    }
    return std::vector<hub::CheckedValue>();
  }
  return unexpected(invalid(fmt::format("the operation on '{}' needs \"set\" or \"action\"", device_id)));
}

hub::Result<DelayedView> Engine::add_delayed(std::string_view actor, std::string_view home_id, std::int64_t delay_ms,
                                             json::array operations, std::string text) {
  if (auto allowed = check_role(actor, home_id, hub::Role::kGuest); !allowed) return unexpected(allowed.error());
  if (operations.empty()) return unexpected(invalid("a command for later needs at least one operation"));
  if (delay_ms <= 0) return unexpected(invalid("a command for later must be due in the future"));
  const std::string home(home_id);
  for (std::size_t i = 0; i < operations.size(); ++i) {
    if (auto valid = check_operation(home, operations[i]); !valid) {
      return unexpected(Error{valid.error().code, fmt::format("operations[{}]: {}", i, valid.error().message)});
    }
  }
  const auto pending = std::count_if(delayed_.begin(), delayed_.end(),
                                     [&](const auto& entry) { return entry.second.view.home_id == home_id; });
  if (static_cast<std::size_t>(pending) >= kDelayedPerHome) {
    return unexpected(Error{Error::Code::kConflict,
                            fmt::format("the home has {} commands for later already; cancel some first", pending)});
  }
  DelayedView view{next_delayed_id_++, home, std::string(actor), now() + delay_ms, std::move(text), std::move(operations)};
  store::WriteBatch batch;
  batch.put(store::Space::kAutomations, later_key(view.id), json::serialize(record_of(view)));
  if (auto written = store_.write(batch); !written) {
    return unexpected(Error{Error::Code::kStorage, written.error()});
  }
  schedule(view);
  return view;
}

hub::Result<void> Engine::cancel_delayed(std::string_view actor, std::string_view home_id, std::uint64_t id) {
  if (auto allowed = check_role(actor, home_id, hub::Role::kGuest); !allowed) return unexpected(allowed.error());
  auto it = delayed_.find(id);
  if (it == delayed_.end() || it->second.view.home_id != home_id) {
    return unexpected(Error{Error::Code::kNotFound, fmt::format("no timer {} in this home", id)});
  }
  store::WriteBatch batch;
  batch.erase(store::Space::kAutomations, later_key(id));
  if (auto written = store_.write(batch); !written) return unexpected(Error{Error::Code::kStorage, written.error()});
  cancel_timer(it->second.timer);
  delayed_.erase(it);
  return {};
}

hub::Result<std::vector<DelayedView>> Engine::delayed(std::string_view actor, std::string_view home_id) const {
  if (auto allowed = check_role(actor, home_id, hub::Role::kGuest); !allowed) return unexpected(allowed.error());
  std::vector<DelayedView> views;
  for (const auto& [id, delayed] : delayed_) {
    if (delayed.view.home_id == home_id) views.push_back(delayed.view);
  }
  std::stable_sort(views.begin(), views.end(), [](const auto& a, const auto& b) { return a.due_ms < b.due_ms; });
  return views;
}

void Engine::schedule(DelayedView view) {
  const std::uint64_t id = view.id;
  const std::int64_t due = view.due_ms;
  Delayed& delayed = delayed_[id];
  delayed.view = std::move(view);
  delayed.timer = add_timer(due, [this, id] { run_delayed(id); });
}

void Engine::load_delayed(const json::object& record) {
  DelayedView view;
  view.id = record.at("id").to_number<std::uint64_t>();
  view.home_id = std::string(record.at("home").as_string());
  view.user_id = std::string(record.at("user").as_string());
  view.due_ms = record.at("due").to_number<std::int64_t>();
  view.text = std::string(record.at("text").as_string());
  view.operations = record.at("operations").as_array();
  next_delayed_id_ = std::max(next_delayed_id_, view.id + 1);
  schedule(std::move(view));
}

void Engine::run_delayed(std::uint64_t id) {
  auto it = delayed_.find(id);
  if (it == delayed_.end()) return;
  const DelayedView view = std::move(it->second.view);
  delayed_.erase(it);
  store::WriteBatch batch;
  batch.erase(store::Space::kAutomations, later_key(id));
  if (auto written = store_.write(batch); !written) {
    spdlog::warn("home {}: timer {}: cannot forget it in the store: {}", view.home_id, id, written.error());
  }
  // The person may have left the home since, or its devices changed: each operation is checked again.
  std::string result = "done";
  if (auto allowed = check_role(view.user_id, view.home_id, hub::Role::kGuest); !allowed) {
    result = "not run: its user is no longer in the home";
  } else {
    for (const json::value& operation : view.operations) {
      auto valid = check_operation(view.home_id, operation);
      if (!valid) {
        result = "not all done: " + valid.error().message;
        continue;
      }
      const json::object& o = operation.get_object();
      const std::string why = fmt::format("timer {} ('{}')", id, view.text);
      const auto log = [why](Outcome outcome) {
        if (!outcome.ok) spdlog::warn("{}: {}: {}", why, outcome.status, outcome.message);
      };
      if (const std::string_view scene = spec::string_at(o, "scene"); !scene.empty()) {
        apply_scene_states(*scene_by_id(view.home_id, scene), why);
        continue;
      }
      const std::string device_id(o.at("device").as_string());
      if (!valid->empty()) {
        effects_.set(view.home_id, device_id, std::move(*valid), log);
      } else {
        const json::value* in = o.if_contains("in");
        effects_.call(view.home_id, device_id, std::string(o.at("action").as_string()),
                      in && in->is_object() ? in->get_object() : json::object(), log);
      }
    }
  }
  spdlog::info("home {}: timer {} ('{}'): {}", view.home_id, id, view.text, result);
  effects_.publish(view.home_id, json::object{{"type", "timer"}, {"id", id}, {"text", view.text}, {"result", result}});
}

}  // namespace millet::automation
