// Replies: what was done, asked or found, in the sentence's language.

#include <fmt/format.h>

#include <cmath>

#include "assistant/detail/reply.h"
#include "assistant/text.h"

namespace millet::assistant::detail {

namespace {

bool english(Language language) { return language == Language::kEnglish; }

// "Kitchen light" -> "kitchen light"; "TV" and "EV charger" keep their capitals.
std::string lower_name(const std::string& name) {
  std::string out = name;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find(' ', start);
    if (end == std::string::npos) end = out.size();
    bool acronym = end - start >= 2 && std::isupper(static_cast<unsigned char>(out[start + 1]));
    if (!acronym) {
      for (std::size_t i = start; i < end; ++i) out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
    }
    start = end + 1;
  }
  return out;
}

std::string chinese_name(const std::string& name, const std::vector<std::string>& aliases) {
  for (const std::string& alias : aliases) {
    if (has_han(alias)) return alias;
  }
  return name;
}

std::string capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

std::string number_text(double value) {
  if (std::fabs(value - std::round(value)) < 1e-9) return fmt::format("{}", static_cast<long long>(std::llround(value)));
  return fmt::format("{:.1f}", value);
}

// "a, b and c" / "a、b和c"; of alternatives, "a, b or c" / "a、b还是c".
std::string join(const std::vector<std::string>& parts, Language language, bool alternatives = false) {
  if (parts.empty()) return {};
  if (parts.size() == 1) return parts[0];
  std::string out;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (i > 0) out += english(language) ? ", " : "、";
    out += parts[i];
  }
  out += english(language) ? (alternatives ? " or " : " and ") : (alternatives ? "还是" : "和");
  out += parts.back();
  return out;
}

// The value a set operation carries, for "set ... to 50%".
std::optional<double> operation_value(std::span<const Operation> operations) {
  for (const Operation& operation : operations) {
    for (const auto& [name, value] : operation.set) {
      if (value.is_int64()) return static_cast<double>(value.as_int64());
      if (value.is_double()) return value.as_double();
    }
  }
  return std::nullopt;
}

}  // namespace

std::string Speech::device(int index) const {
  const Device& found = home.devices[static_cast<std::size_t>(index)];
  if (english(language)) return "the " + lower_name(found.name);
  return chinese_name(found.name, found.aliases);
}

std::string Speech::room(int index) const {
  const Room& found = home.rooms[static_cast<std::size_t>(index)];
  if (english(language)) return "the " + lower_name(found.name);
  return chinese_name(found.name, found.aliases);
}

std::string Speech::devices(std::span<const int> indexes) const {
  if (indexes.size() > 5) {
    return english(language) ? fmt::format("{} devices", indexes.size()) : fmt::format("{}个设备", indexes.size());
  }
  std::vector<std::string> names;
  for (int index : indexes) names.push_back(device(index));
  return join(names, language);
}

