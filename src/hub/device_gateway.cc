#include "hub/device_gateway.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "base/wall_clock.h"
#include "hub/credentials.h"
#include "mqtt/broker.h"
#include "mqtt/shard.h"
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

// The start of every event: {"type", "device", "home", "time"}.
json::object event_head(std::string_view type, const Device& device, std::int64_t time) {
  return json::object{{"type", type}, {"device", device.id}, {"home", device.home_id}, {"time", time}};
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

Expected<json::object, std::string> check_arguments(const Device& device, const spec::Service& service,
                                                    std::span<const std::uint32_t> piids, const json::object& given,
                                                    std::string_view what) {
  json::object checked;
  for (std::uint32_t piid : piids) {
    const spec::Property* property = service.property(piid);
    const std::string name = spec::qualified_name(service, property->name);
    const json::value* value = given.if_contains(name);
    if (!value) value = given.if_contains(spec::qualified_ids(service, piid));
    if (!value) value = given.if_contains(property->name);
    if (!value) return unexpected(fmt::format("device '{}': {} needs its argument '{}'", device.name, what, name));
    auto valid = spec::check_value(service, *property, *value);
    if (!valid) return unexpected(valid.error().message(device.name));
    checked[name] = spec::to_json(*valid);
  }
  if (checked.size() != given.size()) {
    return unexpected(fmt::format("device '{}': {} takes {} argument(s); {} were given", device.name, what,
                                  piids.size(), given.size()));
  }
  return checked;
}

Expected<std::vector<CheckedProperty>, std::string> check_properties(const Device& device, const spec::DeviceType& type,
                                                                     const json::object& values, spec::Use use) {
  std::vector<CheckedProperty> checked;
  checked.reserve(values.size());
  for (const auto& [address, value] : values) {
    auto found = type.find_property(address);
    if (!found) {
      return unexpected(fmt::format("device '{}': {} has no property '{}'", device.name, type.name,
                                    std::string_view(address)));
    }
    if (auto allowed = spec::check_access(*found->service, *found->member, use); !allowed) {
      return unexpected(allowed.error().message(device.name));
    }
    auto valid = spec::check_value(*found->service, *found->member, value);
    if (!valid) return unexpected(valid.error().message(device.name));
    checked.push_back({PropertyId{static_cast<std::uint16_t>(found->service->siid),
                                  static_cast<std::uint16_t>(found->member->piid)},
                       *found, std::move(*valid)});
  }
  return checked;
}

Expected<std::vector<CheckedValue>, std::string> check_set(const Device& device, const spec::DeviceType& type,
                                                           const json::object& values) {
  auto valid = check_properties(device, type, values, spec::Use::kSet);
  if (!valid) return unexpected(std::move(valid.error()));
  std::vector<CheckedValue> checked;
  checked.reserve(valid->size());
  for (auto& [id, found, value] : *valid) {
    checked.push_back({id, spec::qualified_name(*found.service, found.member->name), std::move(value)});
  }
  return checked;
}

std::string_view status_name(CommandReply::Status status) {
  switch (status) {
    case CommandReply::Status::kOk: return "ok";
    case CommandReply::Status::kError: return "error";
    case CommandReply::Status::kSent: return "sent";
    case CommandReply::Status::kQueued: return "queued";
    case CommandReply::Status::kTimeout: return "timeout";
    case CommandReply::Status::kOffline: return "offline";
  }
  return "?";
}

DeviceGateway::DeviceGateway(Registry& registry, History& history, store::KvStore& store, std::size_t shard_count,
                             DeviceGatewayOptions options)
    : registry_(registry), history_(history), store_(store), options_(options), shards_(shard_count) {}

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
    if (message.payload == "offline") {
      Shadow& shadow = shadows(shard).at(device->id);
      const bool was_online = shadow.online;
      shadow.online = false;
      if (was_online) connection_changed(*device, false, wall_clock_ms());
    }
    return Verdict{Verdict::Kind::kConsumed};
  }
  return handle_result(shard, *device, message, batch);  // set/result, action/result
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
  const std::int64_t now = wall_clock_ms();
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
  auto checked = check_properties(device, *type, properties->get_object(), spec::Use::kReport);
  if (!checked) return rejected(std::move(checked.error()));
  ShadowTable& table = shadows(shard);
  const Shadow& shadow = table.at(device.id);
  json::object reported;
  const bool emitting = events_.active();
  for (auto& [id, found, value] : *checked) {
    if (auto recorded = history_.record(batch, device.id, id, time, value); !recorded) {
      return Verdict{Verdict::Kind::kRejected, ReasonCode::kImplementationSpecificError, recorded.error()};
    }
    // A desired value is settled once the device reports it.
    if (auto desired = shadow.desired.find(property_key(id)); desired != shadow.desired.end() &&
                                                              desired->second.value == value) {
      table.settle(batch, device.id, id);
    }
    if (emitting) reported[spec::qualified_name(*found.service, found.member->name)] = spec::to_json(value);
    table.report(batch, device.id, id, value, time);
  }
  if (observer_) observer_->reported(device, *checked, time);
  if (emitting) {
    json::object event = event_head("report", device, time);
    event["properties"] = std::move(reported);
    emit(device, spec::json_text(event));
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
  const std::string event_name = spec::qualified_name(*found->service, found->member->name);
  auto checked = check_arguments(device, *found->service, found->member->arguments, given, "event " + event_name);
  if (!checked) return rejected(std::move(checked.error()));
  spdlog::debug("device '{}' ({}): event {}", device.name, device.id, event_name);
  if (observer_) observer_->event(device, event_name, *checked);
  if (events_.active()) {
    json::object out = event_head("event", device, wall_clock_ms());
    out["event"] = event_name;
    out["arguments"] = std::move(*checked);
    emit(device, spec::json_text(out));
  }
  return Verdict{Verdict::Kind::kConsumed};
}

