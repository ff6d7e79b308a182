#pragma once
// Reading a rule's JSON document (docs/automations.md) into a Rule, checked
// against the devices of its home and their specs. A refusal says where and
// why: `actions[0].set: device 'Hall light': light.brightness = 140 is outside
// [1, 100]`, `triggers[1]: no device 'Hall sensor' in this home`.

#include <boost/json/value.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "automation/rule.h"
#include "base/expected.h"

namespace millet::automation {

// A device a rule may name: one of its home's.
struct DeviceInfo {
  std::string id;
  std::string name;
  std::vector<std::string> aliases;
  const spec::DeviceType* type = nullptr;
};

Expected<Rule, std::string> parse_rule(const boost::json::value& document, std::span<const DeviceInfo> devices);
// A scene: {"name": "Night", "states": [{"device": ..., "properties": {...}}, ...]}, each state checked as a set.
Expected<Scene, std::string> parse_scene(const boost::json::value& document, std::span<const DeviceInfo> devices);

// "90s", "5m", "1h30m", "250ms"; a leading '-' for offsets.
Expected<Duration, std::string> parse_duration(std::string_view text);
// "07:30" → 450.
Expected<int, std::string> parse_clock_time(std::string_view text);
// ["mon", "tue"] or "weekdays" / "weekends".
Expected<Weekdays, std::string> parse_weekdays(const boost::json::value& value);

}  // namespace millet::automation
