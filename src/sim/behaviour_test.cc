// Simulated behaviour against the real catalog (spec/): whatever a simulated device
// reports must pass millet's own checks, and the behaviours the simulator promises
// (docs/simulator.md) must show.

#include "sim/behaviour.h"

#include <gtest/gtest.h>

#include <ctime>

#include "spec/catalog.h"
#include "spec/validate.h"

namespace millet::sim {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = Behaviour::Clock;

const spec::Catalog& catalog() {
  static const spec::Catalog loaded = [] {
    auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
    if (!catalog) throw std::runtime_error(catalog.error());
    return std::move(*catalog);
  }();
  return loaded;
}

// Today at hh:mm, local time.
Clock::time_point today_at(int hour, int minute = 0) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  local.tm_hour = hour;
  local.tm_min = minute;
  local.tm_sec = 0;
  return Clock::from_time_t(std::mktime(&local));
}

// Each value checked as millet checks a device's report; failures name the type.
void expect_reportable(const spec::DeviceType& type, const json::object& values) {
  for (const auto& [name, value] : values) {
    auto found = type.find_property(name);
    ASSERT_TRUE(found) << type.name << ": " << name;
    EXPECT_TRUE(spec::check_access(*found->service, *found->member, spec::Use::kReport)) << type.name << ": " << name;
    auto checked = spec::check_value(*found->service, *found->member, value);
    EXPECT_TRUE(checked) << type.name << ": " << (checked ? "" : checked.error().message(type.name));
  }
}

