#include "automation/calendar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numbers>

#include "base/assert.h"

// Why evaluate POSIX TZ rules here rather than use Boost.DateTime's posix_time_zone
// (checked against Boost 1.81): it reads the offset's sign the other way round from
// POSIX ("CET-1" becomes UTC-1), throws on the quoted names every numeric zone uses
// ("<+08>-8") and on RFC 8536 transition hours outside 0..24, which real footers
// carry (America/Nuuk: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"), and it reports bad input
// by exception where here it is a normal outcome. The rule language is small;
// evaluating it is a page of code.

namespace millet::automation {

using detail::TzRule;
using detail::TzTransition;

// ---- Civil dates ----

std::int64_t days_from_civil(int year, int month, int day) {
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  MILLET_ASSERT(date.ok(), "days_from_civil of a date that does not exist");
  return std::chrono::sys_days(date).time_since_epoch().count();
}

CivilDate civil_from_days(std::int64_t days) {
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(days))};
  return {static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
          static_cast<int>(static_cast<unsigned>(date.day()))};
}

int weekday_of(std::int64_t days) {
  return static_cast<int>(std::chrono::weekday(std::chrono::sys_days(std::chrono::days(days))).c_encoding());
}

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr const char* kZoneInfo = "/usr/share/zoneinfo/";

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  return value / divisor - (value % divisor < 0 ? 1 : 0);
}

// ---- POSIX TZ rules: std offset [dst [offset] [,start[/time],end[/time]]] ----

// Reads one rule left to right; each read returns nothing when the text does not
// hold what was expected, and where() tells the caller how far it got.
class RuleReader {
 public:
  explicit RuleReader(std::string_view text) : text_(text) {}

  bool at_end() const { return position_ == text_.size(); }
  std::size_t where() const { return position_ + 1; }
  bool take(char c) {
    if (at_end() || text_[position_] != c) return false;
    ++position_;
    return true;
  }
  bool next_is(char c) const { return !at_end() && text_[position_] == c; }

  // "CET", or "<+08>" (quoted names may hold digits and signs). POSIX asks for 3+.
  bool abbreviation() {
    const bool quoted = take('<');
    auto belongs = [&](int c) { return std::isalpha(c) || (quoted && (std::isdigit(c) || c == '+' || c == '-')); };
    std::size_t length = 0;
    for (; !at_end() && belongs(char_at()); ++position_) ++length;
    return length >= 3 && (!quoted || take('>'));
  }

  // [+-]hh[:mm[:ss]] in seconds, hh at most max_hours.
  std::optional<int> duration(int max_hours) {
    int sign = 1;
    if (take('-')) {
      sign = -1;
    } else {
      take('+');
    }
    const auto hours = number(max_hours);
    if (!hours) return std::nullopt;
    int seconds = *hours * 3600;
    for (int unit : {60, 1}) {
      if (!take(':')) break;
      const auto part = number(59);
      if (!part) return std::nullopt;
      seconds += *part * unit;
    }
    return sign * seconds;
  }

  // Jn, n or Mm.w.d, then an optional /time (2:00 by default).
  std::optional<TzTransition> transition() {
    TzTransition result{TzTransition::Kind::kDayOfYear, 0, 0, 0, 7200};
    std::optional<int> day;
    if (take('J')) {
      result.kind = TzTransition::Kind::kJulianNoLeap;
      day = number(365);
      if (day && *day == 0) return std::nullopt;
    } else if (take('M')) {
      result.kind = TzTransition::Kind::kMonthWeekDay;
      const auto month = number(12);
      if (!month || *month == 0 || !take('.')) return std::nullopt;
      const auto week = number(5);
      if (!week || *week == 0 || !take('.')) return std::nullopt;
      day = number(6);
      result.month = *month;
      result.week = *week;
    } else {
      day = number(365);
    }
    if (!day) return std::nullopt;
    result.day = *day;
    if (take('/')) {
      // RFC 8536 widens the hours to -167..167 so a change can fall outside its day.
      const auto time = duration(167);
      if (!time) return std::nullopt;
      result.seconds = *time;
    }
    return result;
  }

