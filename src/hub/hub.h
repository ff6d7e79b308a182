#pragma once
// Hub: the one call every producer of commands goes through — the API now,
// automations and the assistant next (DESIGN.md, "The data flow") — so that
// authorisation, validation and the path to the device are the same for all.
// It checks that the person may use the device (any role in its home), checks
// each value against the device's spec, and hands the command to the shard
// that holds the device's session, where its shadow lives.
//
// Threads: callable from any thread. Callbacks run on the device's shard
// thread, or on the calling thread when the request is refused before it gets
// there; they must hand their result to their own thread.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/device_gateway.h"
#include "hub/history.h"
#include "hub/registry.h"

namespace millet::mqtt {
class Broker;
}

namespace millet::hub {

// One property of a device's state, named for people and by ids.
struct PropertyView {
  std::string name;  // "light.brightness"
  std::string ids;   // "2.2"
  spec::Value value;
  std::int64_t time_ms = 0;
  std::uint64_t version = 0;         // counts reports (reported values) or sets (desired values)
  std::string request_id;            // desired values: the set that asked for it
};

struct DeviceState {
  Device device;
  bool online = false;
  std::int64_t last_seen_ms = 0;  // 0: never
  std::vector<PropertyView> reported;
  std::vector<PropertyView> desired;
};

struct PropertyHistory {
  std::string property;  // "environment.temperature"
  std::string unit;      // empty: none
  HistoryRange range;
};

// A device's state from its shadow (none: nothing known yet).
DeviceState state_of(const Device& device, const spec::Catalog& catalog, const Shadow* shadow);

// A property's history in [from_ms, to_ms) for `actor` (see History::query):
// what Hub::history does, also for the command line on a stopped millet's data.
Result<PropertyHistory> property_history(const Registry& registry, const History& history, std::string_view actor,
                                         std::string_view device_id, std::string_view property, std::int64_t from_ms,
                                         std::int64_t to_ms, std::optional<HistoryLevel> level, std::size_t limit);

class Hub {
 public:
  template <class T>
  using Callback = std::function<void(Result<T>)>;

  Hub(Registry& registry, History& history, DeviceGateway& gateway, mqtt::Broker& broker);

  Registry& registry() { return registry_; }
  EventBus& events() { return gateway_.events(); }

  // The device's shadow: reported and desired values, online, last seen.
  void state(std::string_view actor, std::string_view device_id, Callback<DeviceState> done);

  // Sets properties (`{"light.brightness": 50, "2.1": true}`): every value is
  // checked first, then all are kept as desired and sent; `done` gets the
  // device's answer within `wait` (see DeviceGateway::send_set).
  void set(std::string_view actor, std::string_view device_id, const boost::json::object& values,
           std::chrono::milliseconds wait, Callback<CommandReply> done);

  // Calls an action ("speaker.play-text") with its input arguments.
  void call(std::string_view actor, std::string_view device_id, std::string_view action,
            const boost::json::object& in, std::chrono::milliseconds wait, Callback<CommandReply> done);

  // --- for automations, which act for a home rather than a person ---
  // The device in `home_id`, whoever asks.
  Result<Device> device_in_home(std::string_view home_id, std::string_view device_id) const;
  // Which shard holds the device (its session and shadow).
  std::size_t shard_of(std::string_view device_id);
  // Sets already checked, for devices of that shard, none awaited: one store write for all
  // (DeviceGateway::send_sets). Replies come on the shard's thread.
  void send_sets(std::size_t shard, std::vector<DeviceGateway::SetCommand> commands);
  // Calls an action of a device in `home_id`, checked as call() checks it.
  void call_in_home(std::string_view home_id, std::string_view device_id, std::string_view action,
                    const boost::json::object& in, std::chrono::milliseconds wait, Callback<CommandReply> done);
  // Runs `read(shadow or null)` on the device's shard thread.
  void peek(std::string_view device_id, std::function<void(const Shadow*)> read);
  // Publishes an event of the home itself (no device): a notification, a mode change.
  void publish_home_event(std::string_view home_id, std::string json);

  // Removes the device (members and owners), and then its shadow and its
  // history. Slow for a long history: call it off the reactors.
  Result<void> remove_device(std::string_view actor, std::string_view device_id);

  // A property's history in [from_ms, to_ms) (see History::query).
  Result<PropertyHistory> history(std::string_view actor, std::string_view device_id, std::string_view property,
                                  std::int64_t from_ms, std::int64_t to_ms, std::optional<HistoryLevel> level,
                                  std::size_t limit) const;

 private:
  // Runs `task(shard index)` on the thread of the shard that holds the device.
  void on_device_shard(std::string_view device_id, std::function<void(std::size_t)> task);
  void call_device(Device device, std::string_view action, const boost::json::object& in,
                   std::chrono::milliseconds wait, Callback<CommandReply> done);

  Registry& registry_;
  History& history_;
  DeviceGateway& gateway_;
  mqtt::Broker& broker_;
};

}  // namespace millet::hub
