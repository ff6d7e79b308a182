#include "app/demo.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <future>
#include <iterator>

#include "app/paths.h"
#include "base/private_file.h"
#include "hub/credentials.h"
#include "sim/behaviour.h"
#include "spec/validate.h"
#include "spec/value.h"

namespace millet::app {
namespace {

namespace json = boost::json;

Expected<json::object, std::string> read_object(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return unexpected(fmt::format("cannot read {}", file.string()));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code error;
  json::value document = json::parse(text, error);
  if (error || !document.is_object()) return unexpected(fmt::format("{} is not a JSON object", file.string()));
  return std::move(document.get_object());
}

std::string text(const json::object& object, std::string_view key) { return std::string(spec::string_at(object, key)); }

const json::array& list(const json::object& object, std::string_view key) {
  static const json::array none;
  const json::value* value = object.if_contains(key);
  return value && value->is_array() ? value->get_array() : none;
}

// Runs `call` on the automation engine's thread and waits for its answer.
template <class Call>
auto on_engine(automation::Automations& automations, Call call) {
  using Answer = decltype(call(std::declval<automation::Engine&>()));
  std::promise<Answer> answer;
  automations.post([&](automation::Engine& engine) { answer.set_value(call(engine)); });
  return answer.get_future().get();
}

}  // namespace

std::string default_demo_file() { return in_this_millet("demo/home.json", "", MILLET_SOURCE_DEMO_FILE); }

Expected<DemoHome, std::string> make_demo_home(const std::filesystem::path& description, hub::Registry& registry,
                                               automation::Automations& automations) {
  auto read = read_object(description);
  if (!read) return unexpected(read.error());
  const json::object& plan = *read;
  const auto failed = [&](std::string_view what, const hub::Error& error) {
    return unexpected(fmt::format("{}: {}: {}", description.string(), what, error.message));
  };

  DemoHome demo{text(plan, "user"), hub::random_secret().substr(0, 12), text(plan, "home"), {}};
  auto user = registry.add_user(demo.user, demo.password);
  if (!user) return failed("user " + demo.user, user.error());
  auto home = registry.add_home(user->id, demo.home);
  if (!home) return failed("home " + demo.home, home.error());

  std::map<std::string, std::string> room_ids;  // by name
  for (const json::value& entry : list(plan, "rooms")) {
    const json::object& room = entry.as_object();
    std::vector<std::string> aliases;
    for (const json::value& alias : list(room, "aliases")) aliases.emplace_back(alias.as_string());
    auto added = registry.add_room(user->id, home->id, text(room, "name"), text(room, "floor"), std::move(aliases));
    if (!added) return failed("room " + text(room, "name"), added.error());
    room_ids[added->name] = added->id;
  }
  for (const json::value& entry : list(plan, "devices")) {
    const json::object& device = entry.as_object();
    const std::string name = text(device, "name");
    std::vector<std::string> aliases;
    for (const json::value& alias : list(device, "aliases")) aliases.emplace_back(alias.as_string());
    const std::string room = text(device, "room");
    if (!room.empty() && !room_ids.contains(room)) {
      return unexpected(fmt::format("{}: device {}: no room '{}'", description.string(), name, room));
    }
    auto added = registry.add_device(user->id, home->id, name, text(device, "type"),
                                     room.empty() ? std::string() : room_ids[room], std::move(aliases));
    if (!added) return failed("device " + name, added.error());
    demo.devices.push_back({added->device.id, added->secret, added->device.type, added->device.name});
  }
  // Scenes first: rules may run them.
  for (const json::value& scene : list(plan, "scenes")) {
    auto added = on_engine(automations, [&](automation::Engine& engine) {
      return engine.add_scene(user->id, home->id, scene);
    });
    if (!added) return failed("scene " + text(scene.as_object(), "name"), added.error());
  }
  for (const json::value& rule : list(plan, "rules")) {
    auto added = on_engine(automations, [&](automation::Engine& engine) {
      return engine.add_rule(user->id, home->id, rule);
    });
    if (!added) return failed("rule " + text(rule.as_object(), "name"), added.error());
  }
  return demo;
}

Expected<std::size_t, std::string> seed_demo_history(const DemoHome& demo, const spec::Catalog& catalog,
                                                     hub::History& history, store::KvStore& store, int days) {
  using Clock = sim::Behaviour::Clock;
  const auto now = Clock::now();
  const auto start = now - std::chrono::hours(24 * days) + std::chrono::minutes(10);  // reports may be 7 days old
  std::size_t written = 0;
  for (const sim::Credentials& device : demo.devices) {
    const spec::DeviceType* type = catalog.find(device.type);
    if (!type || (!type->service("environment") && !type->service("power-consumption"))) continue;
    // The same behaviour (same id, same seed) as the live simulator's, run through the past.
    sim::Behaviour behaviour(*type, device.id, std::hash<std::string>{}(device.id), start);
    store::WriteBatch batch;
    for (auto at = start + std::chrono::minutes(5); at < now - std::chrono::minutes(5); at += std::chrono::minutes(5)) {
      const sim::Output out = behaviour.advance(at);
      const std::int64_t time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
      for (const auto& [name, value] : out.report) {
        if (!name.starts_with("environment.") && !name.starts_with("power-consumption.")) continue;
        const auto found = type->find_property(name);
        if (!found) continue;
        auto checked = spec::check_value(*found->service, *found->member, value);
        if (!checked) return unexpected(checked.error().message(device.name));
        const hub::PropertyId id{static_cast<std::uint16_t>(found->service->siid),
                                 static_cast<std::uint16_t>(found->member->piid)};
        if (auto recorded = history.record(batch, device.id, id, time_ms, *checked); !recorded) {
          return unexpected(std::string("demo history: ") + recorded.error());
        }
        ++written;
      }
    }
    if (auto stored = store.write(batch); !stored) return unexpected(std::string("demo history: ") + stored.error());
  }
  return written;
}

std::filesystem::path demo_file_in(const std::filesystem::path& data_dir) { return data_dir / "demo.json"; }

Expected<void, std::string> save_demo_home(const std::filesystem::path& file, const DemoHome& demo) {
  const json::object document{{"user", demo.user}, {"password", demo.password}, {"home", demo.home},
                              {"devices", sim::to_json(demo.devices)}};
  return write_private_file(file, json::serialize(document) + "\n");
}

Expected<DemoHome, std::string> load_demo_home(const std::filesystem::path& file) {
  auto read = read_object(file);
  if (!read) return unexpected(read.error());
  const json::value* devices = read->if_contains("devices");
  auto credentials = sim::credentials_from_json(devices ? *devices : json::value(), file.string() + ": devices");
  if (!credentials) return unexpected(credentials.error());
  DemoHome demo{text(*read, "user"), text(*read, "password"), text(*read, "home"), std::move(*credentials)};
  if (demo.user.empty()) return unexpected(fmt::format("{} names no user", file.string()));
  return demo;
}

}  // namespace millet::app
