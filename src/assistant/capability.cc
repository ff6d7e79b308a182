// What each intent asks of a device's spec, and the operation that does it.

#include <algorithm>
#include <cmath>
#include <span>

#include "assistant/detail/capability.h"
#include "assistant/text.h"

namespace millet::assistant::detail {

namespace {

using spec::Found;
using spec::Property;
using spec::Service;

// Services that hold an "on" no one means by "turn on the AC".
bool secondary(const Service& service) {
  return service.name == "indicator-light" || service.name == "child-lock" || service.name == "alarm";
}

// The property called `name` that may be written (and, with `numeric`, has a range).
std::optional<Found<Property>> writable(const spec::DeviceType& type, std::string_view name, std::string_view service,
                                        bool numeric = false) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const Service& candidate : type.services) {
      if (pass == 0 && !service.empty() && candidate.name != service) continue;
      if (pass == 1 && secondary(candidate)) continue;
      const Property* property = candidate.property(name);
      if (!property || !property->allows(spec::kWrite)) continue;
      if (numeric && !property->range) continue;
      return Found<Property>{&candidate, property};
    }
    if (service.empty()) break;
  }
  return std::nullopt;
}

std::optional<Found<Property>> readable(const spec::DeviceType& type, std::string_view name, std::string_view service) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const Service& candidate : type.services) {
      if (pass == 0 && !service.empty() && candidate.name != service) continue;
      if (pass == 1 && secondary(candidate)) continue;
      const Property* property = candidate.property(name);
      if (!property || !(property->allows(spec::kRead) || property->allows(spec::kNotify))) continue;
      return Found<Property>{&candidate, property};
    }
    if (service.empty()) break;
  }
  return std::nullopt;
}

std::optional<Found<spec::Action>> action(const spec::DeviceType& type, std::initializer_list<std::string_view> names,
                                          std::string_view service) {
  for (std::string_view name : names) {
    for (const Service& candidate : type.services) {
      if (!service.empty() && candidate.name != service) continue;
      if (const spec::Action* found = candidate.action(name)) return Found<spec::Action>{&candidate, found};
    }
  }
  return std::nullopt;
}

std::string name_of(const Found<Property>& found) { return spec::qualified_name(*found.service, found.member->name); }

Operation set_one(const Device& device, const Found<Property>& found, boost::json::value value) {
  Operation operation;
  operation.device = device.id;
  operation.set[name_of(found)] = std::move(value);
  return operation;
}

Operation call(const Device& device, const Found<spec::Action>& found) {
  Operation operation;
  operation.device = device.id;
  operation.action = spec::qualified_name(*found.service, found.member->name);
  return operation;
}

std::optional<double> current(const Device& device, const Found<Property>& found) {
  auto value = device.state.find(name_of(found));
  if (value == device.state.end()) return std::nullopt;
  return number_of(value->second);
}

std::string unit_text(const Property& property) {
  if (property.unit == "percentage") return "%";
  if (property.unit == "celsius") return "°C";
  if (property.unit == "kelvin") return "K";
  return "";
}

boost::json::value as_json(const Property& property, double value) {
  if (spec::is_integer(property.format)) return static_cast<std::int64_t>(std::llround(value));
  return value;
}