TEST(Behaviour, EveryTypeReportsOnlyWhatItsSpecAllowsThroughTwoHoursOfItsLife) {
  for (const spec::DeviceType& type : catalog().device_types()) {
    const auto start = today_at(8);
    Behaviour device(type, "d-test", 42, start);
    const json::object state = device.state();
    EXPECT_FALSE(state.empty()) << type.name;
    expect_reportable(type, state);
    // Every writable property takes a value from its spec; every action answers.
    for (const spec::Service& service : type.services) {
      for (const spec::Property& property : service.properties) {
        if (!property.allows(spec::kWrite)) continue;
        json::value value = property.format == spec::Format::kBool ? json::value(true)
                            : !property.values.empty()             ? json::value(property.values.back().value)
                            : property.range                        ? json::value(property.range->max)
                                                                    : json::value("x");
        if (property.format == spec::Format::kFloat && value.is_int64()) value = double(value.as_int64());
        expect_reportable(type, device.apply(spec::qualified_name(service, property.name), value));
      }
      for (const spec::Action& action : service.actions) {
        Output effects;
        const json::object out = device.act(spec::qualified_name(service, action.name), {}, effects);
        EXPECT_EQ(out.size(), action.out.size()) << type.name << ": " << action.name;
        expect_reportable(type, out);
        expect_reportable(type, effects.report);
      }
    }
    for (int second = 1; second <= 7200; ++second) {
      const Output out = device.advance(start + std::chrono::seconds(second));
      expect_reportable(type, out.report);
      for (const Event& event : out.events) {
        EXPECT_TRUE(type.find_event(event.name)) << type.name << ": " << event.name;
        expect_reportable(type, event.arguments);
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
}

double temperature_after(const spec::DeviceType& type, Clock::time_point at) {
  Behaviour device(type, "d-thermo", 7, at - 2min);
  double last = 0;
  for (auto t = at - 2min + 1s; t <= at; t += 1s) {
    const Output out = device.advance(t);
    if (const auto* value = out.report.if_contains("environment.temperature")) last = value->to_number<double>();
  }
  return last;
}

TEST(Behaviour, ThermometersAreWarmerInTheAfternoonThanBeforeDawn) {
  const spec::DeviceType& type = *catalog().find("temperature-humidity-sensor");
  const double afternoon = temperature_after(type, today_at(15));
  const double night = temperature_after(type, today_at(3));
  EXPECT_GT(afternoon, night + 3) << afternoon << " vs " << night;
  EXPECT_GT(night, 15);
  EXPECT_LT(afternoon, 27);
}

TEST(Behaviour, AThermometerStartsWhereTheTimeOfDayHasIt) {
  const spec::DeviceType& type = *catalog().find("temperature-humidity-sensor");
  const double at_night = Behaviour(type, "d-thermo", 7, today_at(3)).state().at("environment.temperature").to_number<double>();
  const double afternoon = Behaviour(type, "d-thermo", 7, today_at(15)).state().at("environment.temperature").to_number<double>();
  EXPECT_GT(afternoon, at_night + 3);
}

TEST(Behaviour, AMotionSensorSeesMotionThenQuietThirtySecondsLater) {
  Behaviour device(*catalog().find("motion-sensor"), "d-motion", 3, today_at(12));
  int detected = 0;
  bool saw_false_after = false;
  for (int second = 1; second <= 3600; ++second) {
    const Output out = device.advance(today_at(12) + std::chrono::seconds(second));
    for (const Event& event : out.events) {
      EXPECT_EQ(event.name, "motion-sensor.motion-detected");
      EXPECT_EQ(out.report.at("motion-sensor.motion-state"), true);
      ++detected;
    }
    if (detected && out.report.contains("motion-sensor.motion-state") &&
        out.report.at("motion-sensor.motion-state") == false) {
      saw_false_after = true;
    }
  }
  EXPECT_GE(detected, 4);  // every 1.5 to 10.5 minutes
  EXPECT_TRUE(saw_false_after);
}

TEST(Behaviour, AVacuumDrainsWhileCleaningThenDocksAndChargesBackToFull) {
  Behaviour device(*catalog().find("robot-vacuum"), "d-vacuum", 5, today_at(10));
  EXPECT_EQ(device.state().at("vacuum.status"), 8);  // fully charged, on its dock
  Output effects;
  device.act("vacuum.start-sweep", {}, effects);
  EXPECT_EQ(effects.report.at("vacuum.status"), 2);
  double lowest = 100;
  bool finished = false, charged_again = false;
  for (int second = 1; second <= 4 * 3600 && !charged_again; ++second) {
    const Output out = device.advance(today_at(10) + std::chrono::seconds(second));
    if (const auto* level = out.report.if_contains("battery.battery-level")) {
      lowest = std::min(lowest, level->to_number<double>());
    }
    for (const Event& event : out.events) finished |= event.name == "vacuum.cleaning-finished";
    if (finished && out.report.contains("vacuum.status") && out.report.at("vacuum.status") == 8) charged_again = true;
  }
  EXPECT_TRUE(finished);
  EXPECT_LT(lowest, 90);  // half an hour of cleaning at 1 % per 10 s stops at the 20 % floor
  EXPECT_GE(lowest, 20);
  EXPECT_TRUE(charged_again);
  EXPECT_EQ(device.state().at("battery.battery-level"), 100);
}

TEST(Behaviour, AnOutletDrawsPowerOnlyWhileOnAndCountsTheEnergy) {
  Behaviour device(*catalog().find("outlet"), "d-plug", 9, today_at(18));
  const json::object switched_on = device.apply("switch.on", true);
  ASSERT_TRUE(switched_on.contains("power-consumption.power"));
  EXPECT_GT(switched_on.at("power-consumption.power").to_number<double>(), 4);
  for (int second = 1; second <= 3600; ++second) device.advance(today_at(18) + std::chrono::seconds(second));
  const double energy = device.state().at("power-consumption.energy").to_number<double>();
  EXPECT_GT(energy, 0.004);  // at least 5 W for an hour
  EXPECT_LT(energy, 0.16);   // at most 150 W (+5 %)
  const json::object switched_off = device.apply("switch.on", false);
  EXPECT_EQ(switched_off.at("power-consumption.power").to_number<double>(), 0);
}

TEST(Behaviour, AToggleFlipsItsServicesPowerAndBrightnessStepsStayInRange) {
  Behaviour light(*catalog().find("light"), "d-light", 1, today_at(20));
  Output effects;
  light.act("light.toggle", {}, effects);
  EXPECT_EQ(effects.report.at("light.on"), true);
  Output again;
  light.act("light.toggle", {}, again);
  EXPECT_EQ(again.report.at("light.on"), false);
  for (int i = 0; i < 12; ++i) {
    Output brighter;
    light.act("light.brightness-up", {}, brighter);
  }
  EXPECT_EQ(light.state().at("light.brightness"), 100);
}

TEST(Behaviour, ACurtainGoesWhereItIsSent) {
  Behaviour curtain(*catalog().find("curtain"), "d-curtain", 2, today_at(9));
  const json::object moved = curtain.apply("window-covering.target-position", 30);
  EXPECT_EQ(moved.at("window-covering.current-position"), 30);
  EXPECT_EQ(curtain.state().at("window-covering.target-position"), 30);
}

}  // namespace
}  // namespace millet::sim
