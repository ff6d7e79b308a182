#include "assistant/lexicon.h"

#include <algorithm>

namespace millet::assistant {

bool Item::has(Cue cue) const { return find(cue) != nullptr; }

const Meaning* Item::find(Cue cue) const {
  for (const Meaning& meaning : meanings) {
    if (meaning.source == Meaning::Source::kWord && meaning.cue == cue) return &meaning;
  }
  return nullptr;
}

const Meaning* Item::find(Meaning::Source source) const {
  for (const Meaning& meaning : meanings) {
    if (meaning.source == source) return &meaning;
  }
  return nullptr;
}

namespace {

bool all_han(std::span<const Token> tokens) {
  return !tokens.empty() &&
         std::all_of(tokens.begin(), tokens.end(), [](const Token& t) { return t.kind == Token::Kind::kHan; });
}

// Chinese numeral characters from `i` on, with "点" between digits: how many
// tokens, and the value (none: not a numeral).
std::size_t chinese_numeral_at(std::span<const Token> tokens, std::size_t i, double& value) {
  std::size_t end = i;
  std::string text;
  while (end < tokens.size() && tokens[end].kind == Token::Kind::kHan) {
    if (is_chinese_digit(tokens[end].text)) {
      text += tokens[end].text;
      ++end;
    } else if (tokens[end].text == "点" && end > i && end + 1 < tokens.size() &&
               is_chinese_digit(tokens[end + 1].text) && text.find("点") == std::string::npos) {
      text += "点";
      ++end;
    } else {
      break;
    }
  }
  if (end == i) return 0;
  auto number = chinese_number(text);
  if (!number) return 0;
  value = *number;
  return end - i;
}

}  // namespace

void Lexicon::add(const std::string& phrase, Meaning meaning) {
  std::vector<Token> tokens = tokenize(phrase);
  if (tokens.empty()) return;
  std::string key;
  for (const Token& token : tokens) key += token.text;
  std::vector<Meaning>& meanings = entries_[key];
  for (const Meaning& known : meanings) {
    if (known.source == meaning.source && known.cue == meaning.cue && known.value == meaning.value) return;
  }
  meanings.push_back(meaning);
  longest_ = std::max(longest_, tokens.size());
}

void Lexicon::index_for_mending(const Token& token) {
  if (token.kind != Token::Kind::kWord || token.text.size() < 4) return;
  auto index_under = [&](const std::string& key) {
    auto& list = deletions_[key];
    if (std::find(list.begin(), list.end(), token.text) == list.end()) list.push_back(token.text);
  };
  index_under(token.text);
  for (std::size_t k = 0; k < token.text.size(); ++k) index_under(token.text.substr(0, k) + token.text.substr(k + 1));
}

Lexicon::Lexicon(const Home& home) {
  for (const Word& word : words()) {
    add(std::string(word.phrase), Meaning{Meaning::Source::kWord, word.cue, word.value, word.plural});
  }
  for (const ModeWord& word : mode_words()) {
    modes_.push_back(ModeName{std::string(word.english), {word.matches.begin(), word.matches.end()}});
  }
  // The modes the home's device types list, by their English and Chinese descriptions.
  std::vector<const spec::DeviceType*> types;
  for (const Device& device : home.devices) {
    if (std::find(types.begin(), types.end(), device.type) == types.end()) types.push_back(device.type);
  }
  for (const spec::DeviceType* type : types) {
    for (const spec::Service& service : type->services) {
      const spec::Property* mode = service.property("mode");
      if (!mode || !mode->allows(spec::kWrite)) continue;
      for (const spec::ValueListEntry& entry : mode->values) {
        std::string english = entry.description.en;
        for (char& c : english) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto known = std::find_if(modes_.begin(), modes_.end(), [&](const ModeName& m) {
          return m.english == english || std::find(m.matches.begin(), m.matches.end(), english) != m.matches.end();
        });
        int index = static_cast<int>(known - modes_.begin());
        if (known == modes_.end()) modes_.push_back(ModeName{english, {english, entry.description.zh}});
        // Not over a word that means something else: "fan" is the AC's fan mode, and first a fan.
        for (const std::string& phrase : {english, entry.description.zh}) {
          auto existing = entries_.find(key_of(phrase));
          bool taken = existing != entries_.end() &&
                       std::any_of(existing->second.begin(), existing->second.end(),
                                   [](const Meaning& m) { return m.cue != Cue::kModeWord; });
          if (!taken) add(phrase, Meaning{Meaning::Source::kWord, Cue::kModeWord, index, false});
        }
      }
    }
  }
  auto add_name = [&](const std::string& name, Meaning::Source source, int index) {
    add(name, Meaning{source, Cue::kFiller, index, false});
    std::vector<Token> tokens = tokenize(name);
    if (all_han(tokens) && tokens.size() >= 3) {
      std::string full;
      for (const Token& token : tokens) full += token.text;
      for (std::size_t k = 0; k < tokens.size(); ++k) {
        std::string wildcard;
        for (std::size_t j = 0; j < tokens.size(); ++j) wildcard += j == k ? std::string("?") : tokens[j].text;
        auto& names = wildcards_[wildcard];
        if (std::find(names.begin(), names.end(), full) == names.end()) names.push_back(full);
      }
      longest_han_ = std::max(longest_han_, tokens.size());
    }
    for (const Token& token : tokens) index_for_mending(token);
  };
  std::vector<std::string> room_keys;
  for (const Room& room : home.rooms) {
    for (const std::string& name : names_of(room)) room_keys.push_back(key_of(name));
  }
  for (std::size_t i = 0; i < home.devices.size(); ++i) {
    for (const std::string& name : names_of(home.devices[i])) {
      add_name(name, Meaning::Source::kDevice, static_cast<int>(i));
      // "the ceiling lights": every device called "Ceiling light" (but "the bedroom lights"
      // are the room's lights, not the "Bedroom light").
      const std::string key = key_of(name);
      bool room_first = std::any_of(room_keys.begin(), room_keys.end(),
                                    [&](const std::string& room) { return key.starts_with(room); });
      if (!room_first && !name.empty() && std::isalpha(static_cast<unsigned char>(name.back())) &&
          name.back() != 's') {
        add(name + "s", Meaning{Meaning::Source::kDevice, Cue::kFiller, static_cast<int>(i), true});
      }
    }
  }
  auto add_all = [&](const auto& items, Meaning::Source source) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      for (const std::string& name : names_of(items[i])) add_name(name, source, static_cast<int>(i));
    }
  };
  add_all(home.rooms, Meaning::Source::kRoom);
  add_all(home.floors, Meaning::Source::kFloor);
  add_all(home.scenes, Meaning::Source::kScene);
  // Category words take part in mending too ("ligths").
  for (const Word& word : words()) {
    if (word.cue != Cue::kCategory) continue;
    for (const Token& token : tokenize(word.phrase)) index_for_mending(token);
  }
}

