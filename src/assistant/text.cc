#include "assistant/text.h"

#include <cstdlib>

namespace millet::assistant {

namespace {

// Decodes one UTF-8 sequence at `i`; a broken one reads as U+FFFD, one byte.
char32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > text.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t code = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  return code;
}

void append_utf8(std::string& out, char32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

bool is_han(char32_t code) {
  return (code >= 0x4E00 && code <= 0x9FFF) || (code >= 0x3400 && code <= 0x4DBF) || code == 0x3007;  // 〇
}

// Full-width ASCII (Ｔ, ５, ％) as ASCII; the ideographic space as a space.
char32_t fold_width(char32_t code) {
  if (code >= 0xFF01 && code <= 0xFF5E) return code - 0xFEE0;
  if (code == 0x3000) return ' ';
  return code;
}

enum class Class { kLetter, kDigit, kPoint, kApostrophe, kMinus, kSign, kHan, kSpace };

Class classify(char32_t code) {
  if ((code >= 'a' && code <= 'z') || (code >= 'A' && code <= 'Z')) return Class::kLetter;
  if (code >= '0' && code <= '9') return Class::kDigit;
  if (code == '.') return Class::kPoint;
  if (code == '\'' || code == 0x2019) return Class::kApostrophe;
  if (code == '-') return Class::kMinus;
  if (code == '%' || code == 0x00B0 || code == 0x2103 || code == '?') return Class::kSign;  // %, °, ℃, ?
  if (is_han(code)) return Class::kHan;
  return Class::kSpace;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  Token current;
  bool open = false;
  auto close = [&] {
    if (!open) return;
    if (current.kind == Token::Kind::kNumber) {
      // "2." at a sentence's end: the point was punctuation.
      while (!current.text.empty() && current.text.back() == '.') current.text.pop_back();
      if (current.text.empty() || current.text == "-") {
        open = false;
        current = Token{};
        return;
      }
      current.number = std::strtod(current.text.c_str(), nullptr);
    }
    tokens.push_back(std::move(current));
    current = Token{};
    open = false;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t code = fold_width(next_code_point(text, i));
    Class kind = classify(code);
    switch (kind) {
      case Class::kLetter:
        if (open && current.kind != Token::Kind::kWord) close();
        if (!open) current.kind = Token::Kind::kWord, open = true;
        current.text += static_cast<char>(code | 0x20);
        break;
      case Class::kDigit:
        if (open && current.kind != Token::Kind::kNumber) close();
        if (!open) current.kind = Token::Kind::kNumber, open = true;
        current.text += static_cast<char>(code);
        break;
      case Class::kPoint:
        // A decimal point only between digits; otherwise punctuation.
        if (open && current.kind == Token::Kind::kNumber && current.text.find('.') == std::string::npos) {
          current.text += '.';
        } else {
          close();
        }
        break;
      case Class::kApostrophe:
        // "what's" is "whats", "kids'" is "kids".
        if (!(open && current.kind == Token::Kind::kWord)) close();
        break;
      case Class::kMinus: {
        close();
        // A minus sign right before a digit starts a negative number.
        if (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          current.kind = Token::Kind::kNumber;
          current.text.assign(1, '-');  // (not = "-": GCC 12 warns falsely)
          open = true;
        }
        break;
      }
      case Class::kSign:
        close();
        tokens.push_back(Token{Token::Kind::kSign, code == '%' ? "%" : code == '?' ? "?" : "°", 0});
        if (code == 0x2103) tokens.push_back(Token{Token::Kind::kWord, "c", 0});
        break;
      case Class::kHan:
        close();
        current.kind = Token::Kind::kHan;
        append_utf8(current.text, code);
        open = true;
        close();
        break;
      case Class::kSpace:
        close();
        break;
    }
  }
  close();
  return tokens;
}

std::string key_of(std::string_view text) {
  std::string key;
  for (const Token& token : tokenize(text)) key += token.text;
  return key;
}

bool has_han(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_han(next_code_point(text, i))) return true;
  }
  return false;
}

bool is_chinese_digit(std::string_view character) {
  static constexpr std::string_view kDigits[] = {"零", "〇", "一", "二", "两", "三", "四", "五", "六",
                                                 "七", "八", "九", "十", "百", "千", "万"};
  for (std::string_view digit : kDigits) {
    if (character == digit) return true;
  }
  return false;
}

std::optional<double> chinese_number(std::string_view text) {
  auto digit = [](std::string_view c) -> int {
    static constexpr std::pair<std::string_view, int> kDigits[] = {
        {"零", 0}, {"〇", 0}, {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3}, {"四", 4},
        {"五", 5}, {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9}};
    for (auto [name, value] : kDigits) {
      if (c == name) return value;
    }
    return -1;
  };
  auto unit = [](std::string_view c) -> int {
    if (c == "十") return 10;
    if (c == "百") return 100;
    if (c == "千") return 1000;
    if (c == "万") return 10000;
    return 0;
  };
  std::string_view whole = text;
  std::string_view fraction;
  if (auto point = text.find("点"); point != std::string_view::npos) {
    whole = text.substr(0, point);
    fraction = text.substr(point + std::string_view("点").size());
    if (fraction.empty()) return std::nullopt;
  }
  double total = 0;
  double section = 0;
  double pending = -1;  // a digit waiting for its unit
  int last_unit = 0;    // the unit just read: "两千七" is 2700, "一百零五" 105
  bool any = false;
  for (std::size_t i = 0; i < whole.size(); i += 3) {
    std::string_view c = whole.substr(i, 3);
    if (int d = digit(c); d >= 0) {
      // "二二" or "一二三" read digit by digit.
      pending = pending >= 0 ? pending * 10 + d : d;
      if (c == "零" || c == "〇") last_unit = 0;
      any = true;
    } else if (int u = unit(c); u > 0) {
      double value = pending >= 0 ? pending : 1;  // "十" alone is ten
      if (u == 10000) {
        total += (section + (pending >= 0 ? pending : 0)) * u;
        section = 0;
      } else {
        section += value * u;
      }
      pending = -1;
      last_unit = u;
      any = true;
      continue;
    } else {
      return std::nullopt;
    }
    if (c != "零" && c != "〇" && i + 3 < whole.size()) last_unit = 0;
  }
  if (!any) return std::nullopt;
  if (pending >= 0 && pending < 10 && last_unit >= 100 && whole.size() >= 9) pending *= last_unit / 10;
  total += section + (pending >= 0 ? pending : 0);
  if (!fraction.empty()) {
    double scale = 0.1;
    for (std::size_t i = 0; i < fraction.size(); i += 3) {
      int d = digit(fraction.substr(i, 3));
      if (d < 0) return std::nullopt;
      total += d * scale;
      scale /= 10;
    }
  }
  return total;
}

bool within_one_edit(std::string_view a, std::string_view b) {
  if (a == b) return true;
  std::size_t m = a.size();
  std::size_t n = b.size();
  if (m > n + 1 || n > m + 1) return false;
  if (m == n) {
    std::size_t first = 0;
    while (first < m && a[first] == b[first]) ++first;
    std::size_t last = m - 1;
    while (last > first && a[last] == b[last]) --last;
    if (first == last) return true;  // one letter changed
    // two neighbours swapped
    return last == first + 1 && a[first] == b[last] && a[last] == b[first];
  }
  std::string_view shorter = m < n ? a : b;
  std::string_view longer = m < n ? b : a;
  std::size_t i = 0;
  while (i < shorter.size() && shorter[i] == longer[i]) ++i;
  return shorter.substr(i) == longer.substr(i + 1);
}

}  // namespace millet::assistant
