#include "hub/hub.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mqtt/broker.h"
#include "mqtt/shard.h"
#include "spec/validate.h"

namespace millet::hub {
namespace {

namespace json = boost::json;

Error invalid(std::string message) { return Error{Error::Code::kInvalid, std::move(message)}; }

const spec::DeviceType* type_of(const Registry& registry, const Device& device) {
  return registry.catalog().find(device.type);
}

}  // namespace

DeviceState state_of(const Device& device, const spec::Catalog& catalog, const Shadow* shadow) {
  DeviceState state{device};
  if (!shadow) return state;
  const spec::DeviceType* type = catalog.find(device.type);
  const auto name = [type](PropertyId id) { return type ? type->property_name(id.siid, id.piid) : std::string(); };
  state.online = shadow->online;
  state.last_seen_ms = shadow->last_seen_ms;
  for (const auto& [key, reported] : shadow->reported) {
    const PropertyId id = property_id(key);
    state.reported.push_back({name(id), fmt::format("{}.{}", id.siid, id.piid), reported.value, reported.time_ms,
                              reported.version, {}});
  }
  for (const auto& [key, desired] : shadow->desired) {
    const PropertyId id = property_id(key);
    state.desired.push_back({name(id), fmt::format("{}.{}", id.siid, id.piid), desired.value, desired.time_ms,
                             desired.version, desired.request_id});
  }
  return state;
}

Hub::Hub(Registry& registry, History& history, DeviceGateway& gateway, mqtt::Broker& broker)
    : registry_(registry), history_(history), gateway_(gateway), broker_(broker) {}

void Hub::on_device_shard(std::string_view device_id, std::function<void(std::size_t)> task) {
  mqtt::Shard& shard = broker_.home_shard(device_id);
  shard.reactor().post([index = shard.index(), task = std::move(task)] { task(index); });
}

void Hub::state(std::string_view actor, std::string_view device_id, Callback<DeviceState> done) {
  auto device = registry_.device(actor, device_id);
  if (!device) return done(unexpected(device.error()));
  on_device_shard(device_id, [this, device = std::move(*device), done = std::move(done)](std::size_t shard) {
    done(state_of(device, registry_.catalog(), gateway_.shadows(shard).find(device.id)));
  });
}

void Hub::set(std::string_view actor, std::string_view device_id, const json::object& values,
              std::chrono::milliseconds wait, Callback<CommandReply> done) {
  auto device = registry_.device(actor, device_id);
  if (!device) return done(unexpected(device.error()));
  const spec::DeviceType* type = type_of(registry_, *device);
  if (!type) return done(unexpected(invalid(fmt::format("device '{}': its type '{}' is not in the catalog", device->name, device->type))));
  if (values.empty()) return done(unexpected(invalid("give at least one property to set")));
  auto checked = check_set(*device, *type, values);
  if (!checked) return done(unexpected(invalid(std::move(checked.error()))));
  on_device_shard(device_id, [this, device = std::move(*device), checked = std::move(*checked), wait,
                              done = std::move(done)](std::size_t shard) mutable {
    gateway_.send_set(shard, device, std::move(checked), wait, std::move(done));
  });
}

void Hub::call(std::string_view actor, std::string_view device_id, std::string_view action,
               const json::object& in, std::chrono::milliseconds wait, Callback<CommandReply> done) {
  auto device = registry_.device(actor, device_id);
  if (!device) return done(unexpected(device.error()));
  call_device(std::move(*device), action, in, wait, std::move(done));
}

Result<Device> Hub::device_in_home(std::string_view home_id, std::string_view device_id) const {
  auto device = registry_.find_device(device_id);
  if (!device || device->home_id != home_id) {
    return unexpected(Error{Error::Code::kNotFound, fmt::format("no device '{}' in this home", device_id)});
  }
  return std::move(*device);
}

std::size_t Hub::shard_of(std::string_view device_id) { return broker_.home_shard(device_id).index(); }

void Hub::send_sets(std::size_t shard, std::vector<DeviceGateway::SetCommand> commands) {
  broker_.shard(shard).reactor().post([this, shard, commands = std::move(commands)]() mutable {
    gateway_.send_sets(shard, std::move(commands));
  });
}

void Hub::call_in_home(std::string_view home_id, std::string_view device_id, std::string_view action,
                       const json::object& in, std::chrono::milliseconds wait, Callback<CommandReply> done) {
  auto device = device_in_home(home_id, device_id);
  if (!device) return done(unexpected(device.error()));
  call_device(std::move(*device), action, in, wait, std::move(done));
}

void Hub::peek(std::string_view device_id, std::function<void(const Shadow*)> read) {
  on_device_shard(device_id, [this, id = std::string(device_id), read = std::move(read)](std::size_t shard) {
    read(gateway_.shadows(shard).find(id));
  });
}

void Hub::publish_home_event(std::string_view home_id, std::string json) {
  gateway_.events().publish(std::make_shared<const DeviceEvent>(DeviceEvent{std::string(home_id), {}, std::move(json)}));
}

void Hub::call_device(Device device_value, std::string_view action, const json::object& in,
                      std::chrono::milliseconds wait, Callback<CommandReply> done) {
  const Device* device = &device_value;
  const spec::DeviceType* type = type_of(registry_, *device);
  if (!type) return done(unexpected(invalid(fmt::format("device '{}': its type '{}' is not in the catalog", device->name, device->type))));
  auto found = type->find_action(action);
  if (!found) {
    return done(unexpected(invalid(fmt::format("device '{}': {} has no action '{}'", device->name, type->name, action))));
  }
  const spec::Service& service = *found->service;
  const spec::Action& spec_action = *found->member;
  auto arguments = check_arguments(*device, service, spec_action.in, in,
                                   "action " + spec::qualified_name(service, spec_action.name));
  if (!arguments) return done(unexpected(invalid(std::move(arguments.error()))));
  const std::string device_id = device->id;
  on_device_shard(device_id, [this, device = std::move(device_value), &service, &spec_action, arguments = std::move(*arguments),
                              wait, done = std::move(done)](std::size_t shard) mutable {
    gateway_.send_action(shard, device, service, spec_action, std::move(arguments), wait, std::move(done));
  });
}

Result<void> Hub::remove_device(std::string_view actor, std::string_view device_id) {
  if (auto removed = registry_.remove_device(actor, device_id); !removed) return removed;
  on_device_shard(device_id, [this, id = std::string(device_id)](std::size_t shard) {
    store::WriteBatch batch;
    gateway_.shadows(shard).forget(batch, id);
    if (auto written = gateway_.write(batch); !written) {
      spdlog::warn("device {}: its shadow could not be erased: {}", id, written.error());
    }
  });
  store::WriteBatch batch;
  auto erased = history_.erase_device(batch, device_id);
  if (!erased) return unexpected(Error{Error::Code::kStorage, erased.error()});
  if (auto written = gateway_.write(batch); !written) return unexpected(Error{Error::Code::kStorage, written.error()});
  return {};
}

Result<PropertyHistory> property_history(const Registry& registry, const History& history, std::string_view actor,
                                         std::string_view device_id, std::string_view property, std::int64_t from_ms,
                                         std::int64_t to_ms, std::optional<HistoryLevel> level, std::size_t limit) {
  auto device = registry.device(actor, device_id);
  if (!device) return unexpected(device.error());
  const spec::DeviceType* type = type_of(registry, *device);
  auto found = type ? type->find_property(property) : std::nullopt;
  if (!found) {
    return unexpected(invalid(fmt::format("device '{}': {} has no property '{}'", device->name,
                                          type ? type->name : device->type, property)));
  }
  if (from_ms >= to_ms) return unexpected(invalid("the range is empty: \"from\" must be before \"to\""));
  const PropertyId id{static_cast<std::uint16_t>(found->service->siid), static_cast<std::uint16_t>(found->member->piid)};
  auto range = history.query(device->id, id, from_ms, to_ms, level, limit);
  if (!range) return unexpected(Error{Error::Code::kStorage, range.error()});
  return PropertyHistory{spec::qualified_name(*found->service, found->member->name), found->member->unit,
                         std::move(*range)};
}

Result<PropertyHistory> Hub::history(std::string_view actor, std::string_view device_id, std::string_view property,
                                     std::int64_t from_ms, std::int64_t to_ms, std::optional<HistoryLevel> level,
                                     std::size_t limit) const {
  return property_history(registry_, history_, actor, device_id, property, from_ms, to_ms, level, limit);
}

}  // namespace millet::hub
