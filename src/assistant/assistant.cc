// A turn: the frame becomes a command (with the conversation's help), the
// command finds its targets, the targets' specs give the operations, and the
// reply says what happened.

#include "assistant/assistant.h"

#include <algorithm>
#include <cmath>

#include "assistant/detail/capability.h"
#include "assistant/detail/frame.h"
#include "assistant/detail/reply.h"
#include "assistant/text.h"
#include "spec/value.h"

namespace millet::assistant {

std::string_view intent_name(Intent intent) {
  switch (intent) {
    case Intent::kUnknown: return "unknown";
    case Intent::kTurnOn: return "turn_on";
    case Intent::kTurnOff: return "turn_off";
    case Intent::kSetBrightness: return "set_brightness";
    case Intent::kSetColor: return "set_color";
    case Intent::kSetColorTemperature: return "set_color_temperature";
    case Intent::kSetTemperature: return "set_temperature";
    case Intent::kSetHumidity: return "set_humidity";
    case Intent::kSetMode: return "set_mode";
    case Intent::kSetFanSpeed: return "set_fan_speed";
    case Intent::kSetPosition: return "set_position";
    case Intent::kSetVolume: return "set_volume";
    case Intent::kOpen: return "open";
    case Intent::kClose: return "close";
    case Intent::kLock: return "lock";
    case Intent::kUnlock: return "unlock";
    case Intent::kStart: return "start";
    case Intent::kPause: return "pause";
    case Intent::kStop: return "stop";
    case Intent::kDock: return "dock";
    case Intent::kQuery: return "query";
    case Intent::kList: return "list";
    case Intent::kRunScene: return "run_scene";
    case Intent::kCancelTimer: return "cancel_timer";
  }
  return "unknown";
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::kDone: return "done";
    case Status::kScheduled: return "scheduled";
    case Status::kAnswer: return "answer";
    case Status::kClarify: return "clarify";
    case Status::kConfirm: return "confirm";
    case Status::kCancelled: return "cancelled";
    case Status::kCannot: return "cannot";
    case Status::kNotUnderstood: return "not_understood";
  }
  return "not_understood";
}

boost::json::object Operation::to_json() const {
  boost::json::object out;
  if (!scene.empty()) {
    out["scene"] = scene;
    return out;
  }
  out["device"] = device;
  if (!action.empty()) {
    out["action"] = action;
  } else {
    out["set"] = set;
  }
  return out;
}

boost::json::object Turn::to_json() const {
  boost::json::object out;
  out["language"] = language == Language::kEnglish ? "en" : "zh";
  out["intent"] = intent_name(intent);
  out["status"] = status_name(status);
  boost::json::array ids;
  for (const std::string& id : targets) ids.emplace_back(id);
  out["targets"] = std::move(ids);
  out["params"] = params;
  boost::json::array done;
  for (const Operation& operation : operations) done.emplace_back(operation.to_json());
  out["operations"] = std::move(done);
  out["reply"] = reply;
  return out;
}

Conversation::Conversation() : state_(std::make_unique<State>()) {}
Conversation::~Conversation() = default;
Conversation::Conversation(Conversation&&) noexcept = default;
Conversation& Conversation::operator=(Conversation&&) noexcept = default;

void apply(Home& home, std::span<const Operation> operations) {
  for (const Operation& operation : operations) {
    Device* device = home.device(operation.device);
    if (!device) continue;
    for (const auto& [name, value] : operation.set) {
      spec::Value kept;
      if (value.is_bool()) kept = value.as_bool();
      else if (value.is_int64()) kept = value.as_int64();
      else if (value.is_uint64()) kept = static_cast<std::int64_t>(value.as_uint64());
      else if (value.is_double()) kept = value.as_double();
      else if (value.is_string()) kept = std::string(value.as_string());
      else continue;
      device->state[std::string(name)] = kept;
      // A covering reaches its target; a garage door its state.
      std::string key(name);
      if (key.ends_with("target-position")) {
        device->state[key.substr(0, key.size() - std::string_view("target-position").size()) + "current-position"] = kept;
      }
      if (key.ends_with("garage-door.target-state")) device->state["garage-door.current-state"] = kept;
    }
    if (operation.action == "lock.lock") device->state["lock.lock-state"] = std::int64_t{1};
    if (operation.action == "lock.unlock") device->state["lock.lock-state"] = std::int64_t{0};
  }
}

namespace {

using detail::Ask;
using detail::CategoryMention;
using detail::Command;
using detail::Frame;
using detail::Problem;
using detail::Remembered;
using detail::Speech;
using State = Conversation::State;

constexpr double kPercentStep = 10;
constexpr double kDegreeStep = 1;
constexpr double kKelvinStep = 500;

double default_step(Intent intent) {
  switch (intent) {
    case Intent::kSetTemperature: return kDegreeStep;
    case Intent::kSetColorTemperature: return kKelvinStep;
    case Intent::kSetFanSpeed: return 1;
    default: return kPercentStep;
  }
}

bool is_setting(Intent intent) { return detail::attribute_of(intent) != Attribute::kNone; }

// The verb as an intent, before the targets say whether it means "open" or "turn on".
Intent verb_intent(Cue verb) {
  switch (verb) {
    case Cue::kOn: return Intent::kTurnOn;
    case Cue::kOff: return Intent::kTurnOff;
    case Cue::kOpen: return Intent::kOpen;
    case Cue::kClose: return Intent::kClose;
    case Cue::kLock: return Intent::kLock;
    case Cue::kUnlock: return Intent::kUnlock;
    case Cue::kStart: return Intent::kStart;
    case Cue::kPause: return Intent::kPause;
    case Cue::kStop: return Intent::kStop;
    case Cue::kDock: return Intent::kDock;
    case Cue::kRun: return Intent::kStart;
    default: return Intent::kUnknown;
  }
}

// A question's state word as what it asks.
Ask ask_of(Cue state) {
  switch (state) {
    case Cue::kStateOn:
    case Cue::kStateOff: return Ask::kOn;
    case Cue::kStateLocked:
    case Cue::kStateUnlocked: return Ask::kLocked;
    default: return Ask::kOpen;
  }
}

// The state a verb says in a question: "is the light on", "are the doors locked".
Cue state_of_verb(Cue verb) {
  switch (verb) {
    case Cue::kOn: return Cue::kStateOn;
    case Cue::kOff: return Cue::kStateOff;
    case Cue::kOpen: return Cue::kStateOpen;
    case Cue::kClose: return Cue::kStateClosed;
    case Cue::kLock: return Cue::kStateLocked;
    case Cue::kUnlock: return Cue::kStateUnlocked;
    default: return Cue::kFiller;
  }
}

class Turner {
 public:
  Turner(const Home& home, const Lexicon& lexicon, State& state, const Context& context, Language language)
      : home_(home), lexicon_(lexicon), state_(state), context_(context), speech_{home, language} {}