// A value for a ranged property: `value` itself (refused outside the range),
// or the current value moved by `delta` (kept inside it), or an end of it.
Expected<Operation, Problem> set_number(const Device& device, const Command& command, const Found<Property>& found,
                                        std::optional<double> value, std::optional<double> delta) {
  const spec::ValueRange& range = *found.member->range;
  double target = 0;
  if (command.extreme_high && !value && !delta) {
    target = range.max;
  } else if (command.extreme_low && !value && !delta) {
    target = range.min;
  } else if (value) {
    target = *value;
    if (target < range.min - 1e-9 || target > range.max + 1e-9) {
      return unexpected(Problem{Problem::Kind::kOutOfRange, range.min, range.max, unit_text(*found.member)});
    }
  } else if (delta) {
    // A change from the value it has; from the target it was set to when the
    // device reports a separate current value (curtains).
    std::optional<double> now = current(device, found);
    if (!now) return unexpected(Problem{Problem::Kind::kUnknownValue, range.min, range.max, unit_text(*found.member)});
    target = std::clamp(*now + *delta, range.min, range.max);
  } else {
    return unexpected(Problem{});
  }
  if (range.step > 0) target = range.min + std::round((target - range.min) / range.step) * range.step;
  return set_one(device, found, as_json(*found.member, target));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The entry of a value list that the mode names.
const spec::ValueListEntry* list_entry(const Property& property, const Command& command) {
  for (const spec::ValueListEntry& entry : property.values) {
    std::string english = lower(entry.description.en);
    for (const std::string& match : command.mode_matches) {
      if (english == match || entry.description.zh == match) return &entry;
    }
  }
  return nullptr;
}

Expected<Operation, Problem> plan_mode(const Device& device, const Command& command, std::string_view service) {
  if (command.mode.empty()) return unexpected(Problem{});
  if (auto found = writable(*device.type, "mode", service); found && !found->member->values.empty()) {
    if (const spec::ValueListEntry* entry = list_entry(*found->member, command)) {
      return set_one(device, *found, entry->value);
    }
  }
  // Air conditioners keep sleep and eco as switches of their own.
  std::string switch_name = command.mode == "sleep" ? "sleep-mode" : command.mode;
  if (auto found = writable(*device.type, switch_name, service); found && found->member->format == spec::Format::kBool) {
    return set_one(device, *found, true);
  }
  if (writable(*device.type, "mode", service)) return unexpected(Problem{Problem::Kind::kNoSuchMode});
  return unexpected(Problem{});
}

// Fan speed: a level list ("Low".."High", "Level 1".."Level 4"), a heater's heat level, or a percentage.
Expected<Operation, Problem> plan_fan_speed(const Device& device, const Command& command, std::string_view service) {
  std::optional<Found<Property>> list;
  for (std::string_view name : {"fan-level", "heat-level"}) {
    if (auto found = writable(*device.type, name, service); found && !found->member->values.empty()) {
      list = found;
      break;
    }
  }
  if (list) {
    const auto& values = list->member->values;
    // The levels proper, lowest first; "Auto" and "Silent" aside.
    std::vector<const spec::ValueListEntry*> levels;
    const spec::ValueListEntry* automatic = nullptr;
    for (const auto& entry : values) {
      std::string english = lower(entry.description.en);
      if (english == "auto") automatic = &entry;
      else if (english != "silent" && english != "turbo") levels.push_back(&entry);
    }
    if (command.level_word >= 0) {
      const LevelWord& word = level_words()[static_cast<std::size_t>(command.level_word)];
      for (const auto& entry : values) {
        if (lower(entry.description.en) == word.name) return set_one(device, *list, entry.value);
      }
      if (word.rank == 0 && automatic) return set_one(device, *list, automatic->value);
      if (levels.empty() || word.rank <= 0) return unexpected(Problem{Problem::Kind::kNoSuchMode});
      std::size_t at = word.rank == 1 ? 0 : word.rank >= 3 ? levels.size() - 1 : (levels.size() - 1) / 2;
      return set_one(device, *list, levels[at]->value);
    }
    if (command.value && !levels.empty()) {
      // "level 3", "speed 2": the n-th level.
      for (const auto& entry : values) {
        if (entry.value == static_cast<std::int64_t>(*command.value) && lower(entry.description.en) != "auto") {
          return set_one(device, *list, entry.value);
        }
      }
      auto percent = writable(*device.type, "speed-level", service, true);
      if (!percent) {
        return unexpected(Problem{Problem::Kind::kOutOfRange, static_cast<double>(levels.front()->value),
                                  static_cast<double>(levels.back()->value), ""});
      }
    } else if ((command.delta || command.extreme_high || command.extreme_low) && !levels.empty()) {
      std::optional<double> now = current(device, *list);
      std::size_t at = 0;
      if (command.extreme_high) {
        at = levels.size() - 1;
      } else if (command.extreme_low) {
        at = 0;
      } else {
        if (!now) return unexpected(Problem{Problem::Kind::kUnknownValue});
        std::size_t here = 0;
        bool found = false;
        for (std::size_t k = 0; k < levels.size(); ++k) {
          if (levels[k]->value == static_cast<std::int64_t>(*now)) here = k, found = true;
        }
        long step = *command.delta > 0 ? 1 : -1;
        if (!found) here = step > 0 ? 0 : levels.size() - 1;
        long next = static_cast<long>(here) + (found ? step : 0);
        at = static_cast<std::size_t>(std::clamp(next, 0L, static_cast<long>(levels.size()) - 1));
      }
      return set_one(device, *list, levels[at]->value);
    }
  }
  if (auto percent = writable(*device.type, "speed-level", service, true)) {
    std::optional<double> delta = command.delta;  // a level step is 10 % of a percentage
    if (delta) *delta *= 10;
    return set_number(device, command, *percent, command.value, delta);
  }
  return unexpected(Problem{});
}

Expected<Operation, Problem> plan_power(const Device& device, bool on, std::string_view service) {
  if (auto found = writable(*device.type, "on", service); found && found->member->format == spec::Format::kBool) {
    return set_one(device, *found, on);
  }
  // Appliances without a power switch start and stop instead.
  auto found = on ? action(*device.type, {"start-sweep", "start", "boil", "start-charging", "play"}, service)
                  : action(*device.type, {"stop-sweeping", "stop", "stop-charging"}, service);
  if (found) return call(device, *found);
  return unexpected(Problem{});
}

Expected<Operation, Problem> plan_open(const Device& device, bool open, std::string_view service) {
  if (auto found = writable(*device.type, "target-position", service, true)) {
    return set_one(device, *found, open ? 100 : 0);
  }
  if (auto found = writable(*device.type, "target-state", service); found && device.type->name == "garage-door") {
    return set_one(device, *found, open ? 0 : 1);  // 0 open, 1 closed
  }
  if (device.type->name == "valve") return plan_power(device, open, service);
  return unexpected(Problem{});
}

}  // namespace