Verdict DeviceGateway::handle_result(std::size_t shard, const Device& device, const mqtt::Message& message,
                                     store::WriteBatch& batch) {
  const bool is_action = message.topic.ends_with("/action/result");
  auto result = parse_object(message.payload);
  if (!result) return rejected(fmt::format("device '{}': {}", device.name, result.error()));
  const auto* id = result->if_contains("id");
  const auto* status = result->if_contains("status");
  if (!id || !id->is_string() || !status || !status->is_string() ||
      (status->get_string() != "ok" && status->get_string() != "error")) {
    return rejected(fmt::format(R"(device '{}': a result needs "id": "<request id>" and "status": "ok" or "error")",
                                device.name));
  }
  const std::string request_id(id->get_string());
  CommandReply reply{request_id, status->get_string() == "ok" ? CommandReply::Status::kOk : CommandReply::Status::kError,
                     {}, {}};
  if (const auto* text = result->if_contains("message"); text && text->is_string()) {
    reply.message = std::string(text->get_string());
  }
  ShardState& state = shards_[shard];
  auto pending = state.pending.find(request_id);
  const bool awaited = pending != state.pending.end() && pending->second.device_id == device.id;
  // An action's output is checked like any value the device sends.
  if (is_action && reply.status == CommandReply::Status::kOk && awaited && pending->second.action) {
    const json::object empty;
    const auto* out = result->if_contains("out");
    const json::object& given = out && out->is_object() ? out->get_object() : empty;
    const spec::Service& service = *pending->second.service;
    for (std::uint32_t piid : pending->second.action->out) {
      const spec::Property* property = service.property(piid);
      const std::string name = spec::qualified_name(service, property->name);
      const json::value* value = given.if_contains(name);
      if (!value) value = given.if_contains(spec::qualified_ids(service, piid));
      auto valid = value ? spec::check_value(service, *property, *value)
                         : Expected<spec::Value, spec::Rejection>(unexpected(spec::Rejection{name, {}, "is missing"}));
      if (!valid) {
        reply.status = CommandReply::Status::kError;
        reply.message = "the device's answer was invalid: " + valid.error().message(device.name);
        reply.out.clear();
        break;
      }
      reply.out[name] = spec::to_json(*valid);
    }
  }
  // A set the device refused: its values are no longer wanted. A set it did: its
  // write-only values (a motor command) are done, as they can never be reported.
  if (!is_action) {
    const spec::DeviceType* type = registry_.catalog().find(device.type);
    ShadowTable& table = shadows(shard);
    std::vector<PropertyId> settled;
    for (const auto& [key, desired] : table.at(device.id).desired) {
      if (desired.request_id != request_id) continue;
      const PropertyId id = property_id(key);
      const spec::Service* service = type ? type->service(id.siid) : nullptr;
      const spec::Property* property = service ? service->property(id.piid) : nullptr;
      const bool reportable = property && (property->allows(spec::kNotify) || property->allows(spec::kRead));
      if (reply.status == CommandReply::Status::kError || !reportable) settled.push_back(id);
    }
    for (PropertyId property : settled) table.settle(batch, device.id, property);
  }
  if (events_.active()) {
    json::object event = event_head("result", device, wall_clock_ms());
    event["request"] = request_id;
    event["status"] = status_name(reply.status);
    if (!reply.message.empty()) event["message"] = reply.message;
    if (is_action) event["out"] = reply.out;
    emit(device, spec::json_text(event));
  }
  if (!awaited) {
    spdlog::debug("device '{}' ({}): a result for {} nobody awaits", device.name, device.id, request_id);
    return Verdict{Verdict::Kind::kConsumed};
  }
  Pending done = std::move(pending->second);
  state.pending.erase(pending);
  if (broker_ && done.timer) broker_->shard(shard).reactor().cancel(done.timer);
  done.reply(std::move(reply));
  return Verdict{Verdict::Kind::kConsumed};
}

