#pragma once
// What a sentence says before it is resolved against the home (the Frame),
// the command it becomes (the Command), and what a conversation remembers.
// Internal to src/assistant.

#include <optional>
#include <string>
#include <vector>

#include "assistant/assistant.h"
#include "assistant/lexicon.h"
#include "assistant/words.h"

namespace millet::assistant::detail {

// A device named in the sentence: every device the name fits (one, unless
// several devices share it).
struct CategoryMention {
  int category = -1;
  bool plural = false;
  std::string key;  // the word as said: "light", "灯"
};

struct DeviceMention {
  std::vector<int> devices;
  std::string key;                          // the name as said
  std::optional<CategoryMention> category;  // the name is also a category's word
};

struct Frame {
  Language language = Language::kEnglish;

  Cue verb = Cue::kFiller;  // kOn, kOff, kOpen, kClose, kLock, kUnlock, kStart, kPause, kStop, kDock, kRun
  bool set_word = false;    // set, make, 调到
  bool to_word = false;     // "to" before a value
  bool by_word = false;     // "by" before a change
  int direction = 0;        // +1 up, -1 down
  Attribute direction_attribute = Attribute::kNone;  // "brighter" says brightness
  Attribute attribute = Attribute::kNone;            // said outright
  bool bit = false, lot = false, more = false;

  std::optional<double> number;  // a value, not a duration
  Cue unit = Cue::kFiller;       // kPercent, kDegree, kKelvin
  bool half = false;             // "halfway", 一半 (not of a duration)
  bool extreme_high = false, extreme_low = false;  // max, minimum
  std::optional<double> delay_s;

  int color = -1;                // colors()
  int warmth = -1;               // 0 warm, 1 neutral, 2 cool
  std::vector<int> mode_words;   // Lexicon::mode(), in order
  int level_word = -1;           // level_words()

  bool request = false;  // "can you ...": a command, even with a question mark
  bool question = false, which = false, any = false, negated = false;
  Cue state = Cue::kFiller;  // kStateOn .. kStateUnlocked

  bool all = false, everything = false, here = false, pronoun = false, plural_pronoun = false, too = false;
  bool yes = false, no = false, both = false, one = false, cancel = false, timer = false, scene_word = false;
  int ordinal = 0;

  std::vector<DeviceMention> devices;
  std::vector<int> rooms;
  std::vector<int> floors;
  std::vector<int> scenes;
  std::vector<CategoryMention> categories;
  std::vector<int> implied;  // categories the verbs imply ("锁门")
  bool plural_name = false;  // a device named in the plural ("ceiling lights")

  std::size_t unknown_words = 0;
  bool unknown_place = false;  // a place the home does not have ("in the garage", "upstairs")
  bool mended = false;

  bool names_something() const {
    return !devices.empty() || !rooms.empty() || !floors.empty() || !categories.empty() || here || everything;
  }
};

// Reads the items of a sentence into a frame.
Frame read_frame(const std::vector<Item>& items, Language language);

// A command: the intent with its parameters, before or after its targets are found.
struct Command {
  Intent intent = Intent::kUnknown;
  Attribute attribute = Attribute::kNone;  // set_* and query: which one
  std::optional<double> value;
  std::optional<double> delta;
  int color = -1;
  std::string mode;                       // Lexicon::mode(...).english
  std::vector<std::string> mode_matches;  // the descriptions it matches
  std::string level;    // level_words()[...].name
  int level_word = -1;
  Cue state = Cue::kFiller;  // list
  int scene = -1;
  std::int64_t delay_s = 0;
  bool extreme_high = false, extreme_low = false;
};

// What the last command was about, for follow-ups.
struct Remembered {
  Command command;
  std::vector<std::string> targets;
  std::optional<CategoryMention> category;
  std::vector<int> rooms;
  bool valid = false;
};

}  // namespace millet::assistant::detail

namespace millet::assistant {

struct Conversation::State {
  detail::Remembered last;
  // A question asked, waiting for its answer.
  enum class Waiting { kNothing, kWhich, kYes } waiting = Waiting::kNothing;
  detail::Command pending;
  std::vector<int> candidates;  // device indexes (kWhich) or the targets (kYes)
  std::optional<detail::CategoryMention> pending_category;
};

}  // namespace millet::assistant