 private:
  int char_at() const { return static_cast<unsigned char>(text_[position_]); }

  std::optional<int> number(int max) {
    int value = 0;
    std::size_t digits = 0;
    while (!at_end() && std::isdigit(char_at()) && digits < 4) {
      value = value * 10 + (char_at() - '0');
      ++position_;
      ++digits;
    }
    if (digits == 0 || value > max) return std::nullopt;
    return value;
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

Expected<TzRule, std::string> parse_rule(std::string_view text) {
  RuleReader reader(text);
  auto fail = [&](std::string_view expected) {
    return unexpected(fmt::format("expected {} at character {}", expected, reader.where()));
  };
  TzRule rule;
  if (!reader.abbreviation()) return fail("a zone abbreviation (3+ letters, or <...>)");
  const auto standard = reader.duration(24);
  if (!standard) return fail("the offset from UTC (hours west, e.g. -1 for CET)");
  rule.standard_offset_seconds = -*standard;  // POSIX counts west, we count east
  if (reader.at_end()) return rule;

  if (!reader.abbreviation()) return fail("a daylight-saving abbreviation");
  rule.has_daylight = true;
  rule.daylight_offset_seconds = rule.standard_offset_seconds + 3600;  // POSIX default: one hour ahead
  if (!reader.at_end() && !reader.next_is(',')) {
    const auto daylight = reader.duration(24);
    if (!daylight) return fail("the daylight-saving offset");
    rule.daylight_offset_seconds = -*daylight;
  }
  // Without rules POSIX leaves the dates to the implementation; glibc guesses US
  // rules. Guessing is wrong for most of the world, so ask for them instead.
  if (!reader.take(',')) return fail("',' and when daylight-saving time begins (e.g. M3.5.0)");
  const auto start = reader.transition();
  if (!start) return fail("when daylight-saving time begins (Jn, n or Mm.w.d[/time])");
  if (!reader.take(',')) return fail("',' and when daylight-saving time ends");
  const auto end = reader.transition();
  if (!end) return fail("when daylight-saving time ends (Jn, n or Mm.w.d[/time])");
  if (!reader.at_end()) return fail("the end of the rule");
  rule.daylight_start = *start;
  rule.daylight_end = *end;
  return rule;
}

// The first day (days since the epoch) of a transition in that year.
std::int64_t transition_day(const TzTransition& transition, int year) {
  const std::int64_t january_first = days_from_civil(year, 1, 1);
  const bool leap = std::chrono::year(year).is_leap();
  switch (transition.kind) {
    case TzTransition::Kind::kJulianNoLeap:  // J60 is March 1 even in a leap year
      return january_first + transition.day - 1 + (leap && transition.day >= 60 ? 1 : 0);
    case TzTransition::Kind::kDayOfYear:
      return january_first + transition.day;
    case TzTransition::Kind::kMonthWeekDay: {
      const std::int64_t first = days_from_civil(year, transition.month, 1);
      const auto last = std::chrono::year(year) / std::chrono::month(transition.month) / std::chrono::last;
      const int month_days = static_cast<int>(static_cast<unsigned>(last.day()));
      int day = (transition.day - weekday_of(first) + 7) % 7 + 7 * (transition.week - 1);
      if (day >= month_days) day -= 7;  // week 5 means the last one, which may be the 4th
      return first + day;
    }
  }
  MILLET_ASSERT(false, "unknown transition kind");
  return 0;
}

int offset_at(const TzRule& rule, std::int64_t epoch_seconds) {
  if (!rule.has_daylight) return rule.standard_offset_seconds;
  // Transitions are placed in the year that standard time reckons; each is stated
  // in the local time in force just before it.
  const int year = civil_from_days(floor_div(epoch_seconds + rule.standard_offset_seconds, kSecondsPerDay)).year;
  const std::int64_t start = transition_day(rule.daylight_start, year) * kSecondsPerDay +
                             rule.daylight_start.seconds - rule.standard_offset_seconds;
  const std::int64_t end = transition_day(rule.daylight_end, year) * kSecondsPerDay + rule.daylight_end.seconds -
                           rule.daylight_offset_seconds;
  // Northern zones keep daylight time inside the year; southern ones across its turn.
  const bool daylight = start < end ? (start <= epoch_seconds && epoch_seconds < end)
                                    : (epoch_seconds < end || start <= epoch_seconds);
  return daylight ? rule.daylight_offset_seconds : rule.standard_offset_seconds;
}

std::uint32_t big_endian_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// The POSIX TZ footer of a TZif file (RFC 8536): after a version 1 header and data
// block and a version 2+ header and data block (64-bit times) comes "\n<rule>\n".
// The block sizes follow from the six counts in each header.
Expected<std::string_view, std::string> tzif_footer(std::string_view content) {
  constexpr std::size_t kHeaderSize = 44;
  auto data_size = [&](std::size_t header, std::uint64_t time_size) {
    const std::uint64_t utc_indicators = big_endian_u32(content, header + 20),
                        standard_indicators = big_endian_u32(content, header + 24),
                        leap_seconds = big_endian_u32(content, header + 28),
                        transitions = big_endian_u32(content, header + 32),
                        types = big_endian_u32(content, header + 36),
                        abbreviation_bytes = big_endian_u32(content, header + 40);
    return transitions * (time_size + 1) + types * 6 + abbreviation_bytes + leap_seconds * (time_size + 4) +
           standard_indicators + utc_indicators;
  };
  if (content.size() < kHeaderSize || content.substr(0, 4) != "TZif") return unexpected(std::string("not a TZif file"));
  if (content[4] < '2') return unexpected(std::string("a version 1 TZif file, which has no rule footer"));
  const std::uint64_t second_header = kHeaderSize + data_size(0, 4);
  if (content.size() < second_header + kHeaderSize) return unexpected(std::string("a truncated TZif file"));
  const std::uint64_t footer = second_header + kHeaderSize + data_size(second_header, 8);
  if (content.size() <= footer || content[footer] != '\n') return unexpected(std::string("a truncated TZif file"));
  const std::size_t footer_end = content.find('\n', footer + 1);
  if (footer_end == std::string_view::npos) return unexpected(std::string("a truncated TZif file"));
  if (footer_end == footer + 1) return unexpected(std::string("a TZif file without a rule footer"));
  return content.substr(footer + 1, footer_end - footer - 1);
}

// The whole file, or none if it is not a regular file or cannot be read. (Not
// std::ifstream: reading a folder through it throws instead of failing.)
std::optional<std::string> read_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return std::nullopt;
  std::string content;
  char buffer[4096];
  while (const std::size_t count = std::fread(buffer, 1, sizeof buffer, file.get())) content.append(buffer, count);
  if (std::ferror(file.get())) return std::nullopt;
  return content;
}

}  // namespace

