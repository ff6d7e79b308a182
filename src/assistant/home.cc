#include "assistant/home.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "spec/validate.h"

namespace millet::assistant {

const Room* Home::room(std::string_view id) const {
  for (const Room& room : rooms) {
    if (room.id == id) return &room;
  }
  return nullptr;
}

const Floor* Home::floor(std::string_view id) const {
  for (const Floor& floor : floors) {
    if (floor.id == id) return &floor;
  }
  return nullptr;
}

const Device* Home::device(std::string_view id) const {
  for (const Device& device : devices) {
    if (device.id == id) return &device;
  }
  return nullptr;
}

Device* Home::device(std::string_view id) {
  return const_cast<Device*>(std::as_const(*this).device(id));
}

namespace {

namespace json = boost::json;

struct Reader {
  std::string error;

  std::string text(const json::object& object, std::string_view key, std::string_view where, bool required) {
    const json::value* value = object.if_contains(key);
    if (!value || value->is_null()) {
      if (required && error.empty()) error = fmt::format("{}: \"{}\" is missing", where, key);
      return {};
    }
    if (!value->is_string()) {
      if (error.empty()) error = fmt::format("{}: \"{}\" must be a string", where, key);
      return {};
    }
    return std::string(value->as_string());
  }

  std::vector<std::string> texts(const json::object& object, std::string_view key, std::string_view where) {
    std::vector<std::string> out;
    const json::value* value = object.if_contains(key);
    if (!value) return out;
    if (!value->is_array()) {
      if (error.empty()) error = fmt::format("{}: \"{}\" must be a list of strings", where, key);
      return out;
    }
    for (const json::value& item : value->as_array()) {
      if (!item.is_string()) {
        if (error.empty()) error = fmt::format("{}: \"{}\" must be a list of strings", where, key);
        return out;
      }
      out.emplace_back(item.as_string());
    }
    return out;
  }

  const json::array* list(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (!value) return nullptr;
    if (!value->is_array()) {
      if (error.empty()) error = fmt::format("\"{}\" must be a list", key);
      return nullptr;
    }
    return &value->as_array();
  }

  const json::object* entry(const json::value& value, std::string_view where) {
    if (value.is_object()) return &value.as_object();
    if (error.empty()) error = fmt::format("{}: must be an object", where);
    return nullptr;
  }
};

}  // namespace

Expected<Home, std::string> home_from_json(const json::value& document, const spec::Catalog& catalog) {
  if (!document.is_object()) return unexpected(std::string("a home file holds a JSON object"));
  const json::object& top = document.as_object();
  Reader read;
  Home home;
  home.name = read.text(top, "name", "home", false);

  if (const json::array* floors = read.list(top, "floors")) {
    for (std::size_t i = 0; i < floors->size() && read.error.empty(); ++i) {
      std::string where = fmt::format("floors[{}]", i);
      const json::object* entry = read.entry((*floors)[i], where);
      if (!entry) break;
      Floor floor{read.text(*entry, "id", where, true), read.text(*entry, "name", where, true),
                  read.texts(*entry, "aliases", where)};
      home.floors.push_back(std::move(floor));
    }
  }
  if (const json::array* rooms = read.list(top, "rooms")) {
    for (std::size_t i = 0; i < rooms->size() && read.error.empty(); ++i) {
      std::string where = fmt::format("rooms[{}]", i);
      const json::object* entry = read.entry((*rooms)[i], where);
      if (!entry) break;
      Room room{read.text(*entry, "id", where, true), read.text(*entry, "name", where, true),
                read.text(*entry, "floor", where, false), read.texts(*entry, "aliases", where)};
      if (!room.floor.empty() && !home.floor(room.floor) && read.error.empty()) {
        read.error = fmt::format("{}: floor \"{}\" is not among the floors", where, room.floor);
      }
      home.rooms.push_back(std::move(room));
    }
  }
  if (const json::array* devices = read.list(top, "devices")) {
    for (std::size_t i = 0; i < devices->size() && read.error.empty(); ++i) {
      std::string where = fmt::format("devices[{}]", i);
      const json::object* entry = read.entry((*devices)[i], where);
      if (!entry) break;
      Device device;
      device.id = read.text(*entry, "id", where, true);
      device.name = read.text(*entry, "name", where, true);
      device.aliases = read.texts(*entry, "aliases", where);
      device.room = read.text(*entry, "room", where, false);
      std::string type = read.text(*entry, "type", where, true);
      if (!read.error.empty()) break;
      device.type = catalog.find(type);
      if (!device.type) return unexpected(fmt::format("{} ({}): type \"{}\" is not in the catalog", where, device.id, type));
      if (!device.room.empty() && !home.room(device.room)) {
        return unexpected(fmt::format("{} ({}): room \"{}\" is not among the rooms", where, device.id, device.room));
      }
      if (const json::value* online = entry->if_contains("online"); online && online->is_bool()) {
        device.online = online->as_bool();
      }
      if (const json::value* state = entry->if_contains("state")) {
        if (!state->is_object()) return unexpected(fmt::format("{} ({}): \"state\" must be an object", where, device.id));
        for (const auto& [name, value] : state->as_object()) {
          auto found = device.type->find_property(name);
          if (!found) {
            return unexpected(fmt::format("{} ({}): {} has no property \"{}\"", where, device.id, type,
                                          std::string_view(name)));
          }
          auto checked = spec::check_value(*found->service, *found->member, value);
          if (!checked) return unexpected(checked.error().message(device.id));
          device.state.emplace(spec::qualified_name(*found->service, found->member->name), std::move(checked.value()));
        }
      }
      home.devices.push_back(std::move(device));
    }
  }
  if (const json::array* scenes = read.list(top, "scenes")) {
    for (std::size_t i = 0; i < scenes->size() && read.error.empty(); ++i) {
      std::string where = fmt::format("scenes[{}]", i);
      const json::object* entry = read.entry((*scenes)[i], where);
      if (!entry) break;
      Scene scene;
      scene.name = read.text(*entry, "name", where, true);
      scene.id = read.text(*entry, "id", where, false);
      if (scene.id.empty()) scene.id = scene.name;
      scene.aliases = read.texts(*entry, "aliases", where);
      home.scenes.push_back(std::move(scene));
    }
  }
  if (!read.error.empty()) return unexpected(std::move(read.error));
  return home;
}

}  // namespace millet::assistant