std::vector<Item> Lexicon::match(std::span<const Token> tokens) const {
  std::vector<Item> items;
  std::size_t i = 0;
  std::string key;
  while (i < tokens.size()) {
    std::size_t best = 0;
    const std::vector<Meaning>* meanings = nullptr;
    key.clear();
    std::size_t limit = std::min(longest_, tokens.size() - i);
    for (std::size_t length = 1; length <= limit; ++length) {
      key += tokens[i + length - 1].text;
      auto found = entries_.find(key);
      if (found != entries_.end()) best = length, meanings = &found->second;
    }
    Item item;
    item.first = i;
    double value = 0;
    std::size_t numeral = tokens[i].kind == Token::Kind::kHan ? chinese_numeral_at(tokens, i, value) : 0;
    if (tokens[i].kind == Token::Kind::kNumber && best <= 1) {
      item.is_number = true;
      item.number = tokens[i].number;
      item.last = i + 1;
    } else if (numeral > best) {
      item.is_number = true;
      item.number = value;
      item.last = i + numeral;
    } else if (meanings) {
      item.meanings = *meanings;
      item.last = i + best;
    } else {
      item.last = i + 1;
    }
    for (std::size_t k = item.first; k < item.last; ++k) item.key += tokens[k].text;
    i = item.last;
    items.push_back(std::move(item));
  }
  return items;
}

bool Lexicon::mend(std::vector<Token>& tokens, const std::vector<Item>& items) const {
  for (const Item& item : items) {
    if (item.known()) continue;
    std::size_t p = item.first;
    Token& token = tokens[p];
    if (token.kind == Token::Kind::kWord && token.text.size() >= 4) {
      std::vector<std::string> found;
      auto consider = [&](const std::string& key) {
        auto hit = deletions_.find(key);
        if (hit == deletions_.end()) return;
        for (const std::string& word : hit->second) {
          // A word of a longer name is unknown alone ("desk" of "desk lamp"): nothing to mend.
          if (word != token.text && within_one_edit(token.text, word) &&
              std::find(found.begin(), found.end(), word) == found.end()) {
            found.push_back(word);
          }
        }
      };
      consider(token.text);
      for (std::size_t k = 0; k < token.text.size(); ++k) consider(token.text.substr(0, k) + token.text.substr(k + 1));
      auto self = deletions_.find(token.text);
      bool name_word = self != deletions_.end() &&
                       std::find(self->second.begin(), self->second.end(), token.text) != self->second.end();
      if (found.size() == 1 && !name_word) {
        token.text = found.front();
        return true;
      }
    } else if (token.kind == Token::Kind::kHan && longest_han_ >= 3) {
      for (std::size_t length = std::min(longest_han_, tokens.size()); length >= 3; --length) {
        std::size_t from = p + 1 >= length ? p + 1 - length : 0;
        for (std::size_t start = from; start <= p && start + length <= tokens.size(); ++start) {
          if (!all_han(std::span<const Token>(tokens).subspan(start, length))) continue;
          std::string wildcard;
          for (std::size_t j = start; j < start + length; ++j) wildcard += j == p ? std::string("?") : tokens[j].text;
          auto hit = wildcards_.find(wildcard);
          if (hit == wildcards_.end() || hit->second.size() != 1) continue;
          // The name's character at p (every Chinese character here is 3 bytes of UTF-8, as tokens are).
          token.text = hit->second.front().substr((p - start) * 3, 3);
          return true;
        }
      }
    }
  }
  return false;
}

std::vector<Item> Lexicon::read(std::vector<Token> tokens) const {
  std::vector<Item> items = match(tokens);
  std::vector<bool> mended(tokens.size(), false);
  // Each round mends one token; a sentence has few.
  for (int round = 0; round < 3; ++round) {
    std::vector<Token> before = tokens;
    if (!mend(tokens, items)) break;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].text != before[i].text) mended[i] = true;
    }
    items = match(tokens);
  }
  for (Item& item : items) {
    for (std::size_t at = item.first; at < item.last; ++at) item.mended = item.mended || mended[at];
  }
  return items;
}

}  // namespace millet::assistant