// --- commands --------------------------------------------------------------------------------

DeviceGateway::PreparedSet DeviceGateway::prepare_set(std::size_t shard, const Device& device,
                                                      std::vector<CheckedValue>& values, std::int64_t now,
                                                      store::WriteBatch& batch) {
  PreparedSet set{unique_id("s-"), {}};
  ShadowTable& table = shadows(shard);
  for (CheckedValue& checked : values) {
    set.properties[checked.name] = spec::to_json(checked.value);
    table.desire(batch, device.id, checked.id, std::move(checked.value), now, set.request_id);
  }
  return set;
}

bool DeviceGateway::dispatch_set(std::size_t shard, const Device& device, PreparedSet set, std::int64_t now,
                                 bool publish_now) {
  if (events_.active()) {
    json::object event = event_head("desired", device, now);
    event["request"] = set.request_id;
    event["properties"] = set.properties;
    emit(device, spec::json_text(event));
  }
  send_to_device(shard, device.id, "set",
                 spec::json_text(json::object{{"id", std::move(set.request_id)}, {"properties", std::move(set.properties)}}),
                 publish_now);
  return shadows(shard).at(device.id).online;
}

void DeviceGateway::send_set(std::size_t shard, const Device& device, std::vector<CheckedValue> values,
                             std::chrono::milliseconds wait, ReplyHandler reply) {
  const std::int64_t now = wall_clock_ms();
  store::WriteBatch batch;
  PreparedSet set = prepare_set(shard, device, values, now, batch);
  if (auto written = store_.write(batch); !written) {
    reply(unexpected(Error{Error::Code::kStorage, "the desired values could not be stored: " + written.error()}));
    return;
  }
  const std::string request_id = set.request_id;
  const bool online = dispatch_set(shard, device, std::move(set), now, false);
  if (!online || wait.count() <= 0) {
    reply(CommandReply{request_id, online ? CommandReply::Status::kSent : CommandReply::Status::kQueued, {}, {}});
    return;
  }
  await_reply(shard, request_id, Pending{device.id, std::move(reply)}, wait);
}

void DeviceGateway::send_sets(std::size_t shard, std::vector<SetCommand> commands) {
  const std::int64_t now = wall_clock_ms();
  store::WriteBatch batch;
  std::vector<PreparedSet> prepared;
  prepared.reserve(commands.size());
  for (SetCommand& command : commands) prepared.push_back(prepare_set(shard, command.device, command.values, now, batch));
  if (auto written = store_.write(batch); !written) {
    for (SetCommand& command : commands) {
      command.reply(unexpected(Error{Error::Code::kStorage, "the desired values could not be stored: " + written.error()}));
    }
    return;
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const std::string request_id = prepared[i].request_id;
    const bool online = dispatch_set(shard, commands[i].device, std::move(prepared[i]), now, true);
    commands[i].reply(
        CommandReply{request_id, online ? CommandReply::Status::kSent : CommandReply::Status::kQueued, {}, {}});
  }
}

void DeviceGateway::send_action(std::size_t shard, const Device& device, const spec::Service& service,
                                const spec::Action& action, json::object in, std::chrono::milliseconds wait,
                                ReplyHandler reply) {
  const std::string request_id = unique_id("a-");
  if (!shadows(shard).at(device.id).online) {
    reply(CommandReply{request_id, CommandReply::Status::kOffline,
                       fmt::format("device '{}' is offline; actions are not queued", device.name), {}});
    return;
  }
  const std::string name = spec::qualified_name(service, action.name);
  if (events_.active()) {
    json::object event = event_head("action", device, wall_clock_ms());
    event["request"] = request_id;
    event["action"] = name;
    event["in"] = in;
    emit(device, spec::json_text(event));
  }
  send_to_device(shard, device.id, "action",
                 spec::json_text(json::object{{"id", request_id}, {"action", name}, {"in", std::move(in)}}));
  if (wait.count() <= 0) {
    reply(CommandReply{request_id, CommandReply::Status::kSent, {}, {}});
    return;
  }
  await_reply(shard, request_id, Pending{device.id, std::move(reply), 0, &service, &action}, wait);
}

