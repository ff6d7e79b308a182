#pragma once
// The home as the assistant sees it (docs/assistant.md): floors, rooms,
// devices with their names, aliases, types and current values, and scenes.
// Built from the registry and the shadows on a running millet, or read from a
// home file for evaluation. A plain value: the assistant reads it and, in
// dry-run mode, writes the values its commands would set.

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "spec/catalog.h"
#include "spec/value.h"

namespace millet::assistant {

struct Floor {
  std::string id;
  std::string name;
  std::vector<std::string> aliases;
};

struct Room {
  std::string id;
  std::string name;
  std::string floor;  // a floor's id; empty: none
  std::vector<std::string> aliases;
};

struct Device {
  std::string id;
  std::string name;
  std::vector<std::string> aliases;
  std::string room;                // a room's id; empty: none
  const spec::DeviceType* type = nullptr;  // never null in a Home
  std::map<std::string, spec::Value, std::less<>> state;  // "light.brightness" -> 60
  bool online = true;
};

struct Scene {
  std::string id;  // what runs it: the scene's id on a running millet, its name in a home file
  std::string name;
  std::vector<std::string> aliases;
};

// Everything a floor, room, device or scene is called: its aliases, then its name.
template <class Named>
std::vector<std::string> names_of(const Named& item) {
  std::vector<std::string> names = item.aliases;
  names.push_back(item.name);
  return names;
}

struct Home {
  std::string name;
  std::vector<Floor> floors;
  std::vector<Room> rooms;
  std::vector<Device> devices;
  std::vector<Scene> scenes;

  const Room* room(std::string_view id) const;
  const Floor* floor(std::string_view id) const;
  const Device* device(std::string_view id) const;
  Device* device(std::string_view id);
};

// Reads a home file (docs/assistant.md, "The home file"). Every device's type
// must be in the catalog, every room and floor it names must exist, and every
// state value must be a property of its type; the error names the entry.
Expected<Home, std::string> home_from_json(const boost::json::value& document, const spec::Catalog& catalog);

}  // namespace millet::assistant
