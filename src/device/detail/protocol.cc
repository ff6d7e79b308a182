#include "device/detail/protocol.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace millet::device::detail {
namespace json = boost::json;

namespace {

// The request's object and its "id", or an error naming what is missing.
struct Envelope {
  json::object object;
  std::string id;
  std::string error;
};

Envelope open_envelope(std::string_view payload, std::string_view kind) {
  Envelope envelope;
  boost::system::error_code parse_error;
  json::value parsed = json::parse(payload, parse_error);
  if (parse_error) {
    envelope.error = "the " + std::string(kind) + " is not valid JSON (" + parse_error.message() + ")";
    return envelope;
  }
  if (!parsed.is_object()) {
    envelope.error = "the " + std::string(kind) + " is not a JSON object";
    return envelope;
  }
  envelope.object = std::move(parsed.get_object());
  const json::value* id = envelope.object.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty()) {
    envelope.error = "the " + std::string(kind) + R"( has no "id")";
    return envelope;
  }
  envelope.id = std::string(id->get_string());
  return envelope;
}

json::object result_head(std::string_view request_id, const std::string& error) {
  json::object result{{"id", request_id}};
  if (error.empty()) {
    result["status"] = "ok";
  } else {
    result["status"] = "error";
    result["message"] = error;
  }
  return result;
}

}  // namespace

std::string device_topic(std::string_view device_id, std::string_view rest) {
  std::string topic = "$device/";
  topic.append(device_id).append("/").append(rest);
  return topic;
}

std::string report_payload(const json::object& properties, std::optional<std::int64_t> time_ms) {
  json::object report{{"properties", properties}};
  if (time_ms) report["time"] = *time_ms;
  return json::serialize(report);
}

std::string event_payload(std::string_view name, const json::object& arguments) {
  return json::serialize(json::object{{"event", name}, {"arguments", arguments}});
}

std::string set_result_payload(std::string_view request_id, const Status& status) {
  return json::serialize(result_head(request_id, status.message()));
}

std::string action_result_payload(std::string_view request_id, const ActionResult& result) {
  json::object payload = result_head(request_id, result.message());
  if (result.is_ok()) payload["out"] = result.out();
  return json::serialize(payload);
}

SetRequest parse_set(std::string_view payload) {
  Envelope envelope = open_envelope(payload, "set");
  SetRequest set{std::move(envelope.id), {}, std::move(envelope.error)};
  if (!set.error.empty()) return set;
  json::value* properties = envelope.object.if_contains("properties");
  if (!properties || !properties->is_object()) {
    set.error = R"(the set has no "properties" object)";
    return set;
  }
  set.properties = std::move(properties->get_object());
  return set;
}

ActionRequest parse_action(std::string_view payload) {
  Envelope envelope = open_envelope(payload, "action call");
  ActionRequest call{std::move(envelope.id), {}, {}, std::move(envelope.error)};
  if (!call.error.empty()) return call;
  const json::value* action = envelope.object.if_contains("action");
  if (!action || !action->is_string() || action->get_string().empty()) {
    call.error = R"(the action call has no "action" name)";
    return call;
  }
  call.action = std::string(action->get_string());
  json::value* in = envelope.object.if_contains("in");
  if (in && !in->is_object()) {
    call.error = R"(the action call's "in" is not an object)";
    return call;
  }
  if (in) call.in = std::move(in->get_object());
  return call;
}

}  // namespace millet::device::detail
