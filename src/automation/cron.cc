#include "automation/cron.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <vector>

namespace millet::automation {
namespace {

struct Field {
  const char* name;
  int low;
  int high;
  std::array<std::string_view, 13> names;  // index = value; empty: none
};

constexpr Field kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

Expected<int, std::string> value_of(std::string_view text, const Field& field, int index) {
  for (int i = 0; i < static_cast<int>(field.names.size()); ++i) {
    if (!field.names[i].empty() && text.size() == 3 &&
        std::equal(text.begin(), text.end(), field.names[i].begin(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
      return i;
    }
  }
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return unexpected(fmt::format("cron field {} ({}): '{}' is not a number", index + 1, field.name, text));
  }
  if (value < field.low || value > field.high) {
    return unexpected(fmt::format("cron field {} ({}): {} is outside {}-{}", index + 1, field.name, value, field.low,
                                  field.high));
  }
  return value;
}

// The values one field allows, as a list of bits from field.low.
Expected<std::vector<bool>, std::string> parse_field(std::string_view text, const Field& field, int index) {
  std::vector<bool> allowed(field.high + 1, false);
  for (std::string_view item : split(text, ',')) {
    int step = 1;
    if (const std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      const std::string_view step_text = item.substr(slash + 1);
      auto [end, error] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (error != std::errc() || end != step_text.data() + step_text.size() || step < 1) {
        return unexpected(fmt::format("cron field {} ({}): step '{}' is not a positive number", index + 1, field.name,
                                      step_text));
      }
      item = item.substr(0, slash);
    }
    int low = field.low, high = field.high;
    if (item != "*") {
      const std::size_t dash = item.find('-');
      auto first = value_of(item.substr(0, dash), field, index);
      if (!first) return unexpected(first.error());
      low = high = *first;
      if (dash != std::string_view::npos) {
        auto last = value_of(item.substr(dash + 1), field, index);
        if (!last) return unexpected(last.error());
        high = *last;
        if (high < low) {
          return unexpected(fmt::format("cron field {} ({}): the range {}-{} runs backwards", index + 1, field.name,
                                        low, high));
        }
      } else if (step > 1) {
        high = field.high;  // "5/15": from 5, every 15
      }
    }
    for (int v = low; v <= high; v += step) allowed[v] = true;
  }
  return allowed;
}

}  // namespace

bool Cron::matches(int minute, int hour, int day, int month, int weekday) const {
  return minutes[minute] && hours[hour] && matches_day(day, month, weekday);
}

bool Cron::matches_day(int day, int month, int weekday) const {
  if (!months[month]) return false;
  const bool day_ok = days[day];
  const bool weekday_ok = weekdays[weekday];
  if (any_day && any_weekday) return true;
  if (any_day) return weekday_ok;
  if (any_weekday) return day_ok;
  return day_ok || weekday_ok;
}

Expected<Cron, std::string> parse_cron(std::string_view text) {
  std::vector<std::string_view> fields;
  for (std::string_view part : split(text, ' ')) {
    if (!part.empty()) fields.push_back(part);
  }
  if (fields.size() != 5) {
    return unexpected(fmt::format("a cron expression has 5 fields (minute hour day month weekday); '{}' has {}", text,
                                  fields.size()));
  }
  Cron cron;
  for (int i = 0; i < 5; ++i) {
    auto allowed = parse_field(fields[i], kFields[i], i);
    if (!allowed) return unexpected(allowed.error());
    for (int v = kFields[i].low; v <= kFields[i].high; ++v) {
      if (!(*allowed)[v]) continue;
      switch (i) {
        case 0: cron.minutes.set(v); break;
        case 1: cron.hours.set(v); break;
        case 2: cron.days.set(v); break;
        case 3: cron.months.set(v); break;
        case 4: cron.weekdays.set(v % 7); break;
      }
    }
  }
  cron.any_day = fields[2] == "*";
  cron.any_weekday = fields[4] == "*";
  return cron;
}

}  // namespace millet::automation