  Turn run(const Frame& frame);

 private:
  // The scope the sentence names: its rooms, its floors' rooms, "here".
  std::vector<std::string> scope_rooms(const Frame& frame) const;
  bool in_scope(const Device& device, const std::vector<std::string>& rooms) const;
  std::optional<Command> command_of(const Frame& frame, bool& follow_up);
  void settle_setting(Command& command, const Frame& frame, const std::vector<int>& rough) const;
  void adapt_verb(Command& command, const std::vector<int>& rough) const;
  std::vector<int> rough_targets(const Frame& frame, bool follow_up) const;
  std::string service_of(const std::optional<CategoryMention>& category) const;
  Turn carry_out(Command command, std::vector<int> targets, const std::optional<CategoryMention>& category,
                 bool named);
  Turn ask_question(const Command& command, const Frame& frame, std::vector<int> targets, bool named);
  Turn resolve_and_run(Command command, const Frame& frame, bool follow_up);
  Turn answer_which(const Frame& frame);
  void remember(const Command& command, const std::vector<int>& targets, const std::optional<CategoryMention>& category,
                const std::vector<int>& rooms);
  Turn finish(Turn turn, const Command& command, const std::vector<int>& targets) const;
  std::vector<int> indexes_of(const std::vector<std::string>& ids) const;
  int index_of(const Device& device) const { return static_cast<int>(&device - home_.devices.data()); }
  // Whether there are devices and each is so.
  template <class Predicate>
  bool all_are(const std::vector<int>& devices, Predicate is_so) const {
    return !devices.empty() && std::all_of(devices.begin(), devices.end(), [&](int index) {
      return is_so(home_.devices[static_cast<std::size_t>(index)]);
    });
  }