std::string Speech::done(const Command& command, std::span<const int> targets,
                         std::span<const Operation> operations) const {
  std::string who = devices(targets);
  std::optional<double> value = operation_value(operations);
  std::string shown = value ? number_text(*value) : "";
  bool en = english(language);
  switch (command.intent) {
    case Intent::kTurnOn: return en ? fmt::format("Turned on {}.", who) : fmt::format("已打开{}。", who);
    case Intent::kTurnOff: return en ? fmt::format("Turned off {}.", who) : fmt::format("已关闭{}。", who);
    case Intent::kOpen: return en ? fmt::format("Opened {}.", who) : fmt::format("已打开{}。", who);
    case Intent::kClose: return en ? fmt::format("Closed {}.", who) : fmt::format("已关上{}。", who);
    case Intent::kLock: return en ? fmt::format("Locked {}.", who) : fmt::format("已锁上{}。", who);
    case Intent::kUnlock: return en ? fmt::format("Unlocked {}.", who) : fmt::format("已打开{}的锁。", who);
    case Intent::kStart: return en ? fmt::format("Started {}.", who) : fmt::format("已启动{}。", who);
    case Intent::kPause: return en ? fmt::format("Paused {}.", who) : fmt::format("已暂停{}。", who);
    case Intent::kStop: return en ? fmt::format("Stopped {}.", who) : fmt::format("已停止{}。", who);
    case Intent::kDock:
      return en ? fmt::format("Sent {} back to its dock.", who) : fmt::format("{}正在回充。", who);
    case Intent::kSetBrightness:
      return en ? fmt::format("Set the brightness of {} to {}%.", who, shown)
                : fmt::format("已将{}的亮度调到{}%。", who, shown);
    case Intent::kSetColor: {
      const Color& color = colors()[static_cast<std::size_t>(command.color)];
      return en ? fmt::format("Set {} to {}.", who, color.name) : fmt::format("已将{}调成{}色。", who, color.chinese);
    }
    case Intent::kSetColorTemperature:
      return en ? fmt::format("Set the colour temperature of {} to {} K.", who, shown)
                : fmt::format("已将{}的色温调到{}K。", who, shown);
    case Intent::kSetTemperature:
      return en ? fmt::format("Set {} to {} °C.", who, shown) : fmt::format("已将{}调到{}度。", who, shown);
    case Intent::kSetHumidity:
      return en ? fmt::format("Set the humidity of {} to {}%.", who, shown)
                : fmt::format("已将{}的湿度调到{}%。", who, shown);
    case Intent::kSetMode: {
      std::string_view chinese = command.mode_matches.size() > 1 ? command.mode_matches[1] : command.mode;
      return en ? fmt::format("Set {} to {} mode.", who, command.mode)
                : fmt::format("已将{}切换到{}模式。", who, chinese);
    }
    case Intent::kSetFanSpeed:
      if (command.level_word >= 0) {
        const LevelWord& level = level_words()[static_cast<std::size_t>(command.level_word)];
        return en ? fmt::format("Set the speed of {} to {}.", who, level.name)
                  : fmt::format("已将{}调到{}档。", who, level.chinese);
      }
      return en ? fmt::format("Set the speed of {} to {}.", who, shown) : fmt::format("已将{}的风速调到{}。", who, shown);
    case Intent::kSetPosition:
      return en ? fmt::format("Set {} to {}% open.", who, shown) : fmt::format("已将{}打开到{}%。", who, shown);
    case Intent::kSetVolume:
      return en ? fmt::format("Set the volume of {} to {}%.", who, shown)
                : fmt::format("已将{}的音量调到{}%。", who, shown);
    default: return en ? "Done." : "好的。";
  }
}

