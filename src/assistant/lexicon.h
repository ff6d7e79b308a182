#pragma once
// The lexicon of one home: the grammar's words (words.h) and the home's own
// names — devices, rooms, floors, scenes and their aliases — looked up by key
// (text.h). read() splits a sentence's tokens into items, longest match first,
// left to right (forward maximum matching, which suits Chinese, written
// without spaces, and English alike), and mends a name with one typo.
//
// Built once per home (and again when the home's names change); read() is
// const and may run on several threads at once.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "assistant/home.h"
#include "assistant/text.h"
#include "assistant/words.h"

namespace millet::assistant {

struct Meaning {
  enum class Source : std::uint8_t { kWord, kDevice, kRoom, kFloor, kScene };
  Source source = Source::kWord;
  Cue cue = Cue::kFiller;  // kWord
  int value = 0;           // the word's value, or the index of the device, room, floor or scene
  bool plural = false;
};

struct Item {
  std::size_t first = 0;  // tokens [first, last)
  std::size_t last = 0;
  std::vector<Meaning> meanings;  // empty: a number, or a token nothing knows
  bool is_number = false;
  double number = 0;
  bool mended = false;  // matched after a typo was mended
  std::string key;      // the tokens' texts run together

  bool has(Cue cue) const;
  const Meaning* find(Cue cue) const;
  const Meaning* find(Meaning::Source source) const;
  bool known() const { return is_number || !meanings.empty(); }
};

// A mode people may ask for: the built-in words (words.h) and every mode the
// home's device types list in their specs ("grill", "热风烘烤").
struct ModeName {
  std::string english;               // the parameter's value: "cool", "fan bake"
  std::vector<std::string> matches;  // value-list descriptions it matches (lower case English, Chinese)
};

class Lexicon {
 public:
  explicit Lexicon(const Home& home);

  const ModeName& mode(int index) const { return modes_[static_cast<std::size_t>(index)]; }

  // The sentence's tokens as items, in order, covering every token.
  std::vector<Item> read(std::vector<Token> tokens) const;

 private:
  void add(const std::string& phrase, Meaning meaning);
  // Indexes an English word of 4+ letters and its one-letter deletions, for mend().
  void index_for_mending(const Token& token);
  std::vector<Item> match(std::span<const Token> tokens) const;
  // Mends one unknown token into a name's word; whether anything changed.
  bool mend(std::vector<Token>& tokens, const std::vector<Item>& items) const;

  std::unordered_map<std::string, std::vector<Meaning>> entries_;
  std::vector<ModeName> modes_;
  std::size_t longest_ = 1;  // tokens in the longest phrase
  // One-typo indexes over the home's names: an English word and each of its
  // one-letter deletions -> the word; a Chinese name with one character as
  // '?' -> the name.
  std::unordered_map<std::string, std::vector<std::string>> deletions_;
  std::unordered_map<std::string, std::vector<std::string>> wildcards_;
  std::size_t longest_han_ = 0;  // characters in the longest Chinese name
};

}  // namespace millet::assistant