std::optional<double> number_of(const spec::Value& value) {
  if (const bool* flag = std::get_if<bool>(&value)) return *flag ? 1 : 0;
  if (const std::int64_t* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const double* real = std::get_if<double>(&value)) return *real;
  return std::nullopt;
}

Intent set_intent(Attribute attribute) {
  switch (attribute) {
    case Attribute::kBrightness: return Intent::kSetBrightness;
    case Attribute::kColor: return Intent::kSetColor;
    case Attribute::kColorTemperature: return Intent::kSetColorTemperature;
    case Attribute::kTemperature:
    case Attribute::kTargetTemperature: return Intent::kSetTemperature;
    case Attribute::kHumidity: return Intent::kSetHumidity;
    case Attribute::kMode: return Intent::kSetMode;
    case Attribute::kFanSpeed: return Intent::kSetFanSpeed;
    case Attribute::kPosition: return Intent::kSetPosition;
    case Attribute::kVolume: return Intent::kSetVolume;
    default: return Intent::kUnknown;
  }
}

Attribute attribute_of(Intent intent) {
  switch (intent) {
    case Intent::kSetBrightness: return Attribute::kBrightness;
    case Intent::kSetColor: return Attribute::kColor;
    case Intent::kSetColorTemperature: return Attribute::kColorTemperature;
    case Intent::kSetTemperature: return Attribute::kTemperature;
    case Intent::kSetHumidity: return Attribute::kHumidity;
    case Intent::kSetMode: return Attribute::kMode;
    case Intent::kSetFanSpeed: return Attribute::kFanSpeed;
    case Intent::kSetPosition: return Attribute::kPosition;
    case Intent::kSetVolume: return Attribute::kVolume;
    default: return Attribute::kNone;
  }
}

Attribute default_attribute(const Device& device) {
  const spec::DeviceType& type = *device.type;
  if (writable(type, "brightness", "", true)) return Attribute::kBrightness;
  if (writable(type, "volume", "", true)) return Attribute::kVolume;
  if (writable(type, "target-position", "", true) || writable(type, "opening-level", "", true)) {
    return Attribute::kPosition;
  }
  if (writable(type, "target-temperature", "", true)) return Attribute::kTemperature;
  if (writable(type, "target-humidity", "", true)) return Attribute::kHumidity;
  if (writable(type, "fan-level", "") || writable(type, "speed-level", "", true)) return Attribute::kFanSpeed;
  return Attribute::kNone;
}

bool in_category(const Device& device, int category) {
  const Category& wanted = categories()[static_cast<std::size_t>(category)];
  for (std::string_view type : wanted.types) {
    if (device.type->name == type) return true;
  }
  // A wall switch or a plug is what its name says it is: "Hall light" is a light.
  static constexpr std::string_view kGeneric[] = {"switch", "two-gang-switch", "outlet"};
  if (std::find(std::begin(kGeneric), std::end(kGeneric), device.type->name) == std::end(kGeneric)) return false;
  auto named = [&](const std::string& name) {
    std::vector<Token> tokens = tokenize(name);
    for (std::string_view word : wanted.in_names) {
      std::vector<Token> wanted_tokens = tokenize(word);
      if (wanted_tokens.empty() || wanted_tokens.size() > tokens.size()) continue;
      for (std::size_t start = 0; start + wanted_tokens.size() <= tokens.size(); ++start) {
        bool same = true;
        for (std::size_t k = 0; k < wanted_tokens.size() && same; ++k) {
          same = tokens[start + k].text == wanted_tokens[k].text;
        }
        if (same) return true;
      }
    }
    return false;
  };
  if (named(device.name)) return true;
  return std::any_of(device.aliases.begin(), device.aliases.end(), named);
}

