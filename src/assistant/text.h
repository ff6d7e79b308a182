#pragma once
// Text as the assistant reads it: a sentence or a name becomes a list of
// tokens — an English word, a number, a sign ("%", "°"), or one Chinese
// character — lower case, with punctuation, full-width forms and spacing
// folded away. Names and sentences go through the same function, so "Living
// Room" in a name and "livingroom" in a sentence meet as the same key.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millet::assistant {

struct Token {
  enum class Kind : std::uint8_t { kWord, kNumber, kSign, kHan };
  Kind kind = Kind::kWord;
  std::string text;    // lower case; a number as written ("2.5")
  double number = 0;   // kNumber
};

std::vector<Token> tokenize(std::string_view text);

// The key names are looked up by: the tokens' texts run together.
std::string key_of(std::string_view text);

// Whether the text holds a Chinese character.
bool has_han(std::string_view text);

// The value of a Chinese numeral ("二十六", "两", "一百零五", "三点五"); none if
// `text` is not one. `text` is UTF-8 of Chinese digits only.
std::optional<double> chinese_number(std::string_view text);
// Whether the character (UTF-8) is one of the Chinese numeral characters.
bool is_chinese_digit(std::string_view character);

// Damerau-Levenshtein distance at most 1 (one letter added, dropped, changed,
// or two neighbours swapped).
bool within_one_edit(std::string_view a, std::string_view b);

}  // namespace millet::assistant