// ---- TimeZone ----

Expected<TimeZone, std::string> TimeZone::posix(std::string_view rule, std::string name) {
  auto parsed = parse_rule(rule);
  if (!parsed) return unexpected(fmt::format("time zone rule '{}': {}", rule, parsed.error()));
  return TimeZone(name.empty() ? std::string(rule) : std::move(name), *parsed);
}

Expected<TimeZone, std::string> TimeZone::from_tzif(std::string_view content, std::string name) {
  auto footer = tzif_footer(content);
  if (!footer) return unexpected(fmt::format("time zone '{}': {}", name, footer.error()));
  auto rule = parse_rule(*footer);
  if (!rule) return unexpected(fmt::format("time zone '{}': its rule '{}': {}", name, *footer, rule.error()));
  return TimeZone(std::move(name), *rule);
}

Expected<TimeZone, std::string> TimeZone::named(std::string_view name) {
  // The name becomes a path: keep it inside the zone folder.
  if (name.empty()) return unexpected(std::string("time zone '': a zone name is empty"));
  if (name.front() == '/') {
    return unexpected(fmt::format("time zone '{}': a zone name is relative to {}, not an absolute path", name,
                                  kZoneInfo));
  }
  if (name.find("..") != std::string_view::npos) {
    return unexpected(fmt::format("time zone '{}': '..' is not allowed in a zone name", name));
  }
  const std::string path = kZoneInfo + std::string(name);
  const auto content = read_file(path);
  if (!content) return unexpected(fmt::format("time zone '{}': no such zone ({} is not a readable file)", name, path));
  return from_tzif(*content, std::string(name));
}