  const Home& home_;
  const Lexicon& lexicon_;
  State& state_;
  const Context& context_;
  Speech speech_;
  std::optional<CategoryMention> category_;  // the category this turn is about
  std::vector<int> rooms_;                   // the rooms this turn named
};

std::vector<std::string> Turner::scope_rooms(const Frame& frame) const {
  std::vector<std::string> rooms;
  for (int room : frame.rooms) rooms.push_back(home_.rooms[static_cast<std::size_t>(room)].id);
  for (int floor : frame.floors) {
    const std::string& id = home_.floors[static_cast<std::size_t>(floor)].id;
    for (const Room& room : home_.rooms) {
      if (room.floor == id) rooms.push_back(room.id);
    }
  }
  if (frame.here && !context_.here.empty()) rooms.push_back(context_.here);
  return rooms;
}

bool Turner::in_scope(const Device& device, const std::vector<std::string>& rooms) const {
  return rooms.empty() || std::find(rooms.begin(), rooms.end(), device.room) != rooms.end();
}

std::vector<int> Turner::indexes_of(const std::vector<std::string>& ids) const {
  std::vector<int> out;
  for (const std::string& id : ids) {
    for (const Device& device : home_.devices) {
      if (device.id == id) out.push_back(index_of(device));
    }
  }
  return out;
}

std::string Turner::service_of(const std::optional<CategoryMention>& category) const {
  if (!category) return {};
  return std::string(categories()[static_cast<std::size_t>(category->category)].service);
}

// Devices the sentence is about, whatever they can do: for choosing what a bare
// value or "open" means before the targets are settled.
std::vector<int> Turner::rough_targets(const Frame& frame, bool follow_up) const {
  std::vector<int> out;
  for (const auto& mention : frame.devices) out.insert(out.end(), mention.devices.begin(), mention.devices.end());
  if (!out.empty()) return out;
  std::vector<std::string> rooms = scope_rooms(frame);
  std::optional<CategoryMention> category = category_;
  if (!category && !frame.categories.empty()) category = frame.categories.front();
  if (category || !rooms.empty()) {
    for (const Device& device : home_.devices) {
      if (!in_scope(device, rooms)) continue;
      if (category && !detail::in_category(device, category->category)) continue;
      out.push_back(index_of(device));
    }
    return out;
  }
  if ((frame.pronoun || follow_up || !frame.names_something()) && state_.last.valid) {
    return indexes_of(state_.last.targets);
  }
  return out;
}

// Chooses what "up", "50" or "cool" sets, from what was said and the devices it is about.
void Turner::settle_setting(Command& command, const Frame& frame, const std::vector<int>& rough) const {
  const Device* first = rough.empty() ? nullptr : &home_.devices[static_cast<std::size_t>(rough.front())];
  bool lights = all_are(rough, [](const Device& d) { return detail::in_category(d, kLightCategory); });
  if (command.attribute == Attribute::kNone) {
    if (frame.unit == Cue::kKelvin) command.attribute = Attribute::kColorTemperature;
    else if (frame.unit == Cue::kDegree && !lights) command.attribute = Attribute::kTemperature;
    else if (first) command.attribute = detail::default_attribute(*first);
  }
  // "Warmer" said of lights is their colour temperature, the other way round.
  if (command.attribute == Attribute::kTemperature && lights) {
    command.attribute = Attribute::kColorTemperature;
    if (command.delta) command.delta = -std::copysign(kKelvinStep, *command.delta) * (frame.lot ? 2 : 1);
  }
  command.intent = detail::set_intent(command.attribute);
}

// "Turn on" the curtains is opening them; "open" the front door is unlocking it.
void Turner::adapt_verb(Command& command, const std::vector<int>& rough) const {
  if (rough.empty()) return;
  auto any_can = [&](Intent intent) {
    Command probe = command;
    probe.intent = intent;
    return std::any_of(rough.begin(), rough.end(), [&](int index) {
      return detail::plan(home_.devices[static_cast<std::size_t>(index)], probe, service_of(category_)).has_value();
    });
  };
  if (all_are(rough, [](const Device& d) { return d.type->name == "lock"; })) {
    if (command.intent == Intent::kTurnOn || command.intent == Intent::kOpen) command.intent = Intent::kUnlock;
    if (command.intent == Intent::kTurnOff || command.intent == Intent::kClose) command.intent = Intent::kLock;
    return;
  }
  // Valves open and close, though they have a power switch too ("打开洒水阀").
  bool all_valves = all_are(rough, [](const Device& d) { return d.type->name == "valve"; });
  if (all_valves && command.intent == Intent::kTurnOn) command.intent = Intent::kOpen;
  if (all_valves && command.intent == Intent::kTurnOff) command.intent = Intent::kClose;
  if (any_can(command.intent)) return;
  static constexpr std::pair<Intent, Intent> kInstead[] = {
      {Intent::kTurnOn, Intent::kOpen}, {Intent::kTurnOff, Intent::kClose}, {Intent::kTurnOn, Intent::kStart},
      {Intent::kStart, Intent::kTurnOn}, {Intent::kStop, Intent::kTurnOff}, {Intent::kStop, Intent::kClose},
  };
  for (auto [from, to] : kInstead) {
    if (command.intent == from && any_can(to)) {
      command.intent = to;
      return;
    }
  }
}

std::optional<Command> Turner::command_of(const Frame& frame, bool& follow_up) {
  Command command;
  command.delay_s = frame.delay_s ? static_cast<std::int64_t>(*frame.delay_s) : 0;
  command.extreme_high = frame.extreme_high;
  command.extreme_low = frame.extreme_low;
  const Remembered& last = state_.last;

  if (frame.cancel && frame.verb == Cue::kFiller && !frame.question) {
    command.intent = Intent::kCancelTimer;
    return command;
  }
  bool asks = (frame.question || frame.which) && !frame.request && !frame.set_word;
  if ((frame.question || frame.which) && frame.set_word && !frame.number && frame.direction == 0 &&
      frame.mode_words.empty() && frame.color < 0 && frame.level_word < 0) {
    // "what is the AC set to", "what temperature is the water heater set to"
    command.intent = Intent::kQuery;
    command.attribute = frame.attribute == Attribute::kTemperature || frame.attribute == Attribute::kNone
                            ? Attribute::kTargetTemperature
                            : frame.attribute;
    if (frame.attribute == Attribute::kNone) {
      std::vector<int> rough = rough_targets(frame, false);
      if (!rough.empty()) {
        Attribute usual = detail::default_attribute(home_.devices[static_cast<std::size_t>(rough.front())]);
        if (usual != Attribute::kTemperature && usual != Attribute::kNone) command.attribute = usual;
      }
    }
    return command;
  }
  if (asks && frame.verb != Cue::kFiller && frame.verb != Cue::kOn && frame.verb != Cue::kOff &&
      frame.verb != Cue::kOpen && frame.verb != Cue::kClose && frame.verb != Cue::kLock && frame.verb != Cue::kUnlock) {
    asks = frame.question && frame.attribute != Attribute::kNone;
  }
  if (asks && frame.direction != 0 && frame.attribute == Attribute::kNone) asks = false;
  if (asks || (frame.any && frame.state != Cue::kFiller)) {
    Cue state = frame.state != Cue::kFiller ? frame.state : state_of_verb(frame.verb);
    bool many = frame.which || frame.any || frame.all || frame.everything ||
                std::any_of(frame.categories.begin(), frame.categories.end(), [](const auto& c) { return c.plural; });
    if (state != Cue::kFiller && many && frame.devices.empty()) {
      if (frame.negated) {
        // "which lights are not on"
        if (state == Cue::kStateOn) state = Cue::kStateOff;
        else if (state == Cue::kStateLocked) state = Cue::kStateUnlocked;
        else if (state == Cue::kStateOpen) state = Cue::kStateClosed;
      }
      command.intent = Intent::kList;
      command.state = state;
      return command;
    }
    command.intent = Intent::kQuery;
    command.attribute = frame.attribute;
    command.state = state;
    if (command.attribute == Attribute::kNone && state == Cue::kFiller) {
      // "I can't see a thing in the kitchen", "厨房里什么都看不见": words it does not know about a room,
      // and nothing asked: not understood, rather than the room's status nobody asked for.
      if (frame.unknown_words > 0 && frame.devices.empty() && !frame.pronoun) return std::nullopt;
      if (frame.names_something() || frame.pronoun) {
        command.attribute = Attribute::kStatus;
      } else if (last.valid && last.command.intent == Intent::kQuery) {
        command = last.command;
        follow_up = true;
      } else {
        return std::nullopt;
      }
    }
    if (!frame.names_something() && !frame.pronoun && last.valid && frame.too) follow_up = true;
    return command;
  }
  if (!frame.scenes.empty() && frame.devices.empty() &&
      (frame.attribute == Attribute::kNone || frame.attribute == Attribute::kMode) &&
      (frame.verb == Cue::kFiller || frame.verb == Cue::kOn || frame.verb == Cue::kRun || frame.verb == Cue::kStart ||
       frame.scene_word)) {
    command.intent = Intent::kRunScene;
    command.scene = frame.scenes.front();
    return command;
  }
  if (frame.color >= 0) {
    command.intent = Intent::kSetColor;
    command.attribute = Attribute::kColor;
    command.color = frame.color;
    return command;
  }
  if (frame.unit == Cue::kKelvin || (frame.attribute == Attribute::kColorTemperature)) {
    command.attribute = Attribute::kColorTemperature;
    command.intent = Intent::kSetColorTemperature;
    if (frame.warmth >= 0 && !frame.number && frame.direction == 0) {
      command.value = frame.warmth == 0 ? 2700 : frame.warmth == 1 ? 4000 : 6500;
      return command;
    }
  }
  bool mode_said = !frame.mode_words.empty() &&
                   (frame.attribute == Attribute::kMode || frame.attribute == Attribute::kNone || frame.set_word ||
                    frame.to_word);
  if (frame.level_word >= 0 && (frame.attribute == Attribute::kFanSpeed || frame.attribute == Attribute::kNone ||
                                frame.attribute == Attribute::kMode)) {
    command.intent = Intent::kSetFanSpeed;
    command.attribute = Attribute::kFanSpeed;
    command.level_word = frame.level_word;
    command.level = level_words()[static_cast<std::size_t>(frame.level_word)].name;
    return command;
  }
  if (frame.attribute == Attribute::kFanSpeed && !frame.mode_words.empty() &&
      lexicon_.mode(frame.mode_words.front()).english == "auto") {
    command.intent = Intent::kSetFanSpeed;
    command.attribute = Attribute::kFanSpeed;
    for (std::size_t i = 0; i < level_words().size(); ++i) {
      if (level_words()[i].name == "auto") command.level_word = static_cast<int>(i);
    }
    command.level = "auto";
    return command;
  }
  if (frame.warmth >= 0 && frame.number == std::nullopt && frame.direction == 0) {
    // "warm" or "cool": a light's white, or (cool) an air conditioner's mode.
    std::vector<int> rough = rough_targets(frame, false);
    bool lights = all_are(rough, [](const Device& d) { return detail::in_category(d, kLightCategory); });
    if (lights || frame.mode_words.empty()) {
      command.intent = Intent::kSetColorTemperature;
      command.attribute = Attribute::kColorTemperature;
      command.value = frame.warmth == 0 ? 2700 : frame.warmth == 1 ? 4000 : 6500;
      return command;
    }
  }
  if (mode_said && frame.number == std::nullopt) {
    command.intent = Intent::kSetMode;
    command.attribute = Attribute::kMode;
    const ModeName& mode = lexicon_.mode(frame.mode_words.front());
    command.mode = mode.english;
    command.mode_matches = mode.matches;
    return command;
  }

  if ((frame.verb == Cue::kOpen || frame.verb == Cue::kClose) && frame.attribute == Attribute::kNone &&
      (frame.bit || frame.lot || frame.half || frame.number)) {
    // "open the curtains a little", "close the blind halfway", "open it to 30%"
    command.intent = Intent::kSetPosition;
    command.attribute = Attribute::kPosition;
    double sign = frame.verb == Cue::kOpen ? 1 : -1;
    if (frame.number) command.value = *frame.number;
    else if (frame.half) command.value = 50;
    else command.delta = sign * kPercentStep * (frame.lot ? 2 : 1);
    return command;
  }
  Attribute said = frame.attribute != Attribute::kNone ? frame.attribute : frame.direction_attribute;
  if (said == Attribute::kTargetTemperature) said = Attribute::kTemperature;
  bool has_value = frame.number.has_value() || frame.extreme_high || frame.extreme_low;
  bool covers_half = frame.half && !frame.number &&
                     (frame.verb == Cue::kOpen || frame.verb == Cue::kOn || frame.set_word || said != Attribute::kNone);
  bool setting = frame.direction != 0 || said != Attribute::kNone || covers_half ||
                 (has_value && (frame.set_word || frame.to_word || frame.unit != Cue::kFiller || frame.verb != Cue::kFiller ||
                                frame.pronoun || (!frame.names_something() && last.valid) || frame.names_something()));
  if (frame.verb == Cue::kOff || frame.verb == Cue::kLock || frame.verb == Cue::kUnlock || frame.verb == Cue::kPause ||
      frame.verb == Cue::kStop || frame.verb == Cue::kDock) {
    setting = setting && frame.direction != 0 && has_value;  // "turn down by 10" is a setting; "turn off" is not
  }
  if ((frame.verb == Cue::kOn || frame.verb == Cue::kOpen || frame.verb == Cue::kStart) && !has_value &&
      !covers_half && said == Attribute::kNone && frame.direction == 0) {
    setting = false;
  }
  if (setting) {
    command.attribute = said;
    if (covers_half) {
      // "halfway", "half brightness", "开一半": 50 %
      if (command.attribute == Attribute::kNone) command.attribute = Attribute::kPosition;
      command.value = 50;
    } else if ((frame.extreme_high || frame.extreme_low) && !frame.number) {
      // "full brightness", "调到最大": the end of a percentage; other ends are the device's own
      if (frame.extreme_high && (said == Attribute::kBrightness || said == Attribute::kVolume ||
                                 said == Attribute::kPosition)) {
        command.value = 100;
      }
    } else if (frame.number && (frame.direction != 0 || frame.by_word) && !frame.to_word) {
      command.delta = *frame.number * (frame.direction < 0 ? -1 : 1);
    } else if (frame.number) {
      command.value = *frame.number;
      if (frame.half && !covers_half) *command.value += 0.5;  // 二十六度半
    } else if (frame.direction != 0) {
      command.delta = frame.direction;  // scaled once the attribute is known
    }
    // A bare follow-up ("set it to 50", "a bit more") sets what the last command set.
    if (command.attribute == Attribute::kNone && (frame.pronoun || !frame.names_something()) && last.valid &&
        is_setting(last.command.intent)) {
      command.attribute = detail::attribute_of(last.command.intent);
      if (last.command.intent == Intent::kSetTemperature) command.attribute = Attribute::kTemperature;
    }
    return command;
  }
  if (frame.verb != Cue::kFiller) {
    command.intent = verb_intent(frame.verb);
    return command;
  }
  // "a bit more", "more": the last change again.
  if ((frame.more || frame.bit || frame.lot) && last.valid && is_setting(last.command.intent)) {
    command = last.command;
    command.delay_s = 0;
    double step = last.command.delta ? std::fabs(*last.command.delta) : default_step(last.command.intent);
    if (!last.command.delta) step = default_step(last.command.intent);
    double sign = last.command.delta && *last.command.delta < 0 ? -1 : 1;
    command.value.reset();
    command.delta = sign * step * (frame.lot ? 2 : 1);
    follow_up = true;
    return command;
  }
  // "and the bedroom too": the last command somewhere else.
  if (last.valid && (frame.too || frame.names_something())) {
    command = last.command;
    command.delay_s = frame.delay_s ? static_cast<std::int64_t>(*frame.delay_s) : 0;
    follow_up = true;
    return command;
  }
  return std::nullopt;
}

Turn Turner::finish(Turn turn, const Command& command, const std::vector<int>& targets) const {
  turn.intent = command.intent;
  for (int index : targets) turn.targets.push_back(home_.devices[static_cast<std::size_t>(index)].id);
  std::sort(turn.targets.begin(), turn.targets.end());
  if (command.value) turn.params["value"] = *command.value;
  if (command.delta) turn.params["delta"] = *command.delta;
  if (command.color >= 0) turn.params["color"] = colors()[static_cast<std::size_t>(command.color)].name;
  if (!command.mode.empty()) turn.params["mode"] = command.mode;
  if (!command.level.empty()) turn.params["level"] = command.level;
  if (command.intent == Intent::kQuery) {
    std::string_view property;
    switch (command.state) {
      case Cue::kStateOn:
      case Cue::kStateOff: property = "on"; break;
      case Cue::kStateLocked:
      case Cue::kStateUnlocked: property = "locked"; break;
      case Cue::kStateOpen:
      case Cue::kStateClosed: property = "open"; break;
      default: property = attribute_name(command.attribute);
    }
    turn.params["property"] = property;
  }
  if (command.intent == Intent::kList) {
    std::string_view state;
    switch (command.state) {
      case Cue::kStateOn: state = "on"; break;
      case Cue::kStateOff: state = "off"; break;
      case Cue::kStateOpen: state = "open"; break;
      case Cue::kStateClosed: state = "closed"; break;
      case Cue::kStateLocked: state = "locked"; break;
      default: state = "unlocked"; break;
    }
    turn.params["state"] = state;
  }
  if (command.intent == Intent::kRunScene && command.scene >= 0) {
    turn.params["scene"] = home_.scenes[static_cast<std::size_t>(command.scene)].name;
  }
  if (command.delay_s > 0 && command.intent != Intent::kCancelTimer) turn.params["delay"] = command.delay_s;
  return turn;
}

void Turner::remember(const Command& command, const std::vector<int>& targets,
                      const std::optional<CategoryMention>& category, const std::vector<int>& rooms) {
  Remembered& last = state_.last;
  last.valid = true;
  last.command = command;
  last.command.delay_s = 0;
  last.targets.clear();
  for (int index : targets) last.targets.push_back(home_.devices[static_cast<std::size_t>(index)].id);
  last.category = category;
  last.rooms = rooms;
  if (category || targets.empty()) return;
  // Named devices: remember their kind, as the word their name ends in when
  // it starts with their room's ("Kitchen light" -> "light"), for "and the bedroom too".
  for (std::size_t c = 0; c < categories().size(); ++c) {
    bool all = std::all_of(targets.begin(), targets.end(), [&](int index) {
      return detail::in_category(home_.devices[static_cast<std::size_t>(index)], static_cast<int>(c));
    });
    if (!all) continue;
    CategoryMention mention{static_cast<int>(c), targets.size() > 1, key_of(categories()[c].english)};
    const Device& device = home_.devices[static_cast<std::size_t>(targets.front())];
    if (const Room* room = home_.room(device.room)) {
      for (const std::string& room_name : names_of(*room)) {
        for (const std::string& device_name : names_of(device)) {
          std::string room_key = key_of(room_name);
          std::string device_key = key_of(device_name);
          if (device_key.size() > room_key.size() && device_key.starts_with(room_key) &&
              has_han(room_name) == (speech_.language == Language::kChinese)) {
            mention.key = device_key.substr(room_key.size());
          }
        }
      }
    }
    last.category = mention;
    return;
  }
}

// Carries out `command` on `targets`: plans each, leaves out (or, for a named
// device, refuses) what cannot, asks before unlocking, schedules a delay.
Turn Turner::carry_out(Command command, std::vector<int> targets, const std::optional<CategoryMention>& category,
                       bool named) {
  Turn turn;
  turn.language = speech_.language;
  std::string service = service_of(category);
  std::vector<int> able;
  std::vector<Operation> operations;
  std::optional<std::pair<int, Problem>> refusal;
  for (int index : targets) {
    auto planned = detail::plan(home_.devices[static_cast<std::size_t>(index)], command, service);
    if (planned) {
      able.push_back(index);
      operations.push_back(std::move(planned.value()));
    } else if (!refusal || (refusal->second.kind == Problem::Kind::kUnsupported &&
                            planned.error().kind != Problem::Kind::kUnsupported)) {
      refusal = std::make_pair(index, planned.error());
    }
  }
  // A named device that cannot do it is refused, and so is a value out of range.
  bool refuse = able.empty() || (named && refusal) ||
                (refusal && refusal->second.kind != Problem::Kind::kUnsupported);
  if (refuse) {
    turn.status = Status::kCannot;
    turn.reply = refusal ? speech_.cannot(command, refusal->first, refusal->second) : speech_.nothing_can(command);
    return finish(std::move(turn), command, targets);
  }
  remember(command, able, category, rooms_);
  if (command.intent == Intent::kUnlock) {
    state_.waiting = State::Waiting::kYes;
    state_.pending = command;
    state_.candidates = able;
    turn.status = Status::kConfirm;
    turn.reply = speech_.confirm(command, able);
    return finish(std::move(turn), command, able);
  }
  turn.operations = std::move(operations);
  if (command.delay_s > 0) {
    turn.status = Status::kScheduled;
    turn.delay_s = command.delay_s;
    turn.reply = speech_.scheduled(command, able);
  } else {
    turn.status = Status::kDone;
    turn.reply = speech_.done(command, able, turn.operations);
  }
  return finish(std::move(turn), command, able);
}

Turn Turner::ask_question(const Command& command, const Frame& frame, std::vector<int> targets, bool named) {
  Turn turn;
  turn.language = speech_.language;
  std::string service = service_of(category_);
  Ask ask = command.intent == Intent::kList || command.state != Cue::kFiller ? ask_of(command.state) : Ask::kAttribute;
  // A room's temperature is what its thermometers measure, not the fridge's.
  bool measured = !named && command.attribute == Attribute::kTemperature;
  std::vector<int> asked;
  for (int index : targets) {
    if (detail::answers(home_.devices[static_cast<std::size_t>(index)], ask, command.attribute, service, measured)) {
      asked.push_back(index);
    }
  }
  if (asked.empty() && (ask == Ask::kOn || ask == Ask::kOpen)) {
    // "车库门关了吗": a door is open or closed rather than on or off, and a light the other way round.
    Ask other = ask == Ask::kOn ? Ask::kOpen : Ask::kOn;
    for (int index : targets) {
      if (detail::answers(home_.devices[static_cast<std::size_t>(index)], other, command.attribute, service)) {
        asked.push_back(index);
      }
    }
    if (!asked.empty()) {
      ask = other;
      if (command.state != Cue::kFiller) {
        Cue swapped = command.state == Cue::kStateOn     ? Cue::kStateOpen
                      : command.state == Cue::kStateOff  ? Cue::kStateClosed
                      : command.state == Cue::kStateOpen ? Cue::kStateOn
                                                         : Cue::kStateOff;
        Command changed = command;
        changed.state = swapped;
        return ask_question(changed, frame, targets, named);
      }
    }
  }
  if (asked.empty()) {
    turn.status = Status::kCannot;
    turn.reply = targets.size() == 1 ? speech_.cannot(command, targets.front(), Problem{}) : speech_.nothing_can(command);
    return finish(std::move(turn), command, targets);
  }
  std::vector<std::optional<detail::Reading>> readings;
  for (int index : asked) {
    readings.push_back(detail::read(home_.devices[static_cast<std::size_t>(index)], ask, command.attribute, service,
                                    measured));
  }
  turn.status = Status::kAnswer;
  if (command.intent == Intent::kList) {
    std::vector<int> matching;
    for (std::size_t i = 0; i < asked.size(); ++i) {
      if (!readings[i]) continue;
      std::optional<bool> yes = detail::says_yes(ask, *readings[i]);
      if (!yes) continue;
      bool wanted = command.state == Cue::kStateOn || command.state == Cue::kStateOpen ||
                    command.state == Cue::kStateLocked;
      if (*yes == wanted) matching.push_back(asked[i]);
    }
    turn.reply = speech_.listed(command.state, matching, asked);
    // "turn them off" after "which lights are on" means the ones that are.
    remember(command, matching.empty() ? asked : matching, category_, rooms_);
    return finish(std::move(turn), command, asked);
  } else {
    bool negated = command.state == Cue::kStateOff || command.state == Cue::kStateUnlocked ||
                   command.state == Cue::kStateClosed;
    turn.reply = speech_.answer(ask, command.attribute, asked, readings, negated != frame.negated);
  }
  remember(command, asked, category_, rooms_);
  return finish(std::move(turn), command, asked);
}

// Whether this frame can be the answer to "which one?".
bool answers_which(const Frame& frame) {
  return frame.verb == Cue::kFiller && frame.attribute == Attribute::kNone && frame.direction == 0 &&
         !frame.number && (!frame.rooms.empty() || !frame.floors.empty() || !frame.devices.empty() || frame.both ||
                           frame.all || frame.ordinal > 0 || frame.here);
}

Turn Turner::answer_which(const Frame& frame) {
  std::vector<int> chosen;
  const std::vector<int>& candidates = state_.candidates;
  if (frame.both || frame.all) {
    chosen = candidates;
  } else if (frame.ordinal > 0 && static_cast<std::size_t>(frame.ordinal) <= candidates.size()) {
    chosen.push_back(candidates[static_cast<std::size_t>(frame.ordinal - 1)]);
  } else {
    std::vector<std::string> rooms = scope_rooms(frame);
    for (int index : candidates) {
      const Device& device = home_.devices[static_cast<std::size_t>(index)];
      bool fits = rooms.empty() || in_scope(device, rooms);
      if (!frame.devices.empty()) {
        bool named = false;
        for (const auto& mention : frame.devices) {
          named = named || std::find(mention.devices.begin(), mention.devices.end(), index) != mention.devices.end();
        }
        fits = fits && named;
      }
      if (fits) chosen.push_back(index);
    }
  }
  Command command = state_.pending;
  std::optional<CategoryMention> category = state_.pending_category;
  state_.waiting = State::Waiting::kNothing;
  if (chosen.empty()) {
    Turn turn;
    turn.language = speech_.language;
    turn.status = Status::kClarify;
    state_.waiting = State::Waiting::kWhich;
    turn.reply = speech_.which(command, candidates);
    return finish(std::move(turn), command, candidates);
  }
  category_ = category;
  if (command.intent == Intent::kQuery || command.intent == Intent::kList) {
    return ask_question(command, frame, chosen, true);
  }
  return carry_out(command, chosen, category, true);
}

Turn Turner::resolve_and_run(Command command, const Frame& frame, bool follow_up) {
  const Remembered& last = state_.last;
  std::vector<std::string> rooms = scope_rooms(frame);
  rooms_ = frame.rooms;
  bool english = speech_.language == Language::kEnglish;
  bool named = false;
  std::vector<int> targets;
  std::vector<int> ask_which;

  // A device name that is also a kind's word, in a room where no device has that name: the kind.
  Frame narrowed = frame;
  if (!rooms.empty()) {
    std::erase_if(narrowed.devices, [&](const detail::DeviceMention& mention) {
      if (!mention.category) return false;
      bool fits = std::any_of(mention.devices.begin(), mention.devices.end(), [&](int index) {
        return in_scope(home_.devices[static_cast<std::size_t>(index)], rooms);
      });
      if (fits) return false;
      narrowed.categories.push_back(*mention.category);
      return true;
    });
  }
  const Frame& sentence = narrowed;
  // The category: said, implied by the verb ("锁门"), or (for a follow-up naming only a room) the last one.
  if (!sentence.categories.empty()) category_ = sentence.categories.front();
  if (!category_ && sentence.devices.empty() && !sentence.implied.empty() && !frame.pronoun &&
      (rooms.empty() || !follow_up)) {
    category_ = CategoryMention{sentence.implied.front(), false, {}};
  }
  if (!category_ && sentence.devices.empty() && (follow_up || frame.too) && last.valid && !rooms.empty()) {
    category_ = last.category;  // as said then: "卧室的也打开" after "打开厨房灯" is the bedroom's own 卧室灯
  }
  bool plural = frame.all || frame.both || frame.everything || frame.plural_pronoun || frame.plural_name ||
                (category_ && category_->plural);
  // Spoken in a room, a category alone is the room's, if it has one: "turn on the light" to the bedroom's speaker.
  if (rooms.empty() && !context_.here.empty() && category_ && sentence.devices.empty() && !frame.all &&
      !frame.everything && !follow_up) {
    const bool has = std::any_of(home_.devices.begin(), home_.devices.end(), [&](const Device& device) {
      return device.room == context_.here && detail::in_category(device, category_->category);
    });
    if (has) rooms.push_back(context_.here);
  }

  std::vector<int> rough = rough_targets(sentence, follow_up);
  if (is_setting(command.intent) || command.intent == Intent::kUnknown) {
    if (command.intent == Intent::kUnknown || command.attribute == Attribute::kNone ||
        command.attribute == Attribute::kTemperature) {
      settle_setting(command, frame, rough);
    }
    if (command.delta && std::fabs(*command.delta) == 1 && frame.number == std::nullopt &&
        command.intent != Intent::kSetTemperature && command.intent != Intent::kSetFanSpeed) {
      command.delta = *command.delta * default_step(command.intent);
    }
    if (command.delta && frame.lot && frame.number == std::nullopt && command.intent != Intent::kSetColorTemperature) {
      command.delta = *command.delta * 2;
    }
    if (command.intent == Intent::kUnknown) {
      Turn turn;
      turn.language = speech_.language;
      turn.status = Status::kNotUnderstood;
      turn.reply = speech_.not_understood();
      return turn;
    }
  } else if (command.intent != Intent::kQuery && command.intent != Intent::kList &&
             command.intent != Intent::kRunScene) {
    adapt_verb(command, rough);
  }

  if (!sentence.devices.empty()) {
    named = true;
    for (const auto& mention : sentence.devices) {
      std::vector<int> fits;
      for (int index : mention.devices) {
        if (in_scope(home_.devices[static_cast<std::size_t>(index)], rooms)) fits.push_back(index);
      }
      if (fits.empty()) fits = mention.devices;
      if (fits.size() > 1 && !plural) {
        ask_which = fits;
      } else {
        targets.insert(targets.end(), fits.begin(), fits.end());
      }
    }
  } else if (category_ || !rooms.empty() || frame.everything) {
    bool ask_capable = command.intent == Intent::kQuery || command.intent == Intent::kList;
    std::string service = service_of(category_);
    std::vector<int> scope;
    for (const Device& device : home_.devices) {
      if (!in_scope(device, rooms)) continue;
      if (category_ && !detail::in_category(device, category_->category)) continue;
      if (!ask_capable) {
        auto planned = detail::plan(device, command, service);
        if (!planned && planned.error().kind == Problem::Kind::kUnsupported) continue;
      }
      scope.push_back(index_of(device));
    }
    if (scope.empty()) {
      // Nothing there can: say so of what is there.
      for (const Device& device : home_.devices) {
        if (in_scope(device, rooms) && (!category_ || detail::in_category(device, category_->category))) {
          targets.push_back(index_of(device));
        }
      }
      if (targets.size() == 1) named = true;
      if (targets.empty()) {
        Turn turn;
        turn.language = speech_.language;
        turn.status = Status::kCannot;
        turn.reply = speech_.nothing_can(command);
        return finish(std::move(turn), command, {});
      }
    } else if (plural || scope.size() == 1 || (!category_ && !rooms.empty()) || ask_capable) {
      targets = scope;
    } else {
      // One of several: the room's own "<room> <word>" ("卧室灯", "Bedroom light"); else, in
      // Chinese, which marks no plural, all of them; else ask.
      std::vector<int> own;
      if (category_ && !rooms.empty()) {
        for (int index : scope) {
          const Device& device = home_.devices[static_cast<std::size_t>(index)];
          const Room* room = home_.room(device.room);
          if (!room) continue;
          for (const std::string& room_name : names_of(*room)) {
            for (const std::string& device_name : names_of(device)) {
              if (key_of(room_name) + category_->key == key_of(device_name)) own.push_back(index);
            }
          }
        }
      }
      std::sort(own.begin(), own.end());
      own.erase(std::unique(own.begin(), own.end()), own.end());
      if (own.size() == 1) {
        targets = own;
      } else if (!english && !rooms.empty()) {
        targets = scope;
      } else {
        ask_which = scope;
      }
    }
  } else if (!sentence.scenes.empty()) {
    targets.clear();
  } else if (last.valid && (frame.pronoun || follow_up || !frame.names_something())) {
    targets = indexes_of(last.targets);
    category_ = last.category;
    named = targets.size() == 1;
  }

  if (!ask_which.empty()) {
    Turn turn;
    turn.language = speech_.language;
    turn.status = Status::kClarify;
    state_.waiting = State::Waiting::kWhich;
    state_.pending = command;
    state_.pending_category = category_;
    state_.candidates = ask_which;
    turn.reply = speech_.which(command, ask_which);
    return finish(std::move(turn), command, ask_which);
  }
  if (targets.empty()) {
    Turn turn;
    turn.language = speech_.language;
    turn.status = Status::kCannot;
    turn.reply = speech_.which_device();
    return finish(std::move(turn), command, {});
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  if (command.intent == Intent::kQuery || command.intent == Intent::kList) {
    return ask_question(command, frame, targets, named);
  }
  return carry_out(command, targets, category_, named);
}

Turn Turner::run(const Frame& said) {
  Frame frame = said;
  // "the AC fan", "the purifier fan": a part of the named device, not another device
  // (even where some device is called "Fan").
  if (frame.devices.size() >= 2) {
    const auto& first = frame.devices.front();
    std::erase_if(frame.devices, [&](const detail::DeviceMention& mention) {
      if (&mention == &first || !mention.category) return false;
      bool first_is_one = std::any_of(first.devices.begin(), first.devices.end(), [&](int index) {
        return detail::in_category(home_.devices[static_cast<std::size_t>(index)], mention.category->category);
      });
      if (first_is_one) return false;
      frame.categories.push_back(*mention.category);
      return true;
    });
  }
  if (!frame.devices.empty()) {
    std::erase_if(frame.categories, [&](const CategoryMention& mention) {
      bool theirs = false;
      for (const auto& device : frame.devices) {
        for (int index : device.devices) {
          theirs = theirs || detail::in_category(home_.devices[static_cast<std::size_t>(index)], mention.category);
        }
      }
      if (theirs) return false;
      if (categories()[static_cast<std::size_t>(mention.category)].name == "fan" &&
          frame.attribute == Attribute::kNone) {
        frame.attribute = Attribute::kFanSpeed;
      }
      return true;
    });
  }
  // An answer to the question asked last turn.
  if (state_.waiting == State::Waiting::kYes) {
    state_.waiting = State::Waiting::kNothing;
    bool fresh = frame.verb != Cue::kFiller || frame.names_something();
    if ((frame.yes || frame.no || frame.cancel) && !fresh) {
      Command command = state_.pending;
      Turn turn;
      turn.language = speech_.language;
      if (frame.yes && !frame.no) {
        for (int index : state_.candidates) {
          auto planned = detail::plan(home_.devices[static_cast<std::size_t>(index)], command, "");
          if (planned) turn.operations.push_back(std::move(planned.value()));
        }
        turn.status = Status::kDone;
        turn.reply = speech_.done(command, state_.candidates, turn.operations);
      } else {
        turn.status = Status::kCancelled;
        turn.reply = speech_.declined(command, state_.candidates);
      }
      return finish(std::move(turn), command, state_.candidates);
    }
  }
  if (state_.waiting == State::Waiting::kWhich) {
    state_.waiting = State::Waiting::kNothing;
    if (answers_which(frame)) return answer_which(frame);
  }

  bool follow_up = false;
  std::optional<Command> command = command_of(frame, follow_up);
  if (!command) {
    Turn turn;
    turn.language = speech_.language;
    turn.status = Status::kNotUnderstood;
    turn.reply = speech_.not_understood();
    return turn;
  }
  if (command->intent == Intent::kCancelTimer) {
    Turn turn;
    turn.language = speech_.language;
    std::vector<int> named;
    for (const auto& mention : frame.devices) named.insert(named.end(), mention.devices.begin(), mention.devices.end());
    // "cancel the fan timer": the timers of the home's fans.
    for (const CategoryMention& category : frame.categories) {
      for (const PendingTimer& timer : context_.timers) {
        for (const std::string& id : timer.devices) {
          const Device* device = home_.device(id);
          if (device && detail::in_category(*device, category.category)) named.push_back(index_of(*device));
        }
      }
    }
    for (const PendingTimer& timer : context_.timers) {
      bool matches = named.empty();
      for (int index : named) {
        const std::string& id = home_.devices[static_cast<std::size_t>(index)].id;
        matches = matches || std::find(timer.devices.begin(), timer.devices.end(), id) != timer.devices.end();
      }
      if (!matches) continue;
      turn.cancel.push_back(timer.id);
    }
    turn.status = turn.cancel.empty() ? Status::kCannot : Status::kCancelled;
    turn.reply = turn.cancel.empty() ? speech_.no_timers() : speech_.timers_cancelled(turn.cancel.size());
    Turn done = finish(std::move(turn), *command, {});
    for (int index : named) done.targets.push_back(home_.devices[static_cast<std::size_t>(index)].id);
    std::sort(done.targets.begin(), done.targets.end());
    return done;
  }
  if (command->intent == Intent::kRunScene) {
    Turn turn;
    turn.language = speech_.language;
    Operation operation;
    operation.scene = home_.scenes[static_cast<std::size_t>(command->scene)].id;
    turn.operations.push_back(std::move(operation));
    if (command->delay_s > 0) {
      turn.status = Status::kScheduled;
      turn.delay_s = command->delay_s;
      turn.reply = speech_.scheduled(*command, {});
    } else {
      turn.status = Status::kDone;
      turn.reply = speech_.scene_run(command->scene);
    }
    return finish(std::move(turn), *command, {});
  }
  if (frame.unknown_place && frame.devices.empty() && frame.rooms.empty() && frame.floors.empty()) {
    // "the lights in the garage" where there is no garage: nothing, rather than every light.
    Turn turn;
    turn.language = speech_.language;
    turn.status = Status::kCannot;
    turn.reply = speech_.nothing_can(*command);
    return finish(std::move(turn), *command, {});
  }
  if (!frame.names_something() && !frame.pronoun && frame.implied.empty() && !state_.last.valid &&
      frame.unknown_words >= 2) {
    Turn turn;
    turn.language = speech_.language;
    turn.status = Status::kNotUnderstood;
    turn.reply = speech_.not_understood();
    return turn;
  }
  return resolve_and_run(*command, frame, follow_up);
}

}  // namespace

Turn respond(const Home& home, const Lexicon& lexicon, Conversation& conversation, std::string_view text,
             const Context& context) {
  Language language = has_han(text) ? Language::kChinese : Language::kEnglish;
  std::vector<Item> items = lexicon.read(tokenize(text));
  Frame frame = detail::read_frame(items, language);
  Turner turner(home, lexicon, conversation.state(), context, language);
  return turner.run(frame);
}

}  // namespace millet::assistant