Expected<Operation, Problem> plan(const Device& device, const Command& command, std::string_view service) {
  const spec::DeviceType& type = *device.type;
  // A category's service only if the type has it ("light" of a light is any service).
  if (!service.empty() && !type.service(service)) service = {};
  switch (command.intent) {
    case Intent::kTurnOn: return plan_power(device, true, service);
    case Intent::kTurnOff: return plan_power(device, false, service);
    case Intent::kOpen: return plan_open(device, true, service);
    case Intent::kClose: return plan_open(device, false, service);
    case Intent::kLock:
    case Intent::kUnlock: {
      auto found = action(type, {command.intent == Intent::kLock ? "lock" : "unlock"}, "lock");
      if (found) return call(device, *found);
      return unexpected(Problem{});
    }
    case Intent::kStart: {
      if (auto found = action(type, {"start-sweep", "start", "boil", "start-charging", "play"}, service)) {
        return call(device, *found);
      }
      return unexpected(Problem{});
    }
    case Intent::kPause: {
      if (auto found = action(type, {"pause"}, service)) return call(device, *found);
      return unexpected(Problem{});
    }
    case Intent::kStop: {
      if (auto found = action(type, {"stop-sweeping", "stop", "stop-charging", "pause"}, service)) {
        return call(device, *found);
      }
      return unexpected(Problem{});
    }
    case Intent::kDock: {
      if (auto found = action(type, {"return-to-dock"}, service)) return call(device, *found);
      return unexpected(Problem{});
    }
    case Intent::kSetBrightness:
      if (auto found = writable(type, "brightness", service, true)) {
        return set_number(device, command, *found, command.value, command.delta);
      }
      return unexpected(Problem{});
    case Intent::kSetColor:
      if (auto found = writable(type, "color", service, true); found && command.color >= 0) {
        return set_one(device, *found, static_cast<std::int64_t>(colors()[static_cast<std::size_t>(command.color)].rgb));
      }
      return unexpected(Problem{});
    case Intent::kSetColorTemperature:
      if (auto found = writable(type, "color-temperature", service, true)) {
        Command clamped = command;
        // "warm" and "cool" are the ends this light reaches, not a number it may lack.
        if (command.value && found->member->range) {
          const auto& range = *found->member->range;
          if (*command.value == 2700 || *command.value == 6500 || *command.value == 4000) {
            clamped.value = std::clamp(*command.value, range.min, range.max);
          }
        }
        return set_number(device, clamped, *found, clamped.value, clamped.delta);
      }
      return unexpected(Problem{});
    case Intent::kSetTemperature:
      if (auto found = writable(type, "target-temperature", service, true)) {
        return set_number(device, command, *found, command.value, command.delta);
      }
      return unexpected(Problem{});
    case Intent::kSetHumidity:
      if (auto found = writable(type, "target-humidity", service, true)) {
        return set_number(device, command, *found, command.value, command.delta);
      }
      return unexpected(Problem{});
    case Intent::kSetMode: return plan_mode(device, command, service);
    case Intent::kSetFanSpeed: return plan_fan_speed(device, command, service);
    case Intent::kSetPosition: {
      auto found = writable(type, "target-position", service, true);
      if (!found) found = writable(type, "opening-level", service, true);
      if (!found) return unexpected(Problem{});
      return set_number(device, command, *found, command.value, command.delta);
    }
    case Intent::kSetVolume:
      if (auto found = writable(type, "volume", service, true)) {
        return set_number(device, command, *found, command.value, command.delta);
      }
      return unexpected(Problem{});
    default: return unexpected(Problem{});
  }
}

