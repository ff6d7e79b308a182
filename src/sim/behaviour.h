#pragma once
// How a simulated device behaves: its state, what a set or an action does to it, and
// what it reports as time passes. Written against the device's spec, so that any type
// of the catalog gets a device that reports every property it may report, takes every
// value millet may set and answers every action; a few services also live:
//
//   environment        temperature follows the time of day (warmest mid-afternoon),
//                      humidity the other way; the other readings wander near their
//                      usual values; reported every minute
//   motion-sensor      motion now and then (motion-detected, then no motion after 30 s)
//   vacuum + battery   cleaning drains the battery; it returns to the dock below 20 %
//                      or after half an hour, charges, and reports it
//   power-consumption  power drawn while the device is on (its own load), 0 when off;
//                      current, voltage and the energy total follow; every 30 s
//   *.on + *.toggle    a toggle action flips its service's `on`
//   window-covering    the current position follows the target position
//
// Not thread-safe: the simulator holds one device's lock around each call.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/device_type.h"

namespace millet::sim {

struct Event {
  std::string name;  // "motion-sensor.motion-detected"
  boost::json::object arguments;
};

// What a device sends after a step: property values to report, then events.
struct Output {
  boost::json::object report;
  std::vector<Event> events;
  bool empty() const { return report.empty() && events.empty(); }
};

class Behaviour {
 public:
  using Clock = std::chrono::system_clock;

  // `seed` makes one device differ from another (its own load, its room's warmth, when
  // its motion comes) and the same across runs.
  Behaviour(const spec::DeviceType& type, std::string device_id, std::uint64_t seed, Clock::time_point now);

  // Every property it reports (readable or notified), as on connecting.
  boost::json::object state() const;
  // A set millet sent, one property at a time (millet checked the value). Returns what
  // else changed with it (an outlet switched on draws power).
  boost::json::object apply(std::string_view property, const boost::json::value& value);
  // An action call: its output arguments; `effects` gets what changed.
  boost::json::object act(std::string_view action, const boost::json::object& in, Output& effects);
  // Time has passed up to `now`: what to send now.
  Output advance(Clock::time_point now);

  const spec::DeviceType& type() const { return type_; }

 private:
  struct Reading {  // a property the device reports, where it keeps its value
    const spec::Service* service;
    const spec::Property* property;
    std::string name;  // "environment.temperature"
    boost::json::value value;
  };

  Reading* find(std::string_view name);
  const Reading* find(std::string_view name) const;
  // Sets a value (rounded to the property's step and clamped to its range) and records
  // it in `out` when it changed.
  void put(std::string_view name, double value, boost::json::object& out);
  void put(std::string_view name, boost::json::value value, boost::json::object& out);
  double number(std::string_view name, double fallback = 0) const;
  bool is_on() const;
  double uniform(double low, double high) { return std::uniform_real_distribution<double>(low, high)(random_); }

  void advance_environment(Clock::time_point now, Output& out);
  void advance_motion(Clock::time_point now, Output& out);
  void advance_vacuum(Clock::time_point now, Output& out);
  void advance_power(Clock::time_point now, double seconds, Output& out);

  const spec::DeviceType& type_;
  std::vector<Reading> readings_;
  std::mt19937_64 random_;
  double warmth_;  // this room's offset from the house's temperature, °C
  double load_;    // watts drawn when on
  Clock::time_point last_{};
  Clock::time_point next_environment_{}, next_power_{}, next_vacuum_{};
  Clock::time_point next_motion_{}, next_quiet_report_{};
  Clock::time_point quiet_since_{};  // when the last motion ended (or ends)
  bool motion_ = false;
  double cleaning_seconds_ = 0;
  double drawing_ = 0;  // watts, now
  double energy_ = 0;   // kWh used, unrounded
};

}  // namespace millet::sim
