#pragma once
// The assistant's vocabulary in English and Chinese: what each grammar word
// means (words.cc holds the tables). Names from the home — devices, rooms,
// floors, scenes — are added to these by the Lexicon (lexicon.h).

#include <cstdint>
#include <span>
#include <string_view>

namespace millet::assistant {

// What a word says.
enum class Cue : std::uint8_t {
  kFiller,      // known and meaningless here: "the", "please", "把", "一下"
  kRequest,     // can you, 能不能: a command asked politely, not a question
  kOn,          // turn on, 打开, 开
  kOff,         // turn off, 关掉
  kOpen,        // open, 拉开
  kClose,       // close, 拉上
  kLock,
  kUnlock,
  kStart,
  kPause,
  kStop,
  kDock,
  kRun,         // run / activate (scenes)
  kSceneWord,   // "scene", 场景, 模式 after a scene name
  kSet,         // set, make, change, 调到, 设置
  kTo,          // "to" before a value
  kBy,          // "by" before a change
  kUp,          // increase, raise, turn up, 调高, 加大 (value: the attribute it implies, or kNone)
  kDown,        // decrease, lower, turn down, 调低
  kBit,         // a bit, slightly, 一点
  kLot,         // a lot, much more
  kMore,        // more, 再
  kAttribute,   // value: Attribute
  kColor,       // value: index into colors()
  kModeWord,    // value: index into mode_words()
  kLevelWord,   // value: index into level_words()
  kWarm,        // warm (colour temperature), 暖
  kCool,        // cool / cold white, 冷
  kPercent,     // %, percent, 百分之 (before the number in Chinese)
  kDegree,      // degrees, °, 度
  kKelvin,      // K, kelvin
  kSecond,      // time units
  kMinute,
  kHour,
  kHalf,        // half, 半
  kQuarter,     // quarter
  kIn,          // in (10 minutes), 过 (十分钟)
  kLater,       // later, from now, 后, 以后
  kTimer,       // timer, 定时
  kCancel,      // cancel, 取消
  kAll,         // all, every, 所有, 全部
  kEverything,  // everything, 全部设备
  kQuestion,    // what, is, 吗, 多少
  kWhich,       // which, 哪些
  kAny,         // any, 有没有
  kHere,        // here, 这里
  kPronoun,     // it, them, 它
  kToo,         // too, also, as well, 也
  kYes,
  kNo,
  kBoth,        // both, 都
  kOne,         // "one" in "the bedroom one", 那个
  kFirst,       // ordinals: value 1, 2, 3
  kNot,         // not, 没, 没有
  kStateOn,     // "on" as a state in a question ("which lights are on"), 开着, 亮着
  kStateOff,
  kStateOpen,
  kStateClosed,
  kStateLocked,
  kStateUnlocked,
  kCategory,    // value: index into categories()
  kFloorWord,   // upstairs, 楼下: a floor, in a home that may have none
  kImplied,     // value: a category the word implies when nothing else is named ("锁门": a lock)
  kNumberWord,  // value: the number ("twenty")
};

enum class Attribute : std::uint8_t {
  kNone,
  kBrightness,
  kColor,
  kColorTemperature,
  kTemperature,  // a target when set, the measured one when asked
  kTargetTemperature,
  kHumidity,
  kMode,
  kFanSpeed,
  kPosition,
  kVolume,
  kBattery,
  kPm25,
  kAirQuality,
  kPower,
  kStatus,
  kOnline,
};
std::string_view attribute_name(Attribute attribute);  // "brightness", "color_temperature", ...

struct Word {
  std::string_view phrase;
  Cue cue;
  int value = 0;
  bool plural = false;  // "lights", "fans"
};
std::span<const Word> words();

// A kind of device people name with a word: "light", "灯".
struct Category {
  std::string_view name;                      // "light"
  std::string_view english;                   // "light", for replies
  std::string_view chinese;                   // "灯"
  std::span<const std::string_view> types;    // catalog categories that are of it
  std::string_view service;                   // the service it means in a type with several ("fan-control"); empty: any
  std::span<const std::string_view> in_names;  // a device whose name holds one of these is of it too
};
std::span<const Category> categories();
inline constexpr int kLightCategory = 0;  // categories()[kLightCategory] is "light"

struct Color {
  std::string_view name;  // "red"
  std::uint32_t rgb = 0;
  std::string_view chinese;
};
std::span<const Color> colors();

// A mode as people say it, matched against the spec's value lists by English
// description ("cool") or Chinese description ("制冷").
struct ModeWord {
  std::string_view english;                    // "cool": the parameter's value
  std::span<const std::string_view> matches;   // descriptions it matches, lower case (en and zh)
};
std::span<const ModeWord> mode_words();

// A fan or heat level: "low" .. "high", "auto", "max".
struct LevelWord {
  std::string_view name;    // the parameter's value
  int rank = 0;             // 1 lowest .. 3 highest; 0 auto; 4 highest there is
  std::string_view chinese;
};
std::span<const LevelWord> level_words();

}  // namespace millet::assistant