void DeviceGateway::await_reply(std::size_t shard, std::string request_id, Pending pending,
                                std::chrono::milliseconds wait) {
  pending.timer = broker_->shard(shard).reactor().after(wait, [this, shard, request_id] {
    auto& waiting = shards_[shard].pending;
    auto it = waiting.find(request_id);
    if (it == waiting.end()) return;
    ReplyHandler reply = std::move(it->second.reply);
    waiting.erase(it);
    reply(CommandReply{request_id, CommandReply::Status::kTimeout, "the device did not answer in time", {}});
  });
  shards_[shard].pending.emplace(std::move(request_id), std::move(pending));
}

void DeviceGateway::send_to_device(std::size_t shard, std::string_view device_id, std::string_view rest,
                                   std::string payload, bool now) {
  if (!broker_) return;
  auto message = std::make_shared<mqtt::Message>();
  message->topic = fmt::format("{}{}/{}", kDevicePrefix, device_id, rest);
  message->payload = std::move(payload);
  message->qos = 1;
  mqtt::Shard& target = broker_->shard(shard);
  if (now) {
    target.publish(std::move(message));
    return;
  }
  target.reactor().post([&target, message = mqtt::MessagePtr(std::move(message))] { target.publish(message); });
}

void DeviceGateway::resend_desired(std::size_t shard, std::string_view device_id) {
  Shadow& shadow = shadows(shard).at(device_id);
  if (shadow.desired.empty()) return;
  auto device = registry_.find_device(device_id);
  const spec::DeviceType* type = device ? registry_.catalog().find(device->type) : nullptr;
  if (!type) return;
  const std::string request_id = unique_id("s-");
  json::object properties;
  for (auto& [key, desired] : shadow.desired) {
    const PropertyId id = property_id(key);
    properties[type->property_name(id.siid, id.piid)] = spec::to_json(desired.value);
    desired.request_id = request_id;  // an error answer to the new request settles them
  }
  spdlog::info("device '{}' ({}): sending {} desired values again", device->name, device->id, properties.size());
  send_to_device(shard, device_id, "set", spec::json_text(json::object{{"id", request_id}, {"properties", properties}}));
}

void DeviceGateway::emit(const Device& device, std::string json) const {
  events_.publish(std::make_shared<const DeviceEvent>(DeviceEvent{device.home_id, device.id, std::move(json)}));
}

// --- online and offline -------------------------------------------------------------------

void DeviceGateway::connection_changed(const Device& device, bool online, std::int64_t time_ms) const {
  if (observer_) observer_->connection(device, online);
  if (events_.active()) emit(device, spec::json_text(event_head(online ? "online" : "offline", device, time_ms)));
}

void DeviceGateway::on_connected(std::size_t shard, ClientRole role, std::string_view client_id) {
  if (role != ClientRole::kDevice) return;
  Shadow& shadow = shadows(shard).at(client_id);
  shadow.online = true;
  shadow.last_seen_ms = wall_clock_ms();
  if (events_.active() || observer_) {
    if (auto device = registry_.find_device(client_id)) connection_changed(*device, true, shadow.last_seen_ms);
  }
  // A resumed session has its subscription already; a new one gets them after SUBSCRIBE.
  resend_desired(shard, client_id);
}

void DeviceGateway::on_disconnected(std::size_t shard, ClientRole role, std::string_view client_id) {
  if (role != ClientRole::kDevice) return;
  Shadow& shadow = shadows(shard).at(client_id);
  const bool was_online = shadow.online;
  shadow.online = false;
  shadow.last_seen_ms = wall_clock_ms();
  if (was_online && (events_.active() || observer_)) {
    if (auto device = registry_.find_device(client_id)) connection_changed(*device, false, shadow.last_seen_ms);
  }
}

void DeviceGateway::on_subscribed(std::size_t shard, ClientRole role, std::string_view client_id,
                                  std::string_view filter) {
  if (role != ClientRole::kDevice) return;
  const auto parsed = parse_device_topic(filter);
  if (parsed && (parsed->rest == "set" || parsed->rest == "+" || parsed->rest == "#")) resend_desired(shard, client_id);
}

}  // namespace millet::hub
