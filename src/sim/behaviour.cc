#include "sim/behaviour.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numbers>

namespace millet::sim {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// Where a property starts when its usual value is not its range's middle or zero.
struct Usual {
  std::string_view property;
  double value;
};
constexpr Usual kUsual[] = {
    {"environment.temperature", 21},        {"environment.relative-humidity", 45},
    {"environment.pm25-density", 12},       {"environment.pm10-density", 20},
    {"environment.co2-density", 550},       {"environment.tvoc-density", 120},
    {"environment.hcho-density", 0.02},     {"environment.illumination", 300},
    {"environment.atmospheric-pressure", 1013}, {"battery.battery-level", 87},
    {"light.brightness", 80},               {"light.color", 0xFFC480},  // warm white
    {"power-consumption.voltage", 230},     {"filter.filter-life-level", 86},
    {"fridge.temperature", 4},              {"freezer.temperature", -18},
    {"kettle.temperature", 22},             {"water-heater.temperature", 52},
};

// How far a reading wanders each minute, beside the temperature and humidity that
// follow the day.
struct Wander {
  std::string_view property;
  double step;
};
constexpr Wander kWanders[] = {
    {"environment.pm25-density", 2},  {"environment.pm10-density", 3},   {"environment.co2-density", 25},
    {"environment.tvoc-density", 10}, {"environment.hcho-density", 0.002}, {"environment.illumination", 40},
    {"environment.atmospheric-pressure", 0.3},
};

constexpr double kLowBattery = 20;
constexpr auto kCleaningRound = 30min;
constexpr auto kMotionLasts = 30s;

// The vacuum service's status values (spec/services/vacuum.json).
enum VacuumStatus : int { kIdle = 1, kSweeping = 2, kMopping = 3, kSweepingAndMopping = 4, kPaused = 5,
                          kReturning = 6, kCharging = 7, kCharged = 8 };
enum ChargingState : int { kChargingNow = 1, kNotCharging = 2 };

double usual(std::string_view name, double fallback) {
  for (const Usual& entry : kUsual) {
    if (entry.property == name) return entry.value;
  }
  return fallback;
}

double snap(const spec::Property& property, double value) {
  if (property.range) {
    const spec::ValueRange& range = *property.range;
    value = std::clamp(value, range.min, range.max);
    if (range.step > 0) value = range.min + std::round((value - range.min) / range.step) * range.step;
    value = std::clamp(value, range.min, range.max);
  }
  if (property.format == spec::Format::kFloat) {
    const double step = property.range && property.range->step > 0 ? property.range->step : 0.01;
    const double scale = std::pow(10.0, std::max(0.0, std::ceil(-std::log10(step))));
    return std::round(value * scale) / scale;  // 21.300000000000001 would read as noise
  }
  return std::round(value);
}

json::value as_json(const spec::Property& property, double value) {
  value = snap(property, value);
  if (property.format == spec::Format::kFloat) return value;
  return static_cast<std::int64_t>(value);
}

json::value first_value(const spec::Service& service, const spec::Property& property, std::string_view name,
                        const spec::DeviceType& type, const std::string& device_id) {
  using spec::Format;
  if (property.format == Format::kBool) return false;
  if (!property.values.empty()) {
    return static_cast<std::int64_t>(usual(name, static_cast<double>(property.values.front().value)));
  }
  if (property.format == Format::kString) {
    if (service.name != "device-information") return "";
    if (property.name == "manufacturer") return "millet simulator";
    if (property.name == "model") return json::string("millet-sim." + type.name);
    if (property.name == "serial-number") return json::string(device_id);
    if (property.name == "firmware-revision") return "1.0.0";
    return "";
  }
  double fallback = 0;
  if (property.range) {
    const bool settable = property.allows(spec::kWrite);
    const bool holds_zero = property.range->min <= 0 && 0 <= property.range->max;
    fallback = settable || !holds_zero ? (property.range->min + property.range->max) / 2 : 0;
  }
  return as_json(property, usual(name, fallback));
}

// The local hour of the day, with its fraction: 15.5 at half past three.
double local_hour(Behaviour::Clock::time_point now) {
  const std::time_t seconds = Behaviour::Clock::to_time_t(now);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local.tm_hour + local.tm_min / 60.0 + local.tm_sec / 3600.0;
}

}  // namespace

