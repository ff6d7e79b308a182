#include "api/views.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "spec/value.h"

namespace millet::api {

namespace json = boost::json;

json::object device_json(const hub::Device& device) {
  json::array aliases(device.aliases.begin(), device.aliases.end());
  return {{"id", device.id},           {"name", device.name},     {"type", device.type},
          {"home", device.home_id},    {"room", device.room_id},  {"aliases", std::move(aliases)},
          {"revoked", device.revoked}, {"created", device.created_ms}};
}

json::object state_json(const hub::DeviceState& state) {
  json::object out = device_json(state.device);
  out["online"] = state.online;
  out["last_seen"] = state.last_seen_ms;
  json::object reported;
  for (const auto& p : state.reported) {
    reported[p.name] = json::object{{"value", spec::to_json(p.value)}, {"time", p.time_ms}, {"version", p.version},
                                    {"ids", p.ids}};
  }
  json::object desired;
  for (const auto& p : state.desired) {
    desired[p.name] = json::object{{"value", spec::to_json(p.value)}, {"time", p.time_ms}, {"version", p.version},
                                   {"request", p.request_id}, {"ids", p.ids}};
  }
  out["properties"] = std::move(reported);
  out["desired"] = std::move(desired);
  return out;
}

namespace {
// The document's "name", or "".
std::string document_name(const json::value& document) {
  const json::object* o = document.if_object();
  return o ? std::string(spec::string_at(*o, "name")) : std::string();
}
}  // namespace

json::object rule_json(const automation::RuleView& rule) {
  json::object out{{"id", rule.id}, {"home", rule.home_id}, {"name", document_name(rule.document)},
                   {"enabled", rule.enabled}};
  if (!rule.problem.empty()) out["problem"] = rule.problem;
  out["last_run"] = rule.last_run_ms ? json::value(rule.last_run_ms) : json::value(nullptr);
  out["running"] = rule.running;
  out["document"] = rule.document;
  return out;
}

json::object scene_json(const automation::SceneView& scene) {
  return {{"id", scene.id}, {"home", scene.home_id}, {"name", document_name(scene.document)},
          {"document", scene.document}};
}

json::object settings_json(const automation::HomeSettings& settings) {
  json::value location = nullptr;
  if (settings.location) {
    location = json::object{{"latitude", settings.location->latitude}, {"longitude", settings.location->longitude}};
  }
  return {{"mode", settings.mode}, {"location", std::move(location)}, {"time_zone", settings.time_zone}};
}

std::string history_json(std::string_view device_id, const hub::PropertyHistory& history, std::int64_t from_ms,
                         std::int64_t to_ms) {
  std::string out = spec::json_text(json::object{{"device", device_id},
                                                 {"property", history.property},
                                                 {"unit", history.unit},
                                                 {"level", hub::level_name(history.range.level)},
                                                 {"from", from_ms},
                                                 {"to", to_ms},
                                                 {"truncated", history.range.truncated}});
  out.pop_back();  // the closing brace
  auto it = std::back_inserter(out);
  if (history.range.level == hub::HistoryLevel::kRaw) {
    out += ",\"points\":[";
    for (const auto& point : history.range.points) {
      fmt::format_to(it, "{{\"time\":{},\"value\":", point.time_ms);
      spec::append_json_text(point.value, out);
      out += "},";
    }
  } else {
    out += ",\"rollups\":[";
    for (const auto& r : history.range.rollups) {
      fmt::format_to(it, "{{\"time\":{},\"min\":{},\"max\":{},\"avg\":{},\"count\":{}}},", r.time_ms, r.min, r.max,
                     r.average(), r.count);
    }
  }
  if (out.back() == ',') out.pop_back();
  out += "]}\n";
  return out;
}

std::optional<std::int64_t> parse_time(std::string_view text, std::int64_t now_ms) {
  if (text == "now") return now_ms;
  std::int64_t number = 0;
  const bool relative = text.starts_with('-') && text.size() > 2 && std::isalpha(static_cast<unsigned char>(text.back()));
  const std::string_view digits = relative ? text.substr(1, text.size() - 2) : text;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (!relative) return number;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60'000; break;
    case 'h': unit = 3'600'000; break;
    case 'd': unit = 86'400'000; break;
    default: return std::nullopt;
  }
  return now_ms - number * unit;
}

}  // namespace millet::api