namespace {

std::string duration_text(std::int64_t seconds, Language language) {
  bool en = english(language);
  auto unit = [&](std::int64_t count, std::string_view one, std::string_view many, std::string_view chinese) {
    return en ? fmt::format("{} {}", count, count == 1 ? one : many) : fmt::format("{}{}", count, chinese);
  };
  if (seconds % 3600 == 0) return unit(seconds / 3600, "hour", "hours", "小时");
  if (seconds % 60 == 0) return unit(seconds / 60, "minute", "minutes", "分钟");
  return unit(seconds, "second", "seconds", "秒");
}

std::string_view verb_phrase(Intent intent, Language language) {
  bool en = english(language);
  switch (intent) {
    case Intent::kTurnOn: return en ? "turn on" : "打开";
    case Intent::kTurnOff: return en ? "turn off" : "关闭";
    case Intent::kOpen: return en ? "open" : "打开";
    case Intent::kClose: return en ? "close" : "关上";
    case Intent::kLock: return en ? "lock" : "锁上";
    case Intent::kUnlock: return en ? "unlock" : "打开";
    case Intent::kStart: return en ? "start" : "启动";
    case Intent::kPause: return en ? "pause" : "暂停";
    case Intent::kStop: return en ? "stop" : "停止";
    case Intent::kDock: return en ? "send back to its dock" : "让回充";
    default: return en ? "adjust" : "调节";
  }
}

// What a device lacks, for "the hall light has no brightness control".
std::string_view lack(Intent intent, Language language) {
  bool en = english(language);
  switch (intent) {
    case Intent::kSetBrightness: return en ? "has no brightness control" : "不能调节亮度";
    case Intent::kSetColor: return en ? "has no color" : "不能调颜色";
    case Intent::kSetColorTemperature: return en ? "has no color temperature" : "不能调色温";
    case Intent::kSetTemperature: return en ? "has no temperature setting" : "不能调温度";
    case Intent::kSetHumidity: return en ? "has no humidity setting" : "不能调湿度";
    case Intent::kSetMode: return en ? "has no such mode" : "没有这个模式";
    case Intent::kSetFanSpeed: return en ? "has no speed setting" : "不能调风速";
    case Intent::kSetPosition: return en ? "cannot be set to a position" : "不能调开合位置";
    case Intent::kSetVolume: return en ? "has no volume" : "不能调音量";
    case Intent::kTurnOn: return en ? "cannot be turned on" : "不能打开";
    case Intent::kTurnOff: return en ? "cannot be turned off" : "不能关闭";
    case Intent::kOpen: return en ? "cannot be opened" : "不能打开";
    case Intent::kClose: return en ? "cannot be closed" : "不能关上";
    case Intent::kLock: return en ? "cannot be locked" : "不能上锁";
    case Intent::kUnlock: return en ? "cannot be unlocked" : "不能开锁";
    case Intent::kStart: return en ? "cannot be started" : "不能启动";
    case Intent::kPause: return en ? "cannot be paused" : "不能暂停";
    case Intent::kStop: return en ? "cannot be stopped" : "不能停止";
    case Intent::kDock: return en ? "has no dock" : "没有回充功能";
    case Intent::kQuery: return en ? "does not report that" : "没有这项数据";
    default: return en ? "cannot do that" : "做不到";
  }
}

}  // namespace

std::string Speech::scheduled(const Command& command, std::span<const int> targets) const {
  std::string when = duration_text(command.delay_s, language);
  if (command.intent == Intent::kRunScene) {
    const Scene& scene = home.scenes[static_cast<std::size_t>(command.scene)];
    return english(language) ? fmt::format("OK, the {} scene will run in {}.", scene.name, when)
                             : fmt::format("好的，{}后执行场景“{}”。", when, scene.name);
  }
  if (english(language)) {
    return fmt::format("OK, I'll {} {} in {}.", verb_phrase(command.intent, language), devices(targets), when);
  }
  return fmt::format("好的，{}后{}{}。", when, verb_phrase(command.intent, language), devices(targets));
}

std::string Speech::cannot(const Command& command, int index, const Problem& problem) const {
  std::string who = device(index);
  bool en = english(language);
  switch (problem.kind) {
    case Problem::Kind::kOutOfRange:
      return en ? fmt::format("{} takes {} to {}{}.", capitalised(who), number_text(problem.min),
                              number_text(problem.max), problem.unit.empty() ? "" : " " + problem.unit)
                : fmt::format("{}的范围是{}到{}{}。", who, number_text(problem.min), number_text(problem.max), problem.unit);
    case Problem::Kind::kUnknownValue: return unknown_value(index);
    case Problem::Kind::kNoSuchMode:
      return en ? fmt::format("{} has no such setting.", capitalised(who)) : fmt::format("{}没有这个模式。", who);
    case Problem::Kind::kUnsupported: break;
  }
  return en ? fmt::format("{} {}.", capitalised(who), lack(command.intent, language))
            : fmt::format("{}{}。", who, lack(command.intent, language));
}

std::string Speech::nothing_can(const Command& command) const {
  return english(language) ? fmt::format("Nothing there can {}.", verb_phrase(command.intent, language))
                           : fmt::format("那里没有能{}的设备。", verb_phrase(command.intent, language));
}

std::string Speech::unknown_value(int index) const {
  return english(language) ? fmt::format("I don't know the current setting of {}.", device(index))
                           : fmt::format("不知道{}现在的设置。", device(index));
}

