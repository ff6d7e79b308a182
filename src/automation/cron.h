#pragma once
// Cron expressions, the five classic fields: minute hour day-of-month month
// day-of-week, each `*`, a number, a range `a-b`, a list `a,b`, a step `*/n` or
// `a-b/n`; months and days may be named (`jan`, `mon`); day-of-week 0 and 7
// are Sunday. As in cron, when both day fields are restricted a day matching
// either one matches.

#include <bitset>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace millet::automation {

struct Cron {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 = Sunday
  bool any_day = true;       // day-of-month was `*`
  bool any_weekday = true;   // day-of-week was `*`

  // Whether the minute with these calendar fields (weekday 0 = Sunday) matches.
  bool matches(int minute, int hour, int day, int month, int weekday) const;
  // Whether any minute of that day matches (its hours and minutes aside).
  bool matches_day(int day, int month, int weekday) const;
};

// The expression, or why it is not one ("cron field 2 (hour): 25 is outside 0-23").
Expected<Cron, std::string> parse_cron(std::string_view text);

}  // namespace millet::automation