TimeZone TimeZone::local() {
  if (const char* variable = std::getenv("TZ"); variable != nullptr) {
    std::string_view value = variable;
    if (!value.empty() && value.front() == ':') value.remove_prefix(1);
    if (auto zone = named(value)) return *zone;
    if (auto zone = posix(value)) return *zone;
    return utc();  // as glibc does with an empty or unusable $TZ, so logs and millet agree
  }
  // /etc/localtime is usually a link into the zone folder; its target names the zone.
  std::error_code error;
  const std::string target = std::filesystem::read_symlink("/etc/localtime", error).string();
  const std::size_t folder = target.find("zoneinfo/");
  const std::string name = folder == std::string::npos ? "localtime" : target.substr(folder + 9);
  if (const auto content = read_file("/etc/localtime")) {
    if (auto zone = from_tzif(*content, name)) return *zone;
  }
  return utc();
}

TimeZone TimeZone::utc() { return TimeZone("UTC", TzRule{}); }

LocalTime TimeZone::local_time(std::int64_t epoch_ms) const {
  const std::int64_t epoch_seconds = floor_div(epoch_ms, 1000);
  const int offset = offset_at(rule_, epoch_seconds);
  const std::int64_t wall_seconds = epoch_seconds + offset;
  const std::int64_t days = floor_div(wall_seconds, kSecondsPerDay);
  const int second_of_day = static_cast<int>(wall_seconds - days * kSecondsPerDay);
  const CivilDate date = civil_from_days(days);
  return {date.year, date.month, date.day, weekday_of(days), second_of_day / 60, second_of_day % 60, offset / 60};
}

std::int64_t TimeZone::to_epoch_ms(int year, int month, int day, int minute_of_day) const {
  MILLET_ASSERT(minute_of_day >= 0 && minute_of_day < 1440, "to_epoch_ms: minute_of_day outside 0..1439");
  const std::int64_t wall_seconds = days_from_civil(year, month, day) * kSecondsPerDay + minute_of_day * 60;
  // The wall clock reads with one of two offsets; a reading fits an offset when
  // that offset is in force at the instant it gives.
  const int standard = rule_.standard_offset_seconds;
  const int daylight = rule_.has_daylight ? rule_.daylight_offset_seconds : standard;
  const std::int64_t as_standard = wall_seconds - standard, as_daylight = wall_seconds - daylight;
  const bool standard_fits = offset_at(rule_, as_standard) == standard;
  const bool daylight_fits = offset_at(rule_, as_daylight) == daylight;
  if (standard_fits && daylight_fits) return std::min(as_standard, as_daylight) * 1000;  // overlap: the first
  if (standard_fits) return as_standard * 1000;
  if (daylight_fits) return as_daylight * 1000;
  // A gap: the clock jumps forward, from the smaller offset to the larger. Reading
  // with the smaller one (the offset before the jump) gives the later instant.
  return std::max(as_standard, as_daylight) * 1000;
}

// ---- The sun ----

