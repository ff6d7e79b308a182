// `millet user|home|room|device ...` on a data directory: the registry read
// and changed directly in the store, while no server runs on it. Against a
// running server the same commands go through its API (remote_commands.cc).

#include "app/admin_commands.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "app/spec_command.h"
#include "api/views.h"
#include "base/wall_clock.h"
#include "app/print.h"
#include "hub/history.h"
#include "hub/hub.h"
#include "hub/shadow.h"
#include "hub/registry.h"
#include "spec/catalog.h"
#include "spec/value.h"
#include "store/kv_store.h"

namespace millet::app {
namespace {

namespace json = boost::json;

// Everything a command needs, opened from the data directory.
struct Opened {
  std::unique_ptr<spec::Catalog> catalog;
  std::unique_ptr<store::KvStore> store;
  std::unique_ptr<hub::Registry> registry;
};

Expected<Opened, std::string> open(const AdminOptions& options) {
  Opened opened;
  const std::string spec_dir = options.spec_dir.empty() ? default_spec_dir() : options.spec_dir;
  auto catalog = spec::Catalog::load(spec_dir);
  if (!catalog) return unexpected(fmt::format("the device catalog in {} does not load:\n{}", spec_dir, catalog.error()));
  opened.catalog = std::make_unique<spec::Catalog>(std::move(*catalog));
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  auto store = store::open_rocksdb_store((std::filesystem::path(options.data_dir) / "store").string());
  if (!store) return unexpected(store.error());
  opened.store = std::move(*store);
  auto registry = hub::Registry::open(*opened.store, *opened.catalog);
  if (!registry) return unexpected(registry.error());
  opened.registry = std::move(*registry);
  return opened;
}

int fail(const std::string& message) {
  fmt::print(stderr, "{}\n", message);
  return 1;
}

int fail(const hub::Error& error) { return fail(error.message); }

// The acting user: --user, or the only user there is.
Expected<hub::User, std::string> actor(const hub::Registry& registry, const AdminOptions& options) {
  if (options.user.empty()) return unexpected(std::string("say who acts with --user NAME"));
  auto user = registry.user_by_name(options.user);
  if (!user) return unexpected(user.error().message);
  return *user;
}

// A home of the actor's, by id or by name.
Expected<hub::Home, std::string> find_home(const hub::Registry& registry, const hub::User& user,
                                           const std::string& reference) {
  if (reference.empty()) {
    auto homes = registry.homes_of(user.id);
    if (homes.size() == 1) return homes[0];
    return unexpected(fmt::format("user '{}' has {} homes; say which with --home", user.name, homes.size()));
  }
  for (const auto& home : registry.homes_of(user.id)) {
    if (home.id == reference || home.name == reference) return home;
  }
  return unexpected(fmt::format("user '{}' has no home '{}'", user.name, reference));
}

json::object device_json(const hub::Device& device, const hub::Home* home) {
  json::object o{{"id", device.id},     {"name", device.name}, {"type", device.type},
                 {"home_id", device.home_id}, {"room_id", device.room_id}, {"revoked", device.revoked}};
  if (home) {
    if (const hub::Room* room = home->room(device.room_id)) o["room"] = room->name;
  }
  return o;
}

int user_add(Opened& o, const AdminOptions& options) {
  std::string password = options.password;
  if (password.empty()) std::getline(std::cin, password);  // from a pipe: never in the shell's history
  auto user = o.registry->add_user(options.name, password);
  if (!user) return fail(user.error());
  if (options.json) {
    fmt::print("{}\n", spec::json_text(json::object{{"id", user->id}, {"name", user->name}}));
  } else {
    fmt::print("user {} ({})\n", user->name, user->id);
  }
  return 0;
}

int home_add(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  auto home = o.registry->add_home(user->id, options.name);
  if (!home) return fail(home.error());
  if (options.json) {
    fmt::print("{}\n", spec::json_text(json::object{{"id", home->id}, {"name", home->name}}));
  } else {
    fmt::print("home {} ({})\n", home->name, home->id);
  }
  return 0;
}

int room_add(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  auto home = find_home(*o.registry, *user, options.home);
  if (!home) return fail(home.error());
  auto room = o.registry->add_room(user->id, home->id, options.name, options.floor);
  if (!room) return fail(room.error());
  if (options.json) {
    fmt::print("{}\n", spec::json_text(json::object{{"id", room->id}, {"name", room->name}, {"home_id", home->id}}));
  } else {
    fmt::print("room {} ({}) in {}\n", room->name, room->id, home->name);
  }
  return 0;
}

int device_add(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  auto home = find_home(*o.registry, *user, options.home);
  if (!home) return fail(home.error());
  std::string room_id;
  if (!options.room.empty()) {
    for (const auto& room : home->rooms) {
      if (room.id == options.room || room.name == options.room) room_id = room.id;
    }
    if (room_id.empty()) return fail(fmt::format("home '{}' has no room '{}'", home->name, options.room));
  }
  if (options.count > 0) {
    // A fleet: one JSON array of ids and secrets (for `millet bench reports --devices`, or provisioning).
    json::array made_all;
    for (std::size_t i = 1; i <= options.count; ++i) {
      auto made = o.registry->add_device(user->id, home->id, fmt::format("{} {}", options.name, i), options.type, room_id);
      if (!made) return fail(made.error());
      json::object out = device_json(made->device, &*home);
      out["secret"] = made->secret;
      made_all.push_back(std::move(out));
    }
    if (options.json) {
      fmt::print("{}\n", spec::json_text(made_all));
    } else {
      for (const auto& d : made_all) {
        fmt::print("{} {} {}\n", std::string_view(d.at("id").as_string()), std::string_view(d.at("secret").as_string()),
                   std::string_view(d.at("name").as_string()));
      }
    }
    return 0;
  }
  auto made = o.registry->add_device(user->id, home->id, options.name, options.type, room_id);
  if (!made) return fail(made.error());
  if (options.json) {
    json::object out = device_json(made->device, &*home);
    out["secret"] = made->secret;
    fmt::print("{}\n", spec::json_text(out));
  } else {
    fmt::print("device {} ({}, {})\nid:     {}\nsecret: {}\n", made->device.name, made->device.type, home->name,
               made->device.id, made->secret);
    fmt::print("The secret is shown once. The device connects with client id and user name {} and this secret "
               "as password (docs/device-protocol.md).\n",
               made->device.id);
  }
  return 0;
}

int device_list(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  json::array list;
  for (const auto& home : o.registry->homes_of(user->id)) {
    if (!options.home.empty() && home.id != options.home && home.name != options.home) continue;
    auto devices = o.registry->devices_in(user->id, home.id);
    if (!devices) return fail(devices.error());
    for (const auto& device : *devices) {
      if (options.json) {
        list.push_back(device_json(device, &home));
      } else {
        const hub::Room* room = home.room(device.room_id);
        fmt::print("{:<16} {:<24} {:<20} {} / {}{}\n", device.id, device.name, device.type, home.name,
                   room ? room->name : "-", device.revoked ? "  (revoked)" : "");
      }
    }
  }
  if (options.json) fmt::print("{}\n", spec::json_text(list));
  return 0;
}

// A device of the actor's by id, or by name or alias in any of their homes.
Expected<hub::Device, std::string> find_device(const hub::Registry& registry, const hub::User& user,
                                               const std::string& reference) {
  if (auto device = registry.device(user.id, reference)) return *device;
  std::vector<hub::Device> found;
  for (const auto& home : registry.homes_of(user.id)) {
    auto devices = registry.devices_in(user.id, home.id);
    if (!devices) continue;
    for (const auto& device : *devices) {
      if (device.name == reference || std::find(device.aliases.begin(), device.aliases.end(), reference) !=
                                          device.aliases.end()) {
        found.push_back(device);
      }
    }
  }
  if (found.size() == 1) return found[0];
  if (found.empty()) return unexpected(fmt::format("user '{}' has no device '{}'", user.name, reference));
  return unexpected(fmt::format("{} devices are called '{}'; use the id", found.size(), reference));
}

// The state as the stopped server left it: last reported and desired values (offline).
int device_get(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  auto device = find_device(*o.registry, *user, options.name);
  if (!device) return fail(device.error());
  hub::ShadowTable shadows;
  if (auto loaded = hub::ShadowTable::load(*o.store, [&](std::string_view) -> hub::ShadowTable& { return shadows; });
      !loaded) {
    return fail(loaded.error());
  }
  const json::object state = api::state_json(hub::state_of(*device, *o.catalog, shadows.find(device->id)));
  if (options.json) {
    fmt::print("{}\n", spec::json_text(state));
  } else {
    print_state(state);
  }
  return 0;
}

int device_history(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  auto device = find_device(*o.registry, *user, options.name);
  if (!device) return fail(device.error());
  const std::int64_t now = wall_clock_ms();
  auto from = api::parse_time(options.from, now);
  auto to = api::parse_time(options.to, now);
  if (!from || !to) return fail("--from and --to are ms since the epoch, now, or relative: -24h, -7d, -30m");
  std::optional<hub::HistoryLevel> level;
  if (options.level != "auto") {
    level = hub::parse_level(options.level);
    if (!level) return fail("--level is raw, 5m, 1h or auto");
  }
  hub::History history(*o.store);
  auto found = hub::property_history(*o.registry, history, user->id, device->id, options.target, *from, *to, level,
                                     100'000);
  if (!found) return fail(found.error());
  const std::string text = api::history_json(device->id, *found, *from, *to);
  if (options.json) {
    fmt::print("{}", text);
  } else {
    print_history(json::parse(text).as_object(), options.name);
  }
  return 0;
}

int device_remove(Opened& o, const AdminOptions& options) {
  auto user = actor(*o.registry, options);
  if (!user) return fail(user.error());
  if (auto removed = o.registry->remove_device(user->id, options.name); !removed) return fail(removed.error());
  // Its shadow and history go with it.
  store::WriteBatch batch;
  const std::string prefix = options.name + std::string(1, '\0');
  auto scanned = o.store->scan(store::Space::kShadows, prefix, [&](std::string_view key, std::string_view) {
    batch.erase(store::Space::kShadows, key);
    return true;
  });
  hub::History history(*o.store);
  auto erased = history.erase_device(batch, options.name);
  if (!scanned || !erased) return fail(!scanned ? scanned.error() : erased.error());
  if (auto written = o.store->write(batch); !written) return fail(written.error());
  fmt::print("removed device {}\n", options.name);
  return 0;
}

}  // namespace

CLI::App* add_admin_commands(CLI::App& app, AdminOptions& options) {
  // Every command talks to a running server unless given --data-dir; `offline`
  // says whether it can work on a data directory too.
  const auto common = [&options](CLI::App* command, bool offline) {
    command->add_option("--server", options.server,
                        "The running millet's API (default: $MILLET_SERVER, else http://127.0.0.1:8080)");
    command->add_option("--token", options.token, "API token (default: $MILLET_TOKEN, else the one `millet login` saved)");
    if (offline) {
      command->add_option("--data-dir", options.data_dir,
                          "Work on the data directory of a millet that is NOT running, instead of a server");
      command->add_option("--spec-dir", options.spec_dir, "With --data-dir: device catalog folder");
      command->add_option("--user", options.user, "With --data-dir: the user who acts (a login name)");
    }
    command->add_flag("--json", options.json, "Print JSON");
  };
  CLI::App* login = app.add_subcommand("login", "Sign in to a running millet; keeps the token for later commands");
  login->add_option("--user", options.user, "Login name")->required();
  login->add_option("--password", options.password, "The password (default: a line from stdin)");
  common(login, false);
  CLI::App* logout = app.add_subcommand("logout", "Revoke the token `millet login` kept");
  common(logout, false);

  CLI::App* user = app.add_subcommand("user", "People: add a user (the password is read from stdin)");
  CLI::App* user_add = user->add_subcommand("add", "Add a user (the first one freely; later ones when signed in)");
  user_add->add_option("name", options.name, "Login name")->required();
  user_add->add_option("--password", options.password, "The password (default: a line from stdin)");
  common(user_add, true);
  user->require_subcommand(1);

  CLI::App* home = app.add_subcommand("home", "Homes: add, list, share with another user; the mode and the location");
  CLI::App* home_add = home->add_subcommand("add", "Add a home; you are its owner");
  home_add->add_option("name", options.name, "The home's name")->required();
  common(home_add, true);
  CLI::App* home_list = home->add_subcommand("list", "List your homes with their rooms and members");
  common(home_list, true);
  CLI::App* home_share = home->add_subcommand("share", "Give another user a role in a home (owners only)");
  home_share->add_option("home", options.home, "Home id or name")->required();
  home_share->add_option("user", options.target, "The other user's login name")->required();
  home_share->add_option("--role", options.role, "owner, member or guest")->capture_default_str();
  common(home_share, false);
  CLI::App* home_mode = home->add_subcommand(
      "mode", "Show the home's mode, or set it: home, away or sleep (rules' mode conditions and actions use it)");
  home_mode->add_option("mode", options.target, "The new mode: home, away or sleep (none: show it)");
  home_mode->add_option("--home", options.home, "Home id or name (default: your only home)");
  common(home_mode, false);
  CLI::App* home_locate = home->add_subcommand(
      "locate", "Say where the home is, for rules about sunrise and sunset: millet home locate 52.52 13.405 "
                "--time-zone Europe/Berlin");
  home_locate->add_option("latitude", options.latitude, "Degrees, north positive (-90 to 90)")->required();
  home_locate->add_option("longitude", options.longitude, "Degrees, east positive (-180 to 180)")->required();
  home_locate->add_option_function<std::string>(
      "--time-zone", [&options](const std::string& zone) { options.time_zone = zone; },
      "The home's IANA time zone for times of day in its rules (\"\": the server's)");
  home_locate->add_option("--home", options.home, "Home id or name (default: your only home)");
  common(home_locate, false);
  home->require_subcommand(1);

  CLI::App* room = app.add_subcommand("room", "Rooms of a home");
  CLI::App* room_add = room->add_subcommand("add", "Add a room");
  room_add->add_option("name", options.name, "The room's name")->required();
  room_add->add_option("--home", options.home, "Home id or name (default: your only home)");
  room_add->add_option("--floor", options.floor, "The floor it is on");
  common(room_add, true);
  room->require_subcommand(1);

  CLI::App* device =
      app.add_subcommand("device", "Devices: add (prints its id and secret), list, get, set, call, history, rm");
  CLI::App* device_add = device->add_subcommand("add", "Add a device; prints its id and secret, once");
  device_add->add_option("name", options.name, "The device's name, unique in its home")->required();
  device_add->add_option("--type", options.type, "Its category in the catalog (millet spec list)")->required();
  device_add->add_option("--home", options.home, "Home id or name (default: your only home)");
  device_add->add_option("--room", options.room, "Room id or name");
  device_add->add_option("--count", options.count, "Add this many, named \"NAME 1\" .. \"NAME N\"")
      ->check(CLI::Range(1, 100000));
  common(device_add, true);
  CLI::App* device_list = device->add_subcommand("list", "List the devices of your homes");
  device_list->add_option("--home", options.home, "Only this home (id or name)");
  common(device_list, true);
  CLI::App* device_get = device->add_subcommand("get", "Show a device's state: online, reported and desired values");
  device_get->add_option("device", options.name, "Device id or name")->required();
  common(device_get, true);
  CLI::App* device_set = device->add_subcommand("set", "Set properties: millet device set \"Hall light\" light.brightness=50");
  device_set->add_option("device", options.name, "Device id or name")->required();
  device_set->add_option("values", options.values, "property=value ... (JSON values; text may go unquoted)")->required();
  device_set->add_option("--wait", options.wait_ms, "Milliseconds to wait for the device's answer (0: do not wait)");
  common(device_set, true);
  CLI::App* device_call = device->add_subcommand("call", "Call an action: millet device call Speaker speaker.play-text speaker.text=hi");
  device_call->add_option("device", options.name, "Device id or name")->required();
  device_call->add_option("action", options.target, "The action: <service>.<action>")->required();
  device_call->add_option("arguments", options.values, "argument=value ...");
  device_call->add_option("--wait", options.wait_ms, "Milliseconds to wait for the device's answer");
  common(device_call, true);
  CLI::App* device_history = device->add_subcommand("history", "A property's history, raw or rolled up");
  device_history->add_option("device", options.name, "Device id or name")->required();
  device_history->add_option("property", options.target, "The property: <service>.<property>")->required();
  device_history->add_option("--from", options.from, "ms since the epoch, or relative: -24h, -7d, -30m")
      ->capture_default_str();
  device_history->add_option("--to", options.to, "ms since the epoch, now, or relative")->capture_default_str();
  device_history->add_option("--level", options.level, "raw, 5m, 1h or auto (by the span)")->capture_default_str();
  common(device_history, true);
  CLI::App* device_rm = device->add_subcommand("rm", "Remove a device (its credentials stop working)");
  device_rm->add_option("device", options.name, "The device's id (or name, with a server)")->required();
  common(device_rm, true);
  device->require_subcommand(1);

  // Automations (docs/automations.md): rule and scene documents are JSON files.
  const auto document_option = [&options](CLI::App* command) {
    command->add_option("file", options.file, "The JSON document's file, or - to read it from stdin")->required();
  };
  CLI::App* rule = app.add_subcommand(
      "rule", "Automations: rules that make devices act on each other (triggers, conditions, actions; "
              "docs/automations.md). RULE is a rule's id or its name (any case).");
  CLI::App* rule_add = rule->add_subcommand("add", "Add a rule from its JSON document; prints its id and name");
  document_option(rule_add);
  rule_add->add_option("--home", options.home, "Home id or name (default: your only home)");
  common(rule_add, false);
  CLI::App* rule_list = rule->add_subcommand("list", "List the rules of your homes: enabled or not, last run, problems");
  rule_list->add_option("--home", options.home, "Only this home (id or name)");
  common(rule_list, false);
  CLI::App* rule_show = rule->add_subcommand("show", "Show a rule: its state and its document");
  rule_show->add_option("rule", options.name, "Rule id or name")->required();
  common(rule_show, false);
  CLI::App* rule_edit = rule->add_subcommand(
      "edit", "Replace a rule's document (runs going stop); e.g. rule show --json RULE, edit its document, rule edit");
  rule_edit->add_option("rule", options.name, "Rule id or name")->required();
  document_option(rule_edit);
  common(rule_edit, false);
  CLI::App* rule_rm = rule->add_subcommand("rm", "Remove a rule (runs going stop)");
  rule_rm->add_option("rule", options.name, "Rule id or name")->required();
  common(rule_rm, false);
  CLI::App* rule_enable = rule->add_subcommand("enable", "Enable a rule (also one stopped as a loop)");
  rule_enable->add_option("rule", options.name, "Rule id or name")->required();
  common(rule_enable, false);
  CLI::App* rule_disable = rule->add_subcommand("disable", "Disable a rule: its triggers fire nothing; runs going stop");
  rule_disable->add_option("rule", options.name, "Rule id or name")->required();
  common(rule_disable, false);
  CLI::App* rule_run = rule->add_subcommand("run", "Run a rule now, as its manual trigger would (conditions are checked)");
  rule_run->add_option("rule", options.name, "Rule id or name")->required();
  common(rule_run, false);
  CLI::App* rule_trace = rule->add_subcommand(
      "trace", "What a rule's last runs did: trigger, each condition (✓/✗ and why), each step with its result");
  rule_trace->add_option("rule", options.name, "Rule id or name")->required();
  rule_trace->add_option("--last", options.last, "Show this many runs, newest first (the server keeps 50)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  common(rule_trace, false);
  rule->require_subcommand(1);

  CLI::App* scene = app.add_subcommand(
      "scene", "Scenes: named device states applied in one step (\"Evening\": lights dim, blinds down). "
               "SCENE is a scene's id or its name (any case).");
  CLI::App* scene_add = scene->add_subcommand(
      "add", "Add a scene from its JSON document: {\"name\", \"states\": [{\"device\", \"properties\"}]}");
  document_option(scene_add);
  scene_add->add_option("--home", options.home, "Home id or name (default: your only home)");
  common(scene_add, false);
  CLI::App* scene_list = scene->add_subcommand("list", "List the scenes of your homes");
  scene_list->add_option("--home", options.home, "Only this home (id or name)");
  common(scene_list, false);
  CLI::App* scene_show = scene->add_subcommand("show", "Show a scene's document");
  scene_show->add_option("scene", options.name, "Scene id or name")->required();
  common(scene_show, false);
  CLI::App* scene_rm = scene->add_subcommand("rm", "Remove a scene (not while a rule applies it)");
  scene_rm->add_option("scene", options.name, "Scene id or name")->required();
  common(scene_rm, false);
  CLI::App* scene_apply = scene->add_subcommand("apply", "Apply a scene: each of its devices is set");
  scene_apply->add_option("scene", options.name, "Scene id or name")->required();
  common(scene_apply, false);
  CLI::App* scene_capture = scene->add_subcommand(
      "capture", "Make a scene of the devices' state now (their reported values that can be set): "
                 "millet scene capture Evening \"Hall light\" \"Desk lamp\"");
  scene_capture->add_option("name", options.name, "The new scene's name")->required();
  scene_capture->add_option("devices", options.values, "Device ids or names (default: every device of the home)");
  scene_capture->add_option("--home", options.home, "Home id or name (default: your only home)");
  common(scene_capture, false);
  scene->require_subcommand(1);
  return device;
}

int run_admin_command(const CLI::App& app, const AdminOptions& options) {
  if (options.data_dir.empty()) return run_remote_command(app, options);
  auto opened = open(options);
  if (!opened) return fail(opened.error());
  const auto parsed = [&](const char* group, const char* command) {
    const CLI::App* g = app.get_subcommand(group);
    return g->parsed() && g->get_subcommand(command)->parsed();
  };
  if (parsed("user", "add")) return user_add(*opened, options);
  if (parsed("home", "add")) return home_add(*opened, options);
  if (parsed("room", "add")) return room_add(*opened, options);
  if (parsed("device", "add")) return device_add(*opened, options);
  if (parsed("device", "list")) return device_list(*opened, options);
  if (parsed("device", "rm")) return device_remove(*opened, options);
  if (parsed("device", "get")) return device_get(*opened, options);
  if (parsed("device", "history")) return device_history(*opened, options);
  return fail("this command needs a running millet (drop --data-dir)");
}

bool admin_command_parsed(const CLI::App& app) {
  for (const char* group : {"login", "logout", "user", "home", "room", "device", "rule", "scene"}) {
    if (app.get_subcommand(group)->parsed()) return true;
  }
  return false;
}

}  // namespace millet::app
