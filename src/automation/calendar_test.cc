// Civil dates, time zones and sun times against values checked elsewhere: the
// tz database's rules as published, and NOAA's solar calculator for the sun.

#include "automation/calendar.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>

namespace millet::automation {

// So a failed comparison prints "2026-11-21" (gtest finds this beside the type).
void PrintTo(const CivilDate& date, std::ostream* out) {
  *out << fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

namespace {

std::int64_t utc_ms(int year, int month, int day, int hour, int minute, int second = 0) {
  return (days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1000;
}

// "2026-03-29 Sun 03:00:00 +120": one string, so a failure shows every field.
std::string show(const LocalTime& time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  return fmt::format("{:04}-{:02}-{:02} {} {:02}:{:02}:{:02} {:+}", time.year, time.month, time.day,
                     kDays[time.weekday], time.minute_of_day / 60, time.minute_of_day % 60, time.second,
                     time.utc_offset_minutes);
}

TimeZone zone_named(std::string_view name) {
  auto zone = TimeZone::named(name);
  if (!zone) {
    ADD_FAILURE() << zone.error();
    return TimeZone::utc();
  }
  return *zone;
}

TimeZone zone_rule(std::string_view rule) {
  auto zone = TimeZone::posix(rule);
  if (!zone) {
    ADD_FAILURE() << zone.error();
    return TimeZone::utc();
  }
  return *zone;
}

// ---- Civil dates ----

TEST(CivilDate, KnownDays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2026, 11, 21), 20778);
  EXPECT_EQ(civil_from_days(20778), (CivilDate{2026, 11, 21}));
  EXPECT_EQ(civil_from_days(-719468), (CivilDate{0, 3, 1}));
}

TEST(CivilDate, RoundTripsAcrossCenturies) {
  for (std::int64_t days = -800000; days <= 800000; days += 37) {
    const CivilDate date = civil_from_days(days);
    ASSERT_EQ(days_from_civil(date.year, date.month, date.day), days) << date.year << "-" << date.month;
  }
}

TEST(CivilDate, Weekdays) {
  EXPECT_EQ(weekday_of(days_from_civil(1970, 1, 1)), 4);  // a Thursday
  EXPECT_EQ(weekday_of(days_from_civil(2026, 11, 21)), 6);
  EXPECT_EQ(weekday_of(days_from_civil(2000, 2, 29)), 2);
  EXPECT_EQ(weekday_of(days_from_civil(1969, 12, 28)), 0);  // before the epoch too
}

// ---- Time zones: reading the clock ----

TEST(TimeZone, Utc) {
  const TimeZone utc = TimeZone::utc();
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(show(utc.local_time(0)), "1970-01-01 Thu 00:00:00 +0");
  EXPECT_EQ(show(utc.local_time(1'700'000'000'000)), "2023-11-14 Tue 22:13:20 +0");
  EXPECT_EQ(show(utc.local_time(-1)), "1969-12-31 Wed 23:59:59 +0");
  EXPECT_EQ(show(zone_named("UTC").local_time(1'700'000'000'000)), "2023-11-14 Tue 22:13:20 +0");
}

TEST(TimeZone, BerlinAroundBothChanges) {
  const TimeZone berlin = zone_named("Europe/Berlin");
  EXPECT_EQ(berlin.name(), "Europe/Berlin");
  EXPECT_EQ(show(berlin.local_time(utc_ms(2026, 3, 29, 0, 59, 59))), "2026-03-29 Sun 01:59:59 +60");
  EXPECT_EQ(show(berlin.local_time(utc_ms(2026, 3, 29, 1, 0))), "2026-03-29 Sun 03:00:00 +120");
  EXPECT_EQ(show(berlin.local_time(utc_ms(2026, 10, 25, 0, 59, 59))), "2026-10-25 Sun 02:59:59 +120");
  EXPECT_EQ(show(berlin.local_time(utc_ms(2026, 10, 25, 1, 0))), "2026-10-25 Sun 02:00:00 +60");
  EXPECT_EQ(show(berlin.local_time(utc_ms(2026, 12, 31, 23, 30))), "2027-01-01 Fri 00:30:00 +60");
}

TEST(TimeZone, NewYorkAroundBothChanges) {
  const TimeZone new_york = zone_named("America/New_York");
  EXPECT_EQ(show(new_york.local_time(utc_ms(2026, 3, 8, 6, 59))), "2026-03-08 Sun 01:59:00 -300");
  EXPECT_EQ(show(new_york.local_time(utc_ms(2026, 3, 8, 7, 0))), "2026-03-08 Sun 03:00:00 -240");
  EXPECT_EQ(show(new_york.local_time(utc_ms(2026, 11, 1, 5, 59))), "2026-11-01 Sun 01:59:00 -240");
  EXPECT_EQ(show(new_york.local_time(utc_ms(2026, 11, 1, 6, 0))), "2026-11-01 Sun 01:00:00 -300");
  EXPECT_EQ(show(new_york.local_time(utc_ms(2026, 1, 1, 3, 0))), "2025-12-31 Wed 22:00:00 -300");
}

TEST(TimeZone, ShanghaiHasNoDaylightTime) {
  const TimeZone shanghai = zone_named("Asia/Shanghai");
  EXPECT_EQ(show(shanghai.local_time(utc_ms(2026, 1, 15, 16, 0))), "2026-01-16 Fri 00:00:00 +480");
  EXPECT_EQ(show(shanghai.local_time(utc_ms(2026, 7, 15, 4, 5, 6))), "2026-07-15 Wed 12:05:06 +480");
}

TEST(TimeZone, SydneyKeepsDaylightTimeAcrossTheNewYear) {
  // Southern: daylight time from October to April, so it spans the turn of the year.
  const TimeZone sydney = zone_named("Australia/Sydney");
  EXPECT_EQ(show(sydney.local_time(utc_ms(2026, 1, 15, 0, 0))), "2026-01-15 Thu 11:00:00 +660");
  EXPECT_EQ(show(sydney.local_time(utc_ms(2026, 4, 4, 15, 59))), "2026-04-05 Sun 02:59:00 +660");
  EXPECT_EQ(show(sydney.local_time(utc_ms(2026, 4, 4, 16, 0))), "2026-04-05 Sun 02:00:00 +600");
  EXPECT_EQ(show(sydney.local_time(utc_ms(2026, 7, 15, 0, 0))), "2026-07-15 Wed 10:00:00 +600");
  EXPECT_EQ(show(sydney.local_time(utc_ms(2026, 10, 3, 16, 0))), "2026-10-04 Sun 03:00:00 +660");
}

TEST(TimeZone, PosixRuleReadsLikeTheNamedZone) {
  const TimeZone berlin = zone_named("Europe/Berlin");
  const TimeZone rule = zone_rule("CET-1CEST,M3.5.0,M10.5.0/3");
  EXPECT_EQ(rule.name(), "CET-1CEST,M3.5.0,M10.5.0/3");
  int daylight_hours = 0;
  for (std::int64_t ms = utc_ms(2026, 1, 1, 0, 0); ms < utc_ms(2028, 1, 1, 0, 0); ms += 3'600'000) {
    ASSERT_EQ(show(rule.local_time(ms)), show(berlin.local_time(ms)));
    daylight_hours += berlin.local_time(ms).utc_offset_minutes == 120;
  }
  EXPECT_EQ(daylight_hours, (210 + 217) * 24);  // 2026: March 29 to October 25; 2027: March 28 to October 31
}

TEST(TimeZone, PosixRuleForms) {
  const TimeZone plus_eight = *TimeZone::posix("<+08>-8", "China-like");
  EXPECT_EQ(plus_eight.name(), "China-like");
  EXPECT_EQ(show(plus_eight.local_time(0)), "1970-01-01 Thu 08:00:00 +480");
  EXPECT_EQ(show(zone_rule("<-0330>3:30").local_time(0)), "1969-12-31 Wed 20:30:00 -210");

  // Jn never counts February 29: J60 is March 1 in leap years too.
  const TimeZone julian = zone_rule("AAA0BBB-1,J60/0,J300/0");
  EXPECT_EQ(julian.local_time(utc_ms(2024, 2, 29, 23, 59)).utc_offset_minutes, 0);
  EXPECT_EQ(julian.local_time(utc_ms(2024, 3, 1, 0, 0)).utc_offset_minutes, 60);
  // n counts from 0 and does count it: day 59 is February 29 in 2024, March 1 in 2023.
  const TimeZone zero_based = zone_rule("AAA0BBB-1,59/0,300/0");
  EXPECT_EQ(zero_based.local_time(utc_ms(2024, 2, 29, 0, 0)).utc_offset_minutes, 60);
  EXPECT_EQ(zero_based.local_time(utc_ms(2023, 2, 28, 23, 59)).utc_offset_minutes, 0);
  EXPECT_EQ(zero_based.local_time(utc_ms(2023, 3, 1, 0, 0)).utc_offset_minutes, 60);

  // RFC 8536 hours outside 0..24 (America/Nuuk): "-1" is 23:00 the day before.
  const TimeZone nuuk = zone_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  EXPECT_EQ(show(nuuk.local_time(utc_ms(2026, 3, 29, 0, 59))), "2026-03-28 Sat 22:59:00 -120");
  EXPECT_EQ(show(nuuk.local_time(utc_ms(2026, 3, 29, 1, 0))), "2026-03-29 Sun 00:00:00 -60");
  EXPECT_EQ(show(nuuk.local_time(utc_ms(2026, 10, 25, 1, 0))), "2026-10-24 Sat 23:00:00 -120");
  // Negative daylight time (Europe/Dublin): winter is the "daylight" offset.
  const TimeZone dublin = zone_rule("IST-1GMT0,M10.5.0,M3.5.0/1");
  EXPECT_EQ(dublin.local_time(utc_ms(2026, 1, 15, 12, 0)).utc_offset_minutes, 0);
  EXPECT_EQ(dublin.local_time(utc_ms(2026, 7, 15, 12, 0)).utc_offset_minutes, 60);
}

// ---- Time zones: from the clock to an instant ----

TEST(TimeZone, ToEpochRoundTrips) {
  for (const char* name : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Sydney"}) {
    const TimeZone zone = zone_named(name);
    for (const auto& [year, month, day] : {CivilDate{2026, 3, 29}, CivilDate{2026, 10, 25}, CivilDate{2026, 3, 8},
                                           CivilDate{2026, 11, 1}, CivilDate{2026, 4, 5}, CivilDate{2026, 10, 4},
                                           CivilDate{2028, 2, 29}}) {
      for (int minute = 0; minute < 1440; minute += 7) {
        const LocalTime shown = zone.local_time(zone.to_epoch_ms(year, month, day, minute));
        if (shown.minute_of_day == minute + 60) continue;  // a gap, tested below
        ASSERT_EQ(show(shown), show({year, month, day, weekday_of(days_from_civil(year, month, day)), minute, 0,
                                     shown.utc_offset_minutes}))
            << name;
      }
    }
  }
}

TEST(TimeZone, AGapMovesOnByTheJump) {
  // 02:30 does not exist on spring-forward days; read with the offset before the
  // jump it is the instant the clock shows as 03:30.
  const TimeZone berlin = zone_named("Europe/Berlin");
  EXPECT_EQ(berlin.to_epoch_ms(2026, 3, 29, 150), utc_ms(2026, 3, 29, 1, 30));
  EXPECT_EQ(show(berlin.local_time(berlin.to_epoch_ms(2026, 3, 29, 150))), "2026-03-29 Sun 03:30:00 +120");
  EXPECT_EQ(berlin.to_epoch_ms(2026, 3, 29, 120), utc_ms(2026, 3, 29, 1, 0));  // 02:00 is 03:00 too
  const TimeZone new_york = zone_named("America/New_York");
  EXPECT_EQ(new_york.to_epoch_ms(2026, 3, 8, 150), utc_ms(2026, 3, 8, 7, 30));
  const TimeZone sydney = zone_named("Australia/Sydney");
  EXPECT_EQ(sydney.to_epoch_ms(2026, 10, 4, 150), utc_ms(2026, 10, 3, 16, 30));
}

TEST(TimeZone, AnOverlapTakesTheFirst) {
  const TimeZone berlin = zone_named("Europe/Berlin");
  EXPECT_EQ(berlin.to_epoch_ms(2026, 10, 25, 150), utc_ms(2026, 10, 25, 0, 30));  // 02:30 CEST, not CET
  EXPECT_EQ(berlin.to_epoch_ms(2026, 10, 25, 180), utc_ms(2026, 10, 25, 2, 0));   // 03:00 happens once
  const TimeZone new_york = zone_named("America/New_York");
  EXPECT_EQ(new_york.to_epoch_ms(2026, 11, 1, 90), utc_ms(2026, 11, 1, 5, 30));
  const TimeZone sydney = zone_named("Australia/Sydney");
  EXPECT_EQ(sydney.to_epoch_ms(2026, 4, 5, 150), utc_ms(2026, 4, 4, 15, 30));
  const TimeZone dublin = zone_rule("IST-1GMT0,M10.5.0,M3.5.0/1");  // its overlap is in "standard" time
  EXPECT_EQ(dublin.to_epoch_ms(2026, 10, 25, 90), utc_ms(2026, 10, 25, 0, 30));
}

// ---- Time zones: refusals ----

void expect_refused(const Expected<TimeZone, std::string>& zone, std::string_view names, std::string_view says) {
  ASSERT_FALSE(zone) << "accepted: " << zone->name();
  EXPECT_NE(zone.error().find(names), std::string::npos) << zone.error();
  EXPECT_NE(zone.error().find(says), std::string::npos) << zone.error();
}

TEST(TimeZone, RefusesUnsafeOrUnknownNames) {
  expect_refused(TimeZone::named("../etc/passwd"), "'../etc/passwd'", "'..'");
  expect_refused(TimeZone::named("Europe/../../../etc/passwd"), "'Europe/../../../etc/passwd'", "'..'");
  expect_refused(TimeZone::named("/etc/passwd"), "'/etc/passwd'", "absolute path");
  expect_refused(TimeZone::named("No/Such_Zone"), "'No/Such_Zone'", "no such zone");
  expect_refused(TimeZone::named(""), "''", "empty");
  expect_refused(TimeZone::named("Europe"), "'Europe'", "no such zone");  // a folder, not a zone
  expect_refused(TimeZone::named("zone.tab"), "'zone.tab'", "not a TZif file");
}

TEST(TimeZone, RefusesBadRules) {
  expect_refused(TimeZone::posix(""), "rule ''", "abbreviation");
  expect_refused(TimeZone::posix("CET"), "rule 'CET'", "offset");
  expect_refused(TimeZone::posix("CE-1"), "rule 'CE-1'", "abbreviation");
  expect_refused(TimeZone::posix("CET-25"), "rule 'CET-25'", "offset");
  expect_refused(TimeZone::posix("CET-1CEST"), "rule 'CET-1CEST'", "begins");
  expect_refused(TimeZone::posix("CET-1CEST,M13.5.0,M10.5.0"), "M13", "begins");
  expect_refused(TimeZone::posix("CET-1CEST,M3.5.0,M10.6.0"), "M10.6.0", "ends");
  expect_refused(TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3x"), "/3x", "end of the rule");
  expect_refused(TimeZone::posix("CET-1CEST,M3.5.0,J0"), "J0", "ends");
}

// A TZif file with one transition, one type and a 4-byte abbreviation, its data
// bytes all '\n' so that finding the footer cannot lean on searching for newlines.
std::string tzif(char version, std::string_view footer) {
  std::string header = "TZif";
  header += version;
  header.append(15, '\0');
  for (int count : {0, 0, 0, 1, 1, 4}) {  // UT/local and std/wall indicators, leap seconds, times, types, chars
    header += {'\0', '\0', '\0', static_cast<char>(count)};
  }
  std::string file = header + std::string(1 * 5 + 6 + 4, '\n');
  if (version == '\0') return file;
  return file + header + std::string(1 * 9 + 6 + 4, '\n') + std::string(footer);
}

TEST(TimeZone, ReadsTheFooterOfATzifFile) {
  auto zone = TimeZone::from_tzif(tzif('2', "\nCET-1CEST,M3.5.0,M10.5.0/3\n"), "Test/Berlin");
  ASSERT_TRUE(zone) << zone.error();
  EXPECT_EQ(zone->name(), "Test/Berlin");
  EXPECT_EQ(show(zone->local_time(utc_ms(2026, 3, 29, 1, 0))), "2026-03-29 Sun 03:00:00 +120");
}

TEST(TimeZone, RefusesTzifWithoutAFooter) {
  expect_refused(TimeZone::from_tzif(tzif('2', "\n\n"), "Test/Empty"), "'Test/Empty'", "without a rule footer");
  expect_refused(TimeZone::from_tzif(tzif('\0', ""), "Test/Old"), "'Test/Old'", "version 1");
  expect_refused(TimeZone::from_tzif(tzif('3', ""), "Test/Cut"), "'Test/Cut'", "truncated");
  expect_refused(TimeZone::from_tzif(tzif('3', "\nCET-1CEST,M3.5.0,M10.5.0/3"), "Test/Cut"), "'Test/Cut'",
                 "truncated");
  expect_refused(TimeZone::from_tzif(tzif('2', "\nCET-1CEST\n"), "Test/Bad"), "'Test/Bad'", "'CET-1CEST'");
  expect_refused(TimeZone::from_tzif("TZ", "Test/Short"), "'Test/Short'", "not a TZif file");
}

TEST(TimeZone, LocalFollowsTheTzVariable) {
  // The only test that touches the environment; gtest runs tests one at a time.
  const char* saved = std::getenv("TZ");
  const std::string saved_value = saved ? saved : "";
  auto local_with = [](const char* tz) {
    setenv("TZ", tz, 1);
    return TimeZone::local();
  };
  EXPECT_EQ(local_with(":Asia/Shanghai").name(), "Asia/Shanghai");
  EXPECT_EQ(local_with("Europe/Berlin").local_time(utc_ms(2026, 7, 1, 0, 0)).utc_offset_minutes, 120);
  EXPECT_EQ(local_with("<+05>-5").local_time(0).utc_offset_minutes, 300);
  EXPECT_EQ(local_with("No/Such_Zone").name(), "UTC");
  if (saved) {
    setenv("TZ", saved_value.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
}

// ---- The sun ----

struct SunCase {
  const char* place;
  GeoLocation where;
  const char* zone;
  CivilDate date;
  const char* sunrise;  // local wall time, from NOAA's solar calculator
  const char* sunset;
};

// NOAA's figures to the second (its equations, evaluated at the event). The
// published times, rounded to the minute, are these.
constexpr SunCase kSunCases[] = {
    {"London", {51.5074, -0.1278}, "Europe/London", {2026, 6, 21}, "04:43:05", "21:21:35"},
    {"Beijing", {39.9042, 116.4074}, "Asia/Shanghai", {2026, 12, 21}, "07:32:09", "16:52:25"},
    {"Sydney", {-33.8688, 151.2093}, "Australia/Sydney", {2026, 12, 21}, "05:40:39", "20:05:26"},
    {"Sydney", {-33.8688, 151.2093}, "Australia/Sydney", {2026, 6, 21}, "06:59:57", "16:53:50"},
    {"New York", {40.7128, -74.0060}, "America/New_York", {2026, 3, 8}, "07:18:52", "18:55:13"},  // DST starts
    {"Tromsø", {69.6492, 18.9553}, "Europe/Oslo", {2026, 3, 21}, "05:39:20", "18:05:32"},
};

std::int64_t wall_clock_ms(const TimeZone& zone, const CivilDate& date, std::string_view hh_mm_ss) {
  const int hours = std::stoi(std::string(hh_mm_ss.substr(0, 2)));
  const int minutes = std::stoi(std::string(hh_mm_ss.substr(3, 2)));
  const int seconds = std::stoi(std::string(hh_mm_ss.substr(6, 2)));
  return zone.to_epoch_ms(date.year, date.month, date.day, hours * 60 + minutes) + seconds * 1000;
}

TEST(Sun, MatchesNoaaWithinAMinute) {
  for (const SunCase& sun : kSunCases) {
    SCOPED_TRACE(fmt::format("{} {}-{:02}-{:02}", sun.place, sun.date.year, sun.date.month, sun.date.day));
    const TimeZone zone = zone_named(sun.zone);
    const SunTimes times = sun_times(sun.where, sun.date.year, sun.date.month, sun.date.day, zone);
    ASSERT_TRUE(times.sunrise_ms && times.sunset_ms);
    EXPECT_NEAR(*times.sunrise_ms, wall_clock_ms(zone, sun.date, sun.sunrise), 60'000);
    EXPECT_NEAR(*times.sunset_ms, wall_clock_ms(zone, sun.date, sun.sunset), 60'000);
    const LocalTime sunrise = zone.local_time(*times.sunrise_ms);
    EXPECT_EQ((CivilDate{sunrise.year, sunrise.month, sunrise.day}), sun.date);  // the zone's date, not UTC's
  }
}

TEST(Sun, PolarDayAndNight) {
  const GeoLocation tromso{69.6492, 18.9553};
  const TimeZone oslo = zone_named("Europe/Oslo");
  const SunTimes midsummer = sun_times(tromso, 2026, 6, 21, oslo);
  EXPECT_FALSE(midsummer.sunrise_ms);
  EXPECT_FALSE(midsummer.sunset_ms);
  const SunTimes midwinter = sun_times(tromso, 2026, 12, 21, oslo);
  EXPECT_FALSE(midwinter.sunrise_ms);
  EXPECT_FALSE(midwinter.sunset_ms);
}

}  // namespace
}  // namespace millet::automation