Behaviour::Behaviour(const spec::DeviceType& type, std::string device_id, std::uint64_t seed,
                     Clock::time_point now)
    : type_(type), random_(seed) {
  for (const spec::Service& service : type.services) {
    for (const spec::Property& property : service.properties) {
      if (!property.allows(spec::kRead) && !property.allows(spec::kNotify)) continue;  // write-only
      std::string name = spec::qualified_name(service, property.name);
      json::value value = first_value(service, property, name, type, device_id);
      readings_.push_back({&service, &property, std::move(name), std::move(value)});
    }
  }
  warmth_ = uniform(-1.5, 1.5);
  load_ = uniform(5, 150);
  last_ = now;
  // Readings start where the time of day has them, not at a fixed value.
  Output first;
  advance_environment(now, first);
  // Each device starts its rounds at its own moment: not all in the same second.
  next_environment_ = now + std::chrono::milliseconds(static_cast<int>(uniform(0, 60'000)));
  next_power_ = now + std::chrono::milliseconds(static_cast<int>(uniform(0, 30'000)));
  next_motion_ = now + std::chrono::seconds(static_cast<int>(uniform(20, 240)));
  next_vacuum_ = now + 10s;
  quiet_since_ = now - std::chrono::seconds(static_cast<int>(uniform(60, 3600)));
  if (find("vacuum.status")) {  // on its dock, full
    json::object ignored;
    put("vacuum.status", json::value(kCharged), ignored);
    put("battery.battery-level", 100.0, ignored);
    put("battery.charging-state", json::value(kNotCharging), ignored);
  }
}

json::object Behaviour::state() const {
  json::object all;
  for (const Reading& reading : readings_) all[reading.name] = reading.value;
  return all;
}

Behaviour::Reading* Behaviour::find(std::string_view name) {
  auto it = std::find_if(readings_.begin(), readings_.end(), [&](const Reading& r) { return r.name == name; });
  return it == readings_.end() ? nullptr : &*it;
}

const Behaviour::Reading* Behaviour::find(std::string_view name) const {
  return const_cast<Behaviour*>(this)->find(name);
}

void Behaviour::put(std::string_view name, json::value value, json::object& out) {
  Reading* reading = find(name);
  if (!reading || reading->value == value) return;
  reading->value = value;
  out[reading->name] = std::move(value);
}

void Behaviour::put(std::string_view name, double value, json::object& out) {
  if (const Reading* reading = find(name)) put(name, as_json(*reading->property, value), out);
}

double Behaviour::number(std::string_view name, double fallback) const {
  const Reading* reading = find(name);
  if (!reading) return fallback;
  if (const auto* integer = reading->value.if_int64()) return static_cast<double>(*integer);
  if (const auto* real = reading->value.if_double()) return *real;
  if (const auto* flag = reading->value.if_bool()) return *flag ? 1 : 0;
  return fallback;
}

bool Behaviour::is_on() const {
  for (const Reading& reading : readings_) {
    if (reading.property->name == "on" && reading.value == true) return true;
  }
  return false;
}

json::object Behaviour::apply(std::string_view property, const json::value& value) {
  json::object changed;
  if (Reading* reading = find(property)) reading->value = value;
  if (property.ends_with(".target-position")) {  // a curtain or blind goes where it is sent
    const std::string current = std::string(property.substr(0, property.rfind('.'))) + ".current-position";
    put(current, value, changed);
  }
  if (property.ends_with(".on") && find("power-consumption.power")) {
    next_power_ = last_;  // the load changes now, not at the next round
    Output now;
    advance_power(last_, 0, now);
    changed = std::move(now.report);
  }
  return changed;
}

json::object Behaviour::act(std::string_view action, const json::object& in, Output& effects) {
  const auto dot = action.find('.');
  const std::string_view service = action.substr(0, dot);
  const std::string_view verb = dot == std::string_view::npos ? action : action.substr(dot + 1);
  json::object& changed = effects.report;
  if (verb == "toggle") {
    const std::string on = std::string(service) + ".on";
    if (const Reading* reading = find(on)) {
      const bool now_on = !(reading->value == true);
      put(on, json::value(now_on), changed);
      for (auto& [name, value] : apply(on, json::value(now_on))) changed[name] = value;
    }
  } else if (action == "light.brightness-up" || action == "light.brightness-down") {
    put("light.brightness", number("light.brightness") + (verb == "brightness-up" ? 10 : -10), changed);
  } else if (action == "vacuum.start-sweep" || action == "vacuum.start-room-sweep") {
    const bool resuming = static_cast<int>(number("vacuum.status")) == kPaused;
    const int mode = static_cast<int>(number("vacuum.mode", 1));  // sweep, mop, both
    put("vacuum.status", json::value(mode == 2 ? kMopping : mode == 3 ? kSweepingAndMopping : kSweeping), changed);
    put("battery.charging-state", json::value(kNotCharging), changed);
    if (!resuming) {
      cleaning_seconds_ = 0;
      put("vacuum.cleaning-area", 0.0, changed);
      put("vacuum.cleaning-time", 0.0, changed);
    }
    next_vacuum_ = last_ + 10s;
  } else if (action == "vacuum.pause") {
    put("vacuum.status", json::value(kPaused), changed);
  } else if (action == "vacuum.stop-sweeping") {
    put("vacuum.status", json::value(kIdle), changed);
  } else if (action == "vacuum.return-to-dock") {
    put("vacuum.status", json::value(kReturning), changed);
    next_vacuum_ = last_ + 15s;
  }
  // Output arguments: the device's current value of each.
  json::object out;
  const spec::Service* owner = type_.service(service);
  const spec::Action* called = owner ? owner->action(verb) : nullptr;
  if (called) {
    for (std::uint32_t piid : called->out) {
      const spec::Property* property = owner->property(piid);
      if (!property) continue;
      const std::string name = spec::qualified_name(*owner, property->name);
      const Reading* reading = find(name);
      out[name] = reading ? reading->value : first_value(*owner, *property, name, type_, "");
    }
  }
  (void)in;
  return out;
}

Output Behaviour::advance(Clock::time_point now) {
  Output out;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  if (seconds <= 0) return out;
  last_ = now;
  if (find("environment.temperature") || find("environment.pm25-density")) advance_environment(now, out);
  if (find("motion-sensor.motion-state")) advance_motion(now, out);
  if (find("vacuum.status")) advance_vacuum(now, out);
  if (find("power-consumption.power")) advance_power(now, seconds, out);
  return out;
}

void Behaviour::advance_environment(Clock::time_point now, Output& out) {
  if (now < next_environment_) return;
  next_environment_ = now + 1min;
  // Warmest at 15:00, coolest at 03:00; ±2.5 °C around 21 plus the room's own offset.
  const double day = std::sin(2 * std::numbers::pi * (local_hour(now) - 9) / 24);
  put("environment.temperature", 21 + warmth_ + 2.5 * day + uniform(-0.15, 0.15), out.report);
  put("environment.relative-humidity", 48 - 8 * day + uniform(-0.8, 0.8), out.report);
  for (const Wander& wander : kWanders) {
    const Reading* reading = find(wander.property);
    if (!reading) continue;
    // A walk pulled back toward the usual value, so that it wanders but stays near it.
    const double value = number(wander.property);
    const double pull = (usual(wander.property, value) - value) * 0.1;
    put(wander.property, value + pull + uniform(-wander.step, wander.step), out.report);
  }
}

void Behaviour::advance_motion(Clock::time_point now, Output& out) {
  if (motion_ && now >= quiet_since_) {
    motion_ = false;
    put("motion-sensor.motion-state", json::value(false), out.report);
  }
  if (!motion_ && now >= next_motion_) {
    motion_ = true;
    quiet_since_ = now + kMotionLasts;
    next_motion_ = quiet_since_ + std::chrono::seconds(static_cast<int>(uniform(60, 600)));
    put("motion-sensor.motion-state", json::value(true), out.report);
    put("motion-sensor.no-motion-duration", 0.0, out.report);
    out.events.push_back({"motion-sensor.motion-detected", {}});
    return;
  }
  if (!motion_ && now >= next_quiet_report_) {  // once a minute: how long it has been quiet
    next_quiet_report_ = now + 1min;
    put("motion-sensor.no-motion-duration", std::chrono::duration<double>(now - quiet_since_).count(), out.report);
  }
}

void Behaviour::advance_vacuum(Clock::time_point now, Output& out) {
  if (now < next_vacuum_) return;
  next_vacuum_ = now + 10s;
  const int status = static_cast<int>(number("vacuum.status"));
  const double battery = number("battery.battery-level", 100);
  json::object& report = out.report;
  switch (status) {
    case kSweeping:
    case kMopping:
    case kSweepingAndMopping:
      cleaning_seconds_ += 10;
      put("battery.battery-level", battery - 1, report);
      put("vacuum.cleaning-area", number("vacuum.cleaning-area") + 1, report);
      put("vacuum.cleaning-time", std::floor(cleaning_seconds_ / 60), report);
      if (battery - 1 <= kLowBattery || cleaning_seconds_ >= std::chrono::seconds(kCleaningRound).count()) {
        put("vacuum.status", json::value(kReturning), report);
        out.events.push_back({"vacuum.cleaning-finished",
                              {{"vacuum.cleaning-area", find("vacuum.cleaning-area")->value},
                               {"vacuum.cleaning-time", find("vacuum.cleaning-time")->value}}});
        next_vacuum_ = now + 15s;
      }
      break;
    case kReturning:
      put("vacuum.status", json::value(battery >= 100 ? kCharged : kCharging), report);
      put("battery.charging-state", json::value(battery >= 100 ? kNotCharging : kChargingNow), report);
      break;
    case kCharging:
      put("battery.battery-level", battery + 1, report);
      if (battery + 1 >= 100) {
        put("vacuum.status", json::value(kCharged), report);
        put("battery.charging-state", json::value(kNotCharging), report);
      }
      break;
    default:
      break;
  }
}

void Behaviour::advance_power(Clock::time_point now, double seconds, Output& out) {
  energy_ += drawing_ * seconds / 3.6e6;  // kWh, at the power drawn through the step
  if (now < next_power_) return;
  next_power_ = now + 30s;
  const double voltage = 230 + uniform(-2, 2);
  drawing_ = is_on() ? load_ * uniform(0.95, 1.05) : 0;
  put("power-consumption.power", drawing_, out.report);
  put("power-consumption.voltage", voltage, out.report);
  put("power-consumption.electric-current", drawing_ / voltage, out.report);
  put("power-consumption.energy", energy_, out.report);
}

}  // namespace millet::sim
