// Reading a sentence's items into a Frame: which verbs, values, durations,
// names and question words it holds. No decision about the intent is made
// here beyond recording what was said (see assistant.cc).

#include <cmath>

#include "assistant/detail/frame.h"

namespace millet::assistant::detail {

namespace {

bool is_time_unit(const Item& item) {
  return item.has(Cue::kSecond) || item.has(Cue::kMinute) || item.has(Cue::kHour) ||
         (item.has(Cue::kQuarter) && !item.has(Cue::kFiller));
}

double unit_seconds(const Item& item) {
  if (item.has(Cue::kHour)) return 3600;
  if (item.has(Cue::kMinute)) return 60;
  if (item.has(Cue::kQuarter)) return 900;
  return 1;
}

// A number said in words: "twenty five", "a hundred".
bool number_word(const Item& item, double& value) {
  if (const Meaning* meaning = item.find(Cue::kNumberWord)) {
    value = meaning->value;
    return true;
  }
  return false;
}

}  // namespace

Frame read_frame(const std::vector<Item>& items, Language language) {
  Frame frame;
  frame.language = language;
  std::optional<double> pending;  // a number not yet placed
  bool pending_percent_first = false;  // 百分之 before the number
  bool pending_half = false;           // "half" right before a unit: "半小时", "一个半小时"
  std::optional<double> duration;

  auto take_value = [&] {
    if (pending && !frame.number) frame.number = pending;
    pending.reset();
  };

  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    frame.mended = frame.mended || item.mended;
    const Item* next = i + 1 < items.size() ? &items[i + 1] : nullptr;
    const Item* before = i > 0 ? &items[i - 1] : nullptr;

    if (item.is_number) {
      if (pending && !duration) take_value();
      pending = item.number;
      if (pending_percent_first) {
        frame.unit = Cue::kPercent;
        pending_percent_first = false;
      }
      continue;
    }
    if (item.meanings.empty()) {
      ++frame.unknown_words;
      // "in the garage" in a home without one.
      if (before && (before->has(Cue::kIn) || (before->key == "the" && i >= 2 && items[i - 2].has(Cue::kIn)))) {
        frame.unknown_place = true;
      }
      // "车库灯", "书房的灯" in a home without that room: unknown characters before a kind or 的.
      if (language == Language::kChinese && before && before->meanings.empty() && !before->is_number && next &&
          (next->has(Cue::kCategory) || next->key == "的")) {
        frame.unknown_place = true;
      }
      continue;
    }
    double word_number = 0;
    // "one" is a number before a unit or after "to"/"level" ("set it to one"); else "the bedroom one".
    bool number_like = number_word(item, word_number);
    if (number_like && item.has(Cue::kOne)) {
      bool before_unit = next && (is_time_unit(*next) || next->has(Cue::kPercent) || next->has(Cue::kDegree) ||
                                  next->has(Cue::kHalf));
      bool after_setting = before && (before->has(Cue::kTo) || before->has(Cue::kSet) || before->has(Cue::kBy) ||
                                      before->has(Cue::kAttribute) || before->has(Cue::kIn));
      if (!before_unit && !after_setting) number_like = false;
    }
    if (number_like && word_number >= 0 && !item.has(Cue::kFirst)) {
      if (pending && *pending >= 20 && *pending < 100 && word_number < 10 && std::fmod(*pending, 10) == 0) {
        *pending += word_number;  // twenty five
      } else if (pending && word_number == 100 && *pending < 10) {
        *pending *= 100;  // two hundred
      } else {
        if (pending && !duration) take_value();
        pending = word_number;
      }
      continue;
    }
    if (number_like && word_number < 0) {
      // "minimum" is -1, "max" -2: as far as the property goes.
      (word_number == -1 ? frame.extreme_low : frame.extreme_high) = true;
      continue;
    }

    // Names first: a name is what the words mean.
    if (item.find(Meaning::Source::kDevice)) {
      DeviceMention mention;
      mention.key = item.key;
      for (const Meaning& meaning : item.meanings) {
        if (meaning.source == Meaning::Source::kDevice) mention.devices.push_back(meaning.value);
        // "窗帘" may be one curtain's alias and every curtain's word.
        if (meaning.source == Meaning::Source::kWord && meaning.cue == Cue::kCategory) {
          mention.category = CategoryMention{meaning.value, meaning.plural, item.key};
        }
        if (meaning.source == Meaning::Source::kWord && meaning.cue != Cue::kCategory) {
          frame.plural_name = frame.plural_name || meaning.plural;
        }
      }
      bool plural = item.find(Meaning::Source::kDevice)->plural;
      if (plural && mention.category) {
        // "the curtains": every curtain, though one is called "Curtain".
        frame.categories.push_back(*mention.category);
        continue;
      }
      frame.plural_name = frame.plural_name || plural;
      frame.devices.push_back(std::move(mention));
      continue;
    }
    if (const Meaning* room = item.find(Meaning::Source::kRoom)) {
      frame.rooms.push_back(room->value);
      continue;
    }
    if (const Meaning* floor = item.find(Meaning::Source::kFloor)) {
      frame.floors.push_back(floor->value);
      continue;
    }
    if (const Meaning* scene = item.find(Meaning::Source::kScene)) {
      frame.scenes.push_back(scene->value);
      continue;
    }

    bool decided = false;  // a word with several meanings says one thing, and may also name a kind
    for (const Meaning& meaning : item.meanings) {
      bool decisive = meaning.cue != Cue::kCategory && meaning.cue != Cue::kModeWord && meaning.cue != Cue::kWarm &&
                      meaning.cue != Cue::kCool && meaning.cue != Cue::kAttribute && meaning.cue != Cue::kLevelWord &&
                      meaning.cue != Cue::kOne && meaning.cue != Cue::kImplied && meaning.cue != Cue::kFiller &&
                      meaning.cue != Cue::kNumberWord;
      if (decisive && decided) continue;
      decided = decided || decisive;
      // "on the first floor": a preposition, not a verb.
      if (meaning.cue == Cue::kOn && item.key == "on" && next &&
          (next->key == "the" || next->find(Meaning::Source::kRoom) || next->find(Meaning::Source::kDevice))) {
        continue;
      }
      switch (meaning.cue) {
        case Cue::kOn:
        case Cue::kOff:
        case Cue::kOpen:
        case Cue::kClose:
        case Cue::kLock:
        case Cue::kUnlock:
        case Cue::kStart:
        case Cue::kPause:
        case Cue::kStop:
        case Cue::kDock:
          // The first verb rules; "turn on ... on" says it twice.
          if (frame.verb == Cue::kFiller) frame.verb = meaning.cue;
          break;
        case Cue::kRun: frame.verb = frame.verb == Cue::kFiller ? Cue::kRun : frame.verb; break;
        case Cue::kSceneWord: frame.scene_word = true; break;
        case Cue::kSet: frame.set_word = true; break;
        case Cue::kTo: frame.to_word = true; break;
        case Cue::kBy: frame.by_word = true; break;
        case Cue::kUp:
        case Cue::kDown:
          frame.direction = meaning.cue == Cue::kUp ? 1 : -1;
          if (meaning.value) frame.direction_attribute = static_cast<Attribute>(meaning.value);
          break;
        case Cue::kBit: frame.bit = true; break;
        case Cue::kLot: frame.lot = true; break;
        case Cue::kMore: frame.more = true; break;
        case Cue::kAttribute:
          if (frame.attribute == Attribute::kNone || frame.attribute == Attribute::kMode) {
            frame.attribute = static_cast<Attribute>(meaning.value);
          }
          break;
        case Cue::kColor: frame.color = meaning.value; break;
        case Cue::kModeWord: frame.mode_words.push_back(meaning.value); break;
        case Cue::kLevelWord: frame.level_word = meaning.value; break;
        case Cue::kWarm: frame.warmth = meaning.value == 1 ? 1 : 0; break;
        case Cue::kCool: frame.warmth = 2; break;
        case Cue::kPercent:
          if (pending || frame.number) {
            frame.unit = Cue::kPercent;
          } else {
            pending_percent_first = true;
          }
          break;
        case Cue::kDegree: frame.unit = Cue::kDegree; break;
        case Cue::kKelvin:
          if (pending || frame.number) frame.unit = Cue::kKelvin;
          break;
        case Cue::kSecond:
        case Cue::kMinute:
        case Cue::kHour:
        case Cue::kQuarter: {
          if (meaning.cue == Cue::kQuarter && !pending) {
            // "a quarter of an hour"
            std::size_t k = i + 1;
            while (k < items.size() && items[k].has(Cue::kFiller) && !is_time_unit(items[k])) ++k;
            if (k < items.size() && items[k].has(Cue::kHour)) {
              pending = 0.25;
              break;
            }
          }
          double count = pending ? *pending : 1;
          if (pending_half) count = (pending ? *pending : 0) + 0.5;
          pending.reset();
          pending_half = false;
          duration = duration.value_or(0) + count * unit_seconds(item);
          break;
        }
        case Cue::kHalf:
          if (next && is_time_unit(*next)) {
            pending_half = true;
          } else if (duration && before && is_time_unit(*before)) {
            // "an hour and a half"
            *duration += 0.5 * unit_seconds(*before);
          } else if (next && next->has(Cue::kFiller) && i + 2 < items.size() && is_time_unit(items[i + 2])) {
            pending = 0.5;  // "half an hour"
          } else {
            frame.half = true;
          }
          break;
        case Cue::kIn:
        case Cue::kLater: break;  // a duration is a delay with or without them
        case Cue::kTimer: frame.timer = true; break;
        case Cue::kCancel: frame.cancel = true; break;
        case Cue::kAll: frame.all = true; break;
        case Cue::kEverything: frame.everything = true; break;
        case Cue::kQuestion: frame.question = true; break;
        case Cue::kRequest: frame.request = true; break;
        case Cue::kWhich: frame.which = true; break;
        case Cue::kAny: frame.any = true; break;
        case Cue::kHere: frame.here = true; break;
        case Cue::kPronoun:
          frame.pronoun = true;
          frame.plural_pronoun = frame.plural_pronoun || meaning.plural;
          break;
        case Cue::kToo: frame.too = true; break;
        case Cue::kYes: frame.yes = true; break;
        case Cue::kNo: frame.no = true; break;
        case Cue::kBoth: frame.both = true; break;
        case Cue::kOne: frame.one = true; break;
        case Cue::kFirst: frame.ordinal = meaning.value; break;
        case Cue::kNot: frame.negated = true; break;
        case Cue::kStateOn:
        case Cue::kStateOff:
        case Cue::kStateOpen:
        case Cue::kStateClosed:
        case Cue::kStateLocked:
        case Cue::kStateUnlocked: frame.state = meaning.cue; break;
        case Cue::kCategory: {
          bool seen = false;
          for (const CategoryMention& known : frame.categories) seen = seen || known.category == meaning.value;
          if (!seen) frame.categories.push_back(CategoryMention{meaning.value, meaning.plural, item.key});
          break;
        }
        case Cue::kImplied: frame.implied.push_back(meaning.value); break;
        case Cue::kFloorWord: frame.unknown_place = true; break;
        case Cue::kNumberWord:
        case Cue::kFiller: break;
      }
    }
  }
  // "关了没有", "锁了没": a question.
  for (std::size_t i = items.size(); i-- > 0;) {
    if (items[i].meanings.empty() || items[i].has(Cue::kFiller) || items[i].has(Cue::kQuestion)) continue;
    if (items[i].has(Cue::kNot) && language == Language::kChinese) frame.question = true, frame.negated = false;
    break;
  }
  if (pending) {
    if (pending_half) {
      *pending += 0.5;
    }
    take_value();
  }
  if (duration && *duration > 0) frame.delay_s = std::round(*duration);
  return frame;
}

}  // namespace millet::assistant::detail
