#pragma once
// Calendars for automations: civil dates, time zones and the sun.
//
// Automations speak wall-clock time ("07:00 on weekdays", "30 minutes after sunset");
// the platform keeps time as milliseconds since the Unix epoch (base/wall_clock.h).
// This unit converts between the two. A TimeZone holds one POSIX TZ rule — the
// current rules of an IANA zone, as the footer of its TZif file states them — so
// it answers for the present and the future, which is all an automation schedules;
// instants before the zone's last rule change may get today's rules, not history's.
//
// Threads: everything here is pure computation on values. A TimeZone is immutable
// after construction and may be shared between threads; named() and local() read
// files (and local() reads $TZ) but never change process state (no setenv/tzset).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/expected.h"

namespace millet::automation {

// ---- Civil dates (proleptic Gregorian) ----

struct CivilDate {
  int year, month, day;  // month 1..12, day 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// Days since 1970-01-01 (negative before it) of a valid date, and back.
std::int64_t days_from_civil(int year, int month, int day);
CivilDate civil_from_days(std::int64_t days);
// 0 = Sunday ... 6 = Saturday.
int weekday_of(std::int64_t days);

// ---- Time zones ----

struct LocalTime {         // a moment as the wall clock of a time zone shows it
  int year, month, day;    // month 1..12, day 1..31
  int weekday;             // 0 = Sunday ... 6 = Saturday
  int minute_of_day;       // 0..1439
  int second;              // 0..59
  int utc_offset_minutes;  // e.g. 60 for CET, 120 for CEST
};

namespace detail {
// A parsed POSIX TZ rule; private to calendar.cc, declared here so TimeZone can hold one.
struct TzTransition {  // when daylight-saving time begins or ends
  enum class Kind { kJulianNoLeap, kDayOfYear, kMonthWeekDay } kind;
  int day;      // Jn: 1..365, Feb 29 never counted; n: 0..365; Mm.w.d: d, 0 = Sunday
  int week;     // Mm.w.d: 1..5, 5 = the last such weekday of the month
  int month;    // Mm.w.d: 1..12
  int seconds;  // local time in the offset before the change; RFC 8536 allows < 0 and > 24 h
};
struct TzRule {
  int standard_offset_seconds = 0;  // east of UTC (POSIX writes west: "CET-1" is +1 h)
  bool has_daylight = false;        // false: the offset never changes
  int daylight_offset_seconds = 0;
  TzTransition daylight_start{}, daylight_end{};
};
}  // namespace detail

class TimeZone {
 public:
  // An IANA zone ("UTC", "Europe/Berlin", "America/New_York") read from
  // /usr/share/zoneinfo/<name>: the POSIX TZ footer of its TZif file. Refuses
  // names that leave that folder ("..", absolute paths), missing files, and files
  // that are not TZif version 2+ or carry no footer; the message names the zone.
  static Expected<TimeZone, std::string> named(std::string_view name);
  // A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3", "UTC0", "<+08>-8"), with the
  // RFC 8536 extension of transition hours to -167..167. A daylight-saving zone
  // must state when it begins and ends. name() is `name`, or the rule if empty.
  static Expected<TimeZone, std::string> posix(std::string_view rule, std::string name = {});
  // A TZif file's content, already read: what named() does once it has the file.
  static Expected<TimeZone, std::string> from_tzif(std::string_view content, std::string name);
  // The server's own zone: $TZ if set (a zone name, ":name", or a POSIX rule), else
  // /etc/localtime's footer, else UTC. Never fails; meant for start-up.
  static TimeZone local();
  static TimeZone utc();

  const std::string& name() const { return name_; }  // "Europe/Berlin", or the rule

  LocalTime local_time(std::int64_t epoch_ms) const;
  // The moment the wall clock shows minute_of_day (second 0) on that local date.
  // In a gap (02:30 on a spring-forward day) the moment the pre-jump offset gives,
  // which the clock shows one jump later (03:30); in an overlap, the earlier one.
  std::int64_t to_epoch_ms(int year, int month, int day, int minute_of_day) const;

 private:
  TimeZone(std::string name, detail::TzRule rule) : name_(std::move(name)), rule_(rule) {}

  std::string name_;
  detail::TzRule rule_;
};

// ---- The sun ----

struct GeoLocation {
  double latitude = 0, longitude = 0;  // degrees, north and east positive
};

struct SunTimes {
  std::optional<std::int64_t> sunrise_ms, sunset_ms;  // none on polar day / polar night
};

// Sunrise and sunset on that local date (the zone's calendar day) at the location,
// for zenith 90.833° (34' of refraction plus the sun's radius): the equations of
// NOAA's solar calculator, whose times they match to seconds. The sky itself makes
// them uncertain by about a minute between the polar circles, more beyond.
SunTimes sun_times(const GeoLocation& where, int year, int month, int day, const TimeZone& zone);

}  // namespace millet::automation
