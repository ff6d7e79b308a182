#include "app/print.h"

#include <boost/json/serialize.hpp>
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

std::string_view str(const boost::json::object& o, std::string_view key) { return spec::string_at(o, key); }

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

namespace {

constexpr std::size_t kLineWidth = 100;

void pretty(const boost::json::value& value, std::size_t indent, std::string& out) {
  std::string flat = spec::json_text(value);
  const bool container = value.is_object() || value.is_array();
  if (!container || indent + flat.size() <= kLineWidth) {
    out += flat;
    return;
  }
  const std::string inner(indent + 2, ' ');
  bool first = true;
  if (const auto* o = value.if_object()) {
    out += "{";
    for (const auto& [key, member] : *o) {
      out += first ? "\n" : ",\n";
      first = false;
      out += inner + boost::json::serialize(boost::json::string(key)) + ": ";
      pretty(member, indent + 2, out);
    }
    out += "\n" + std::string(indent, ' ') + "}";
    return;
  }
  out += "[";
  for (const auto& item : value.get_array()) {
    out += first ? "\n" : ",\n";
    first = false;
    out += inner;
    pretty(item, indent + 2, out);
  }
  out += "\n" + std::string(indent, ' ') + "]";
}

// "12 ms", "1.4 s", "3 min"; "going" while the thing has not ended.
std::string duration(const boost::json::object& o) {
  const auto* ended = o.if_contains("ended");
  if (!ended || ended->is_null()) return "going";
  const std::int64_t ms = ended->to_number<std::int64_t>() - o.at("started").to_number<std::int64_t>();
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f} s", ms / 1000.0);
  return fmt::format("{:.1f} min", ms / 60'000.0);
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
  std::string out;
  pretty(value, 0, out);
  return out;
}

void print_rule(const boost::json::object& o, std::string_view home_name) {
  fmt::print("{} ({}) in {}\n", str(o, "name"), str(o, "id"), home_name);
  const auto* last = o.if_contains("last_run");
  const std::int64_t running = o.at("running").to_number<std::int64_t>();
  fmt::print("  {}; last run {}{}\n", o.at("enabled").as_bool() ? "enabled" : "disabled",
             last && !last->is_null() ? format_time(last->to_number<std::int64_t>()) : "never",
             running ? fmt::format("; {} run{} going", running, running == 1 ? "" : "s") : "");
  if (const auto problem = str(o, "problem"); !problem.empty()) fmt::print("  problem: {}\n", problem);
  fmt::print("{}\n", pretty_json(o.at("document")));
}

void print_trace(const boost::json::object& trace) {
  fmt::print("run {}  {}  trigger: {}\n", trace.at("run").to_number<std::uint64_t>(),
             format_time(trace.at("started").to_number<std::int64_t>()), str(trace, "trigger"));
  fmt::print("  result: {} ({})\n", str(trace, "result"), duration(trace));
  const auto& conditions = trace.at("conditions").as_array();
  if (!conditions.empty()) fmt::print("  conditions:\n");
  for (const auto& c : conditions) {
    const auto& o = c.as_object();
    fmt::print("    {} {}: {}\n", o.at("result").as_bool() ? "✓" : "✗", str(o, "path"), str(o, "why"));
  }
  const auto& steps = trace.at("steps").as_array();
  if (!steps.empty()) fmt::print("  steps:\n");
  for (const auto& s : steps) {
    const auto& o = s.as_object();
    std::string line = fmt::format("    {}  {}", str(o, "path"), str(o, "action"));
    if (const auto detail = str(o, "detail"); !detail.empty()) line += fmt::format("  {}", detail);
    fmt::print("{}  → {}  ({})\n", line, str(o, "result"), duration(o));
  }
}

}  // namespace millet::app
