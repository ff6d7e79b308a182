#pragma once
// An automation rule, as millet runs it (docs/automations.md): triggers, then
// conditions, then actions. A rule is parsed from its JSON document by
// parse_rule (parse.h), which checks every device, property and value it names
// against the devices' specs, so that a Rule is always well-formed: devices are
// resolved to ids, properties to their ids and spec entries, values are of
// their properties' formats and within their ranges.
//
// Pure data: no I/O, no clock. The engine that runs rules builds on it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "automation/cron.h"
#include "hub/history.h"
#include "spec/device_type.h"
#include "spec/value.h"

namespace millet::automation {

using Duration = std::chrono::milliseconds;

// A device's property, resolved against its type.
struct PropertyRef {
  std::string device_id;
  hub::PropertyId id;
  std::string name;  // "light.brightness"
  const spec::Service* service = nullptr;
  const spec::Property* property = nullptr;
};

// Days of the week as bits: Monday = bit 0 ... Sunday = bit 6; 0x7F = every day.
using Weekdays = std::uint8_t;
inline constexpr Weekdays kEveryDay = 0x7F;

// --- triggers -----------------------------------------------------------------------

struct PropertyTrigger {
  PropertyRef property;
  std::optional<spec::Value> to;    // fires when the value becomes this
  std::optional<spec::Value> from;  // ... coming from this
  std::optional<double> above;      // fires when the value crosses above this
  std::optional<double> below;      // ... or below this
  Duration hold{0};                 // "for": only once it has stayed so this long
};

struct EventTrigger {
  std::string device_id;
  std::string event;  // "motion-sensor.motion-detected"
  std::vector<std::pair<std::string, spec::Value>> arguments;  // filters: each must equal
};

struct ConnectionTrigger {
  std::string device_id;
  bool online = true;  // fires on "online", or on "offline"
};

struct TimeTrigger {
  int minute_of_day = 0;  // 07:30 is 450
  Weekdays weekdays = kEveryDay;
};

struct CronTrigger {
  Cron cron;
};

struct SunTrigger {
  bool sunrise = false;  // sunrise, or sunset
  Duration offset{0};    // negative: before
};

struct ManualTrigger {};

struct WebhookTrigger {
  std::string id;  // the hook's name: POST /api/v1/homes/<home>/hooks/<id>
};

using Trigger = std::variant<PropertyTrigger, EventTrigger, ConnectionTrigger, TimeTrigger, CronTrigger, SunTrigger,
                             ManualTrigger, WebhookTrigger>;

// --- conditions ---------------------------------------------------------------------------

enum class Compare : std::uint8_t { kEquals, kNotEquals, kAbove, kBelow };

struct Condition {
  enum class Kind : std::uint8_t { kAnd, kOr, kNot, kProperty, kTime, kWeekday, kSun, kMode };
  Kind kind = Kind::kAnd;
  std::vector<Condition> children;  // and, or, not (one)
  // property: `property` compared with `value`, or with `other` (another property)
  PropertyRef property;
  Compare compare = Compare::kEquals;
  std::optional<spec::Value> value;
  std::optional<PropertyRef> other;
  // time: within [after, before) minutes of the day (wrapping past midnight)
  int after_minute = 0;
  int before_minute = 24 * 60;
  Weekdays weekdays = kEveryDay;  // weekday
  // sun: after (or before) sunrise/sunset, with an offset
  bool sun_after = true;
  bool sunrise = false;
  Duration sun_offset{0};
  std::string mode;  // mode: the home's mode is this
};

// --- actions ------------------------------------------------------------------------------

struct Action;

struct Branch {
  std::vector<Condition> conditions;  // all must hold
  std::vector<Action> actions;
};

struct Action {
  enum class Kind : std::uint8_t {
    kSet,       // set properties of a device
    kCall,      // call a device's action
    kScene,     // apply a scene
    kDelay,     // wait a while
    kWait,      // wait for a trigger, at most `timeout`
    kIf,        // the first branch whose conditions hold, else `otherwise`
    kRepeat,    // `count` times, or while `while_conditions` hold
    kParallel,  // each of `branches` at once; done when all are
    kMode,      // set the home's mode
    kNotify,    // a message on the home's event stream
    kWebhook,   // an outgoing HTTP request
  };
  Kind kind = Kind::kSet;
  std::string device_id;                                     // set, call
  std::vector<std::pair<PropertyRef, spec::Value>> values;   // set
  std::string action;                                        // call: "speaker.play-text"
  std::vector<std::pair<std::string, spec::Value>> in;       // call: its arguments
  std::string name;                                          // scene, mode, notify (text)
  Duration duration{0};                                      // delay; wait's timeout
  std::vector<Trigger> wait_for;                             // wait
  std::vector<Branch> branches;                              // if (then / else if), parallel
  std::vector<Action> otherwise;                             // if: else; repeat: the body
  std::uint32_t count = 0;                                   // repeat: times (0: while)
  std::vector<Condition> while_conditions;                   // repeat while
  std::string url, method, body;                             // webhook
};

// --- the rule ----------------------------------------------------------------------------

// What happens when a rule triggers while a run of it is still going.
enum class RunMode : std::uint8_t {
  kSingle,    // the new trigger is ignored
  kRestart,   // the running one stops; a new one starts
  kQueued,    // the new one waits its turn (at most `max_runs` waiting)
  kParallel,  // both run (at most `max_runs` at once)
};

struct Rule {
  std::string name;
  bool enabled = true;
  RunMode mode = RunMode::kSingle;
  std::uint32_t max_runs = 10;
  std::vector<Trigger> triggers;
  std::vector<Condition> conditions;  // all must hold
  std::vector<Action> actions;
};

// A scene: a named set of device states, applied in one step.
struct Scene {
  std::string name;
  std::vector<Action> states;  // each a set
};

}  // namespace millet::automation