std::string Speech::which(const Command&, std::span<const int> candidates) const {
  // Name each by its room when that tells them apart, else by name.
  std::vector<std::string> options;
  bool by_room = true;
  for (std::size_t i = 0; i < candidates.size() && by_room; ++i) {
    const Device& a = home.devices[static_cast<std::size_t>(candidates[i])];
    if (a.room.empty()) by_room = false;
    for (std::size_t j = 0; j < i; ++j) {
      if (home.devices[static_cast<std::size_t>(candidates[j])].room == a.room) by_room = false;
    }
  }
  for (int index : candidates) {
    const Device& candidate = home.devices[static_cast<std::size_t>(index)];
    if (by_room) {
      const Room* place = home.room(candidate.room);
      int room_index = static_cast<int>(place - home.rooms.data());
      options.push_back(english(language) ? "the one in " + room(room_index) : room(room_index) + "的");
    } else {
      options.push_back(device(index));
    }
  }
  std::string list = join(options, language, /*alternatives=*/true);
  return english(language) ? fmt::format("Which one: {}?", list) : fmt::format("哪一个：{}？", list);
}

std::string Speech::which_device() const {
  return english(language) ? "Which device do you mean?" : "你要控制哪个设备？";
}

std::string Speech::confirm(const Command& command, std::span<const int> targets) const {
  (void)command;
  return english(language) ? fmt::format("Unlock {}? Say yes to confirm.", devices(targets))
                           : fmt::format("确定要打开{}的锁吗？请说“确认”。", devices(targets));
}

std::string Speech::declined(const Command& command, std::span<const int> targets) const {
  return english(language)
             ? fmt::format("OK, I won't {} {}.", verb_phrase(command.intent, language), devices(targets))
             : fmt::format("好的，不{}{}了。", verb_phrase(command.intent, language), devices(targets));
}

std::string Speech::timers_cancelled(std::size_t count) const {
  return english(language) ? fmt::format("Cancelled {} timer{}.", count, count == 1 ? "" : "s")
                           : fmt::format("已取消{}个定时。", count);
}

std::string Speech::no_timers() const { return english(language) ? "There are no timers to cancel." : "没有可取消的定时。"; }

std::string Speech::not_understood() const {
  return english(language) ? "Sorry, I didn't understand that." : "抱歉，我没听懂。";
}

std::string Speech::scene_run(int scene) const {
  const Scene& found = home.scenes[static_cast<std::size_t>(scene)];
  return english(language) ? fmt::format("Running the {} scene.", found.name)
                           : fmt::format("已执行场景“{}”。", chinese_name(found.name, found.aliases));
}

namespace {

std::string reading_text(const Reading& reading, Language language) {
  const spec::Property& property = *reading.spec;
  if (const std::string* text = std::get_if<std::string>(&reading.value); text && text->empty()) {
    return english(language) ? "unknown" : "未知";
  }
  auto number = number_of(reading.value);
  if (!property.values.empty() && number) {
    for (const auto& entry : property.values) {
      if (entry.value == static_cast<std::int64_t>(*number)) {
        return english(language) ? lower_name(entry.description.en) : entry.description.zh;
      }
    }
  }
  if (property.format == spec::Format::kBool && number) {
    return english(language) ? (*number ? "yes" : "no") : (*number ? "是" : "否");
  }
  if (property.unit == "rgb" && number) return fmt::format("#{:06X}", static_cast<unsigned>(*number));
  if (!number) return spec::to_text(reading.value);
  std::string unit = property.unit == "percentage" ? "%"
                     : property.unit == "celsius"  ? " °C"
                     : property.unit == "kelvin"   ? " K"
                     : property.unit == "ug-per-m3" ? " µg/m³"
                     : property.unit.empty()       ? ""
                                                   : " " + property.unit;
  if (!english(language) && property.unit == "celsius") unit = "°C";
  return number_text(*number) + unit;
}

std::string_view state_word(Ask ask, bool yes, Language language) {
  bool en = english(language);
  switch (ask) {
    case Ask::kOn: return en ? (yes ? "on" : "off") : (yes ? "开着" : "关着");
    case Ask::kLocked: return en ? (yes ? "locked" : "unlocked") : (yes ? "锁着" : "没锁");
    case Ask::kOpen: return en ? (yes ? "open" : "closed") : (yes ? "开着" : "关着");
    default: return "";
  }
}

}  // namespace

