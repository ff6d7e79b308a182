#include "app/print.h"

#include <fmt/format.h>

#include <ctime>

#include "spec/describe.h"
#include "spec/value.h"

namespace millet::app {

std::string format_time(std::int64_t ms) {
  if (ms <= 0) return "never";
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string_view str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

void print_state(const boost::json::object& o) {
  fmt::print("{} ({}, {})  {}  last seen {}\n", str(o, "name"), str(o, "type"), str(o, "id"),
             o.at("online").as_bool() ? "online" : "offline", format_time(o.at("last_seen").to_number<std::int64_t>()));
  const auto& reported = o.at("properties").as_object();
  const auto& desired = o.at("desired").as_object();
  for (const auto& [name, state] : reported) {
    const auto& s = state.as_object();
    std::string line = fmt::format("  {:<32} {:<12} {}", std::string_view(name), spec::json_text(s.at("value")),
                                   format_time(s.at("time").to_number<std::int64_t>()));
    if (const auto* wanted = desired.if_contains(name)) {
      line += fmt::format("  (set to {}, not reported yet)", spec::json_text(wanted->as_object().at("value")));
    }
    fmt::print("{}\n", line);
  }
  for (const auto& [name, state] : desired) {
    if (reported.contains(name)) continue;
    fmt::print("  {:<32} {:<12} (set, not reported yet)\n", std::string_view(name),
               spec::json_text(state.as_object().at("value")));
  }
}

void print_history(const boost::json::object& o, std::string_view device) {
  const std::string_view unit = spec::unit_symbol(str(o, "unit"));
  if (const auto* points = o.if_contains("points")) {
    fmt::print("{} of {}: {} values\n", str(o, "property"), device, points->as_array().size());
    for (const auto& point : points->as_array()) {
      fmt::print("{}  {} {}\n", format_time(point.at("time").to_number<std::int64_t>()),
                 spec::json_text(point.at("value")), unit);
    }
    return;
  }
  const auto& rollups = o.at("rollups").as_array();
  fmt::print("{} of {}: {} rollups of {} (min / avg / max, count)\n", str(o, "property"), device, rollups.size(),
             str(o, "level"));
  for (const auto& r : rollups) {
    fmt::print("{}  {:.6g} / {:.6g} / {:.6g} {}  ({})\n", format_time(r.at("time").to_number<std::int64_t>()),
               r.at("min").to_number<double>(), r.at("avg").to_number<double>(), r.at("max").to_number<double>(), unit,
               r.at("count").to_number<std::int64_t>());
  }
}

}  // namespace millet::app
