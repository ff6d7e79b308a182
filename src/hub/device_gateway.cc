#include "hub/device_gateway.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "spec/validate.h"

namespace millet::hub {
namespace {

namespace json = boost::json;
using mqtt::ClientRole;
using mqtt::ReasonCode;
using mqtt::Verdict;

constexpr std::string_view kDevicePrefix = "$device/";
constexpr std::string_view kDeviceIdPrefix = "d-";

// What a device may publish under its own `$device/<id>/`, and subscribe to.
constexpr std::string_view kPublishable[] = {"report", "event", "status", "set/result", "action/result"};
constexpr std::string_view kSubscribable[] = {"set", "action", "+", "#"};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Verdict rejected(std::string why) {
  return Verdict{Verdict::Kind::kRejected, ReasonCode::kPayloadFormatInvalid, std::move(why)};
}

// A payload that is a JSON object, or why not.
Expected<json::object, std::string> parse_object(std::string_view payload) {
  boost::system::error_code error;
  json::value document = json::parse(payload, error);
  if (error) return unexpected(fmt::format("the payload is not valid JSON ({})", error.message()));
  if (!document.is_object()) return unexpected(std::string("the payload must be a JSON object"));
  return std::move(document.get_object());
}

// The topic filter of a subscription, without a `$share/<group>/` in front.
std::string_view unshared(std::string_view filter) {
  if (!filter.starts_with("$share/")) return filter;
  const auto slash = filter.find('/', 7);
  return slash == std::string_view::npos ? std::string_view() : filter.substr(slash + 1);
}

}  // namespace

std::optional<DeviceTopic> parse_device_topic(std::string_view topic) {
  if (!topic.starts_with(kDevicePrefix)) return std::nullopt;
  const std::string_view after = topic.substr(kDevicePrefix.size());
  const auto slash = after.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  return DeviceTopic{after.substr(0, slash), after.substr(slash + 1)};
}

DeviceGateway::DeviceGateway(Registry& registry, History& history, std::size_t shard_count,
                             DeviceGatewayOptions options)
    : registry_(registry), history_(history), options_(options), shadows_(shard_count) {}

// --- who may connect ---------------------------------------------------------------

mqtt::Admission DeviceGateway::admit(std::string_view client_id, std::optional<std::string_view> username,
                                     std::optional<ByteSpan> password) {
  const bool claims_device = client_id.starts_with(kDeviceIdPrefix) || username;
  if (!claims_device) {
    if (options_.allow_anonymous) return {};
    return {ReasonCode::kNotAuthorized, ClientRole::kAnonymous, "this server admits only devices with credentials"};
  }
  // A device: its id as client id and user name, its secret as password. Client
  // ids beginning "d-" are kept for devices, so nobody else can take a device's
  // session over.
  if (!client_id.starts_with(kDeviceIdPrefix) || username != client_id) {
    return {ReasonCode::kBadUserNameOrPassword, ClientRole::kAnonymous,
            "a device connects with its id as both client id and user name"};
  }
  const std::string_view secret = password ? as_text(*password) : std::string_view();
  if (registry_.authenticate_device(client_id, secret)) return {ReasonCode::kSuccess, ClientRole::kDevice, {}};
  if (auto device = registry_.find_device(client_id); device && device->revoked) {
    return {ReasonCode::kNotAuthorized, ClientRole::kAnonymous, "the device's credentials have been revoked"};
  }
  return {ReasonCode::kBadUserNameOrPassword, ClientRole::kAnonymous, "unknown device or wrong secret"};
}

// --- what each may use --------------------------------------------------------------

// Whether a topic or filter is in the devices' namespace. (A filter can match
// `$device/...` topics only if it starts with `$device/`: wildcards at the
// start do not match `$`-topics.)
static bool in_device_namespace(std::string_view topic_or_filter) { return topic_or_filter.starts_with(kDevicePrefix); }

bool DeviceGateway::may_publish(ClientRole role, std::string_view client_id, std::string_view topic) {
  if (role != ClientRole::kDevice) return !in_device_namespace(topic);
  const auto parsed = parse_device_topic(topic);
  if (!parsed || parsed->device_id != client_id) return false;
  return std::find(std::begin(kPublishable), std::end(kPublishable), parsed->rest) != std::end(kPublishable);
}

bool DeviceGateway::may_subscribe(ClientRole role, std::string_view client_id, std::string_view filter) {
  if (role != ClientRole::kDevice) return !in_device_namespace(unshared(filter));
  if (filter.starts_with("$share/")) return false;
  const auto parsed = parse_device_topic(filter);
  if (!parsed || parsed->device_id != client_id) return false;
  return std::find(std::begin(kSubscribable), std::end(kSubscribable), parsed->rest) != std::end(kSubscribable);
}

// --- what devices send ----------------------------------------------------------------

Verdict DeviceGateway::on_message(std::size_t shard, ClientRole role, std::string_view client_id,
                                  const mqtt::Message& message, store::WriteBatch& batch) {
  const auto topic = parse_device_topic(message.topic);
  if (!topic || role != ClientRole::kDevice) return {};  // may_publish let it through: not ours
  auto device = registry_.find_device(client_id);
  if (!device) {
    return Verdict{Verdict::Kind::kRejected, ReasonCode::kNotAuthorized, "the device no longer exists"};
  }
  if (topic->rest == "report") return handle_report(shard, *device, message, batch);
  if (topic->rest == "event") return handle_event(*device, message);
  if (topic->rest == "status") {
    if (message.payload == "offline") shadows_[shard].at(device->id).online = false;
    return Verdict{Verdict::Kind::kConsumed};
  }
  // set/result and action/result: answers to commands (the command path is not built yet).
  spdlog::debug("device '{}' ({}): {} received", device->name, device->id, topic->rest);
  return Verdict{Verdict::Kind::kConsumed};
}

Verdict DeviceGateway::handle_report(std::size_t shard, const Device& device, const mqtt::Message& message,
                                     store::WriteBatch& batch) {
  const spec::DeviceType* type = registry_.catalog().find(device.type);
  if (!type) return rejected(fmt::format("device '{}': its type '{}' is not in the catalog", device.name, device.type));
  auto report = parse_object(message.payload);
  if (!report) return rejected(fmt::format("device '{}': {}", device.name, report.error()));
  const auto* properties = report->if_contains("properties");
  if (!properties || !properties->is_object() || properties->get_object().empty()) {
    return rejected(fmt::format("device '{}': a report needs \"properties\": {{\"<service>.<property>\": value, ...}}",
                                device.name));
  }
  const std::int64_t now = now_ms();
  std::int64_t time = now;
  if (const auto* t = report->if_contains("time")) {
    if (!t->is_int64()) return rejected(fmt::format("device '{}': \"time\" must be milliseconds since the epoch", device.name));
    time = t->get_int64();
    if (time < now - options_.max_report_age_ms || time > now + options_.max_clock_skew_ms) {
      return rejected(fmt::format("device '{}': \"time\" {} is more than 7 days old or ahead of the server's clock",
                                  device.name, time));
    }
  }
  // Every value is checked before anything is kept: a report is taken whole or not at all.
  struct Checked {
    PropertyId id;
    spec::Value value;
  };
  std::vector<Checked> checked;
  for (const auto& [address, value] : properties->get_object()) {
    auto found = type->find_property(address);
    if (!found) {
      return rejected(fmt::format("device '{}': {} has no property '{}'", device.name, type->name,
                                  std::string_view(address)));
    }
    if (auto allowed = spec::check_access(*found->service, *found->member, spec::Use::kReport); !allowed) {
      return rejected(allowed.error().message(device.name));
    }
    auto valid = spec::check_value(*found->service, *found->member, value);
    if (!valid) return rejected(valid.error().message(device.name));
    checked.push_back({PropertyId{static_cast<std::uint16_t>(found->service->siid),
                                  static_cast<std::uint16_t>(found->member->piid)},
                       std::move(*valid)});
  }
  for (auto& [id, value] : checked) {
    if (auto recorded = history_.record(batch, device.id, id, time, value); !recorded) {
      return Verdict{Verdict::Kind::kRejected, ReasonCode::kImplementationSpecificError, recorded.error()};
    }
    shadows_[shard].report(batch, device.id, id, std::move(value), time);
  }
  return Verdict{Verdict::Kind::kConsumed};
}

Verdict DeviceGateway::handle_event(const Device& device, const mqtt::Message& message) {
  const spec::DeviceType* type = registry_.catalog().find(device.type);
  if (!type) return rejected(fmt::format("device '{}': its type '{}' is not in the catalog", device.name, device.type));
  auto event = parse_object(message.payload);
  if (!event) return rejected(fmt::format("device '{}': {}", device.name, event.error()));
  const auto* name = event->if_contains("event");
  if (!name || !name->is_string()) {
    return rejected(fmt::format("device '{}': an event needs \"event\": \"<service>.<event>\"", device.name));
  }
  auto found = type->find_event(name->get_string());
  if (!found) {
    return rejected(fmt::format("device '{}': {} has no event '{}'", device.name, type->name,
                                std::string_view(name->get_string())));
  }
  const json::object empty;
  const auto* arguments = event->if_contains("arguments");
  if (arguments && !arguments->is_object()) {
    return rejected(fmt::format("device '{}': \"arguments\" must be an object", device.name));
  }
  const json::object& given = arguments ? arguments->get_object() : empty;
  for (std::uint32_t piid : found->member->arguments) {
    const spec::Property* property = found->service->property(piid);
    const json::value* value = given.if_contains(property->name);
    if (!value) value = given.if_contains(spec::qualified_ids(*found->service, piid));
    if (!value) {
      return rejected(fmt::format("device '{}': event {} needs its argument '{}'", device.name,
                                  spec::qualified_name(*found->service, found->member->name), property->name));
    }
    if (auto valid = spec::check_value(*found->service, *property, *value); !valid) {
      return rejected(valid.error().message(device.name));
    }
  }
  spdlog::info("device '{}' ({}): event {}", device.name, device.id,
               spec::qualified_name(*found->service, found->member->name));
  return Verdict{Verdict::Kind::kConsumed};
}

// --- online and offline -------------------------------------------------------------------

void DeviceGateway::on_connected(std::size_t shard, ClientRole role, std::string_view client_id) {
  if (role != ClientRole::kDevice) return;
  Shadow& shadow = shadows_[shard].at(client_id);
  shadow.online = true;
  shadow.last_seen_ms = now_ms();
}

void DeviceGateway::on_disconnected(std::size_t shard, ClientRole role, std::string_view client_id) {
  if (role != ClientRole::kDevice) return;
  Shadow& shadow = shadows_[shard].at(client_id);
  shadow.online = false;
  shadow.last_seen_ms = now_ms();
}

}  // namespace millet::hub