namespace {

constexpr double kRadiansPerDegree = std::numbers::pi / 180;
double sin_degrees(double degrees) { return std::sin(degrees * kRadiansPerDegree); }
double cos_degrees(double degrees) { return std::cos(degrees * kRadiansPerDegree); }
double degrees_of(double radians) { return radians / kRadiansPerDegree; }

struct SolarPosition {
  double declination;               // degrees
  double equation_of_time_minutes;  // apparent minus mean solar time
};

// The equations of NOAA's solar calculator (after Meeus, Astronomical Algorithms),
// at a Julian day. The Almanac for Computers' shorter recipe ignores the year (its
// sun repeats every 365 days) and strays up to several minutes from NOAA near the
// polar circles; these agree with NOAA's published times to the second.
SolarPosition solar_position(double julian_day) {
  const double t = (julian_day - 2451545) / 36525;  // Julian centuries since J2000.0
  const double mean_longitude = std::fmod(280.46646 + t * (36000.76983 + t * 0.0003032), 360);
  const double mean_anomaly = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const double eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const double equation_of_center = sin_degrees(mean_anomaly) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
                                    sin_degrees(2 * mean_anomaly) * (0.019993 - 0.000101 * t) +
                                    sin_degrees(3 * mean_anomaly) * 0.000289;
  const double node = 125.04 - 1934.136 * t;  // of the moon's orbit: nutation and aberration
  const double apparent_longitude = mean_longitude + equation_of_center - 0.00569 - 0.00478 * sin_degrees(node);
  const double obliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60 +
                           0.00256 * cos_degrees(node);
  const double declination = degrees_of(std::asin(sin_degrees(obliquity) * sin_degrees(apparent_longitude)));
  const double y = std::pow(std::tan(obliquity / 2 * kRadiansPerDegree), 2);
  const double l0 = mean_longitude * kRadiansPerDegree, m = mean_anomaly * kRadiansPerDegree, e = eccentricity;
  const double equation_of_time = y * std::sin(2 * l0) - 2 * e * std::sin(m) +
                                  4 * e * y * std::sin(m) * std::cos(2 * l0) - 0.5 * y * y * std::sin(4 * l0) -
                                  1.25 * e * e * std::sin(2 * m);
  return {declination, 4 * degrees_of(equation_of_time)};
}

// 1970-01-01 0:00 UT is Julian day 2440587.5.
double julian_day_of(double epoch_ms) { return 2440587.5 + epoch_ms / (kSecondsPerDay * 1000.0); }

// Sunrise (rising) or sunset of the solar day around `noon_ms`, or none when the
// sun stays above (polar day) or below (polar night) the horizon. The sun's place
// is taken at noon, then again at the first estimate; two passes settle to seconds.
std::optional<std::int64_t> sun_event_ms(const GeoLocation& where, std::int64_t noon_ms, bool rising) {
  constexpr double kZenith = 90.833;  // 34' of refraction and 16' of solar radius below the horizon
  constexpr double kMsPerMinute = 60000, kMsPerDay = kSecondsPerDay * 1000.0;
  // The UTC day whose solar noon (near 12:00 UTC less longitude / 15 hours) is nearest noon_ms.
  const double day_start_ms = std::floor(noon_ms / kMsPerDay + where.longitude / 360) * kMsPerDay;
  double estimate_ms = noon_ms;
  for (int pass = 0; pass < 2; ++pass) {
    const SolarPosition sun = solar_position(julian_day_of(estimate_ms));
    const double cos_hour_angle = cos_degrees(kZenith) / (cos_degrees(where.latitude) * cos_degrees(sun.declination)) -
                                  std::tan(where.latitude * kRadiansPerDegree) *
                                      std::tan(sun.declination * kRadiansPerDegree);
    if (cos_hour_angle > 1 || cos_hour_angle < -1) return std::nullopt;
    const double hour_angle = degrees_of(std::acos(cos_hour_angle));
    // The sun crosses the meridian at 12:00 local mean time, less the equation of time.
    const double solar_noon_minutes = 720 - 4 * where.longitude - sun.equation_of_time_minutes;
    estimate_ms = day_start_ms + (solar_noon_minutes + (rising ? -4 : 4) * hour_angle) * kMsPerMinute;
  }
  return std::llround(estimate_ms);
}

}  // namespace

SunTimes sun_times(const GeoLocation& where, int year, int month, int day, const TimeZone& zone) {
  // The solar day meant is the one whose noon is nearest the zone's noon that date.
  const std::int64_t noon_ms = zone.to_epoch_ms(year, month, day, 720);
  return {sun_event_ms(where, noon_ms, true), sun_event_ms(where, noon_ms, false)};
}

}  // namespace millet::automation