namespace {

// The properties a question about `attribute` reads, in order of preference.
std::span<const std::string_view> property_names(Attribute attribute, bool measured_only) {
  static constexpr std::string_view kBrightness[] = {"brightness"};
  static constexpr std::string_view kColor[] = {"color"};
  static constexpr std::string_view kColorTemperature[] = {"color-temperature"};
  static constexpr std::string_view kMeasured[] = {"environment.temperature"};
  static constexpr std::string_view kTemperature[] = {"environment.temperature", "temperature"};
  static constexpr std::string_view kTarget[] = {"target-temperature"};
  static constexpr std::string_view kHumidity[] = {"relative-humidity", "target-humidity"};
  static constexpr std::string_view kMode[] = {"mode"};
  static constexpr std::string_view kFanSpeed[] = {"fan-level", "speed-level", "heat-level"};
  static constexpr std::string_view kPosition[] = {"current-position", "opening-level"};
  static constexpr std::string_view kVolume[] = {"volume"};
  static constexpr std::string_view kBattery[] = {"battery-level"};
  static constexpr std::string_view kPm25[] = {"pm25-density"};
  static constexpr std::string_view kAirQuality[] = {"air-quality"};
  static constexpr std::string_view kPower[] = {"power"};
  static constexpr std::string_view kStatus[] = {"status", "current-state", "lock-state", "playing-state", "on"};
  switch (attribute) {
    case Attribute::kBrightness: return kBrightness;
    case Attribute::kColor: return kColor;
    case Attribute::kColorTemperature: return kColorTemperature;
    case Attribute::kTemperature: return measured_only ? std::span<const std::string_view>(kMeasured) : kTemperature;
    case Attribute::kTargetTemperature: return kTarget;
    case Attribute::kHumidity: return kHumidity;
    case Attribute::kMode: return kMode;
    case Attribute::kFanSpeed: return kFanSpeed;
    case Attribute::kPosition: return kPosition;
    case Attribute::kVolume: return kVolume;
    case Attribute::kBattery: return kBattery;
    case Attribute::kPm25: return kPm25;
    case Attribute::kAirQuality: return kAirQuality;
    case Attribute::kPower: return kPower;
    case Attribute::kStatus: return kStatus;
    default: return {};
  }
}

}  // namespace

std::optional<Reading> read(const Device& device, Ask ask, Attribute attribute, std::string_view service,
                            bool measured_only) {
  const spec::DeviceType& type = *device.type;
  if (!service.empty() && !type.service(service)) service = {};
  if (ask == Ask::kAttribute && attribute == Attribute::kOnline) {
    static const spec::Property kOnline = [] {
      spec::Property property;
      property.name = "online";
      property.format = spec::Format::kBool;
      return property;
    }();
    return Reading{"online", device.online, &kOnline};
  }
  static constexpr std::string_view kOn[] = {"on"};
  static constexpr std::string_view kLocked[] = {"lock-state"};
  static constexpr std::string_view kOpen[] = {"current-position", "current-state", "door-state", "contact-state", "on"};
  std::span<const std::string_view> names;
  switch (ask) {
    case Ask::kOn: names = kOn; break;
    case Ask::kLocked: names = kLocked; break;
    case Ask::kOpen: names = kOpen; break;
    case Ask::kAttribute: names = property_names(attribute, measured_only); break;
  }
  for (std::string_view name : names) {
    std::optional<Found<Property>> found;
    if (name.find('.') != std::string_view::npos) {
      if (auto exact = type.find_property(name)) found = Found<Property>{exact->service, exact->member};
    } else {
      found = readable(type, name, service);
    }
    if (!found) continue;
    if (ask == Ask::kOpen && name == "on" && type.name != "valve") continue;
    if (ask == Ask::kOpen && name == "current-state" && type.name != "garage-door") continue;
    Reading reading;
    reading.property = name_of(*found);
    reading.spec = found->member;
    auto value = device.state.find(reading.property);
    if (value == device.state.end()) {
      reading.value = std::string();  // known to exist, value unknown
    } else {
      reading.value = value->second;
    }
    return reading;
  }
  return std::nullopt;
}

std::optional<bool> says_yes(Ask ask, const Reading& reading) {
  auto number = number_of(reading.value);
  if (!number) return std::nullopt;
  switch (ask) {
    case Ask::kOn: return *number != 0;
    case Ask::kLocked: return *number == 1;
    case Ask::kOpen:
      if (reading.property.ends_with("contact-state")) return *number == 0;  // true: the magnet is closed
      if (reading.property.ends_with("current-state")) return *number != 1;  // garage: 1 closed
      if (reading.property.ends_with("door-state")) return *number != 0;
      return *number > 0;
    case Ask::kAttribute: return std::nullopt;
  }
  return std::nullopt;
}

bool answers(const Device& device, Ask ask, Attribute attribute, std::string_view service, bool measured_only) {
  return read(device, ask, attribute, service, measured_only).has_value();
}

}  // namespace millet::assistant::detail