std::string Speech::answer(Ask ask, Attribute attribute, std::span<const int> targets,
                           std::span<const std::optional<Reading>> readings, bool negated) const {
  (void)attribute;
  bool en = english(language);
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto& reading = readings[i];
    if (!reading) continue;
    std::string who = device(targets[i]);
    if (ask == Ask::kAttribute) {
      parts.push_back(en ? fmt::format("{} is {}", who, reading_text(*reading, language))
                         : fmt::format("{}是{}", who, reading_text(*reading, language)));
      continue;
    }
    std::optional<bool> yes = says_yes(ask, *reading);
    if (!yes) {
      parts.push_back(en ? fmt::format("I don't know whether {} is {}", who, state_word(ask, true, language))
                         : fmt::format("不知道{}的状态", who));
      continue;
    }
    bool agrees = *yes != negated;
    parts.push_back(en ? fmt::format("{}, {} is {}", agrees ? "Yes" : "No", who, state_word(ask, *yes, language))
                       : fmt::format("{}，{}{}", agrees ? "是的" : "没有", who, state_word(ask, *yes, language)));
  }
  if (parts.empty()) return en ? "I don't know." : "不知道。";
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += en ? "; " : "；";
    out += parts[i];
  }
  if (en) out = capitalised(out);
  return out + (en ? "." : "。");
}

std::string Speech::listed(Cue state, std::span<const int> matching, std::span<const int> looked_at) const {
  bool en = english(language);
  std::string_view word;
  switch (state) {
    case Cue::kStateOn: word = en ? "on" : "开着"; break;
    case Cue::kStateOff: word = en ? "off" : "关着"; break;
    case Cue::kStateOpen: word = en ? "open" : "开着"; break;
    case Cue::kStateClosed: word = en ? "closed" : "关着"; break;
    case Cue::kStateLocked: word = en ? "locked" : "锁着"; break;
    default: word = en ? "unlocked" : "没锁"; break;
  }
  if (matching.empty()) {
    return en ? fmt::format("None of {} is {}.", devices(looked_at), word)
              : fmt::format("没有{}的设备。", word);
  }
  std::vector<std::string> names;
  for (int index : matching) names.push_back(device(index));
  return en ? fmt::format("{} {} {}.", capitalised(join(names, language)), matching.size() == 1 ? "is" : "are", word)
            : fmt::format("{}的有：{}。", word, join(names, language));
}

std::string Speech::outcome(int index, std::string_view device_id, Outcome outcome, std::string_view why) const {
  const bool en = english(language);
  const std::string name = capitalised(index >= 0 ? device(index) : std::string(device_id));
  switch (outcome) {
    case Outcome::kNoAnswer:
      return en ? fmt::format("{} did not answer.", name) : fmt::format("{}没有回应。", name);
    case Outcome::kQueued:
      return en ? fmt::format("{} is offline; it will do it when it is back.", name)
                : fmt::format("{}离线了，上线后会执行。", name);
    case Outcome::kOffline:
      return en ? fmt::format("{} is offline.", name) : fmt::format("{}离线了。", name);
    case Outcome::kRefused:
      break;
  }
  return en ? fmt::format("{} could not: {}.", name, why) : fmt::format("{}没有执行：{}。", name, why);
}

}  // namespace millet::assistant::detail

namespace millet::assistant {

std::string outcome_reply(const Home& home, Language language, std::string_view device_id, Outcome outcome,
                          std::string_view why) {
  const Device* device = home.device(device_id);
  const int index = device ? static_cast<int>(device - home.devices.data()) : -1;
  return detail::Speech{home, language}.outcome(index, device_id, outcome, why);
}

}  // namespace millet::assistant
