#pragma once
// DeviceGateway: the device protocol over MQTT (docs/device-protocol.md), as
// the broker's Gateway. Devices authenticate with their id and secret, may
// use only their own `$device/<id>/...` topics, and their reports are checked
// against their type's spec and kept — shadow and history — in the same store
// write that precedes the report's PUBACK.
//
// Threads: see mqtt::Gateway. A device's messages and connection events all
// arrive on the shard that holds its session, where its shadow lives
// (`shadows(shard)`); only that shard's thread touches that table.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/events.h"
#include "hub/history.h"
#include "hub/registry.h"
#include "hub/shadow.h"
#include "mqtt/gateway.h"
#include "spec/validate.h"

namespace millet::mqtt {
class Broker;
}

namespace millet::hub {

// `$device/<id>/<rest>` split; nullopt for any other topic.
struct DeviceTopic {
  std::string_view device_id;
  std::string_view rest;  // "report", "set/result", ...
};
std::optional<DeviceTopic> parse_device_topic(std::string_view topic);

struct DeviceGatewayOptions {
  // Clients without credentials may use plain MQTT topics (never `$device/`).
  bool allow_anonymous = true;
  // A report's "time" may be this far in the past (devices that buffered
  // while offline) and this far in the future (clock skew).
  std::int64_t max_report_age_ms = 7LL * 24 * 3600 * 1000;
  std::int64_t max_clock_skew_ms = 60'000;
};

// A property value on its way to a device, checked against the device's spec.
struct CheckedValue {
  PropertyId id;
  std::string name;  // "light.brightness"
  spec::Value value;
};

// A value for a property of a device, checked: the property exists, may be
// used so (reported, or set), and the value fits its spec.
struct CheckedProperty {
  PropertyId id;
  spec::Found<spec::Property> found;
  spec::Value value;
};
// Checks every `{"<address>": value}` of `values` for `use`; the first that
// fails is the error, naming the device, the property, the value and the rule.
// Reports and sets are taken whole or not at all.
Expected<std::vector<CheckedProperty>, std::string> check_properties(const Device& device, const spec::DeviceType& type,
                                                                     const boost::json::object& values, spec::Use use);
// The values of a set, checked as check_properties checks them, as the gateway sends them.
Expected<std::vector<CheckedValue>, std::string> check_set(const Device& device, const spec::DeviceType& type,
                                                           const boost::json::object& values);

// Checks the arguments `given` for an action's inputs or an event's arguments (`piids`
// of `service`), each by `<service>.<property>`, by ids or by its bare name, and no
// others; returns them by `<service>.<property>`. `what` names them in messages:
// "action speaker.play-text", "event motion-sensor.no-motion".
Expected<boost::json::object, std::string> check_arguments(const Device& device, const spec::Service& service,
                                                           std::span<const std::uint32_t> piids,
                                                           const boost::json::object& given, std::string_view what);

// What became of a command (a set or an action call).
struct CommandReply {
  enum class Status : std::uint8_t {
    kOk,       // the device did it
    kError,    // the device answered that it could not (`message` says why)
    kSent,     // sent; no answer was awaited
    kQueued,   // the device is offline: the values wait for it (sets only)
    kTimeout,  // no answer within the wait; a set's values stay desired
    kOffline,  // an action for a device that is not connected (actions are not queued)
  };
  std::string request_id;
  Status status = Status::kSent;
  std::string message;
  boost::json::object out;  // an action's output arguments, by name
};
std::string_view status_name(CommandReply::Status status);  // "ok", "error", ...
using ReplyHandler = std::function<void(Result<CommandReply>)>;

// What automations hear of devices: typed and cheap, where the event stream's
// JSON is made for people. Called on the device's shard thread once a message
// has been checked (before its store write), so it must be quick: filter, and
// hand what matters to another thread.
class DeviceObserver {
 public:
  virtual ~DeviceObserver() = default;
  virtual void reported(const Device& device, std::span<const CheckedProperty> values, std::int64_t time_ms) = 0;
  // `arguments` by `<service>.<property>`, checked against the event's spec.
  virtual void event(const Device& device, const std::string& event, const boost::json::object& arguments) = 0;
  virtual void connection(const Device& device, bool online) = 0;
};

class DeviceGateway final : public mqtt::Gateway {
 public:
  DeviceGateway(Registry& registry, History& history, store::KvStore& store, std::size_t shard_count,
                DeviceGatewayOptions options = {});

  // The broker that sends commands to devices; before any command.
  void attach(mqtt::Broker& broker) { broker_ = &broker; }
  EventBus& events() { return events_; }
  // The one observer (automations), set before the reactors start; none: nobody.
  void observe(DeviceObserver* observer) { observer_ = observer; }
  // Writes a batch to the store the gateway keeps its records in.
  store::Status write(const store::WriteBatch& batch) { return store_.write(batch); }

  // The shadows of the devices whose sessions shard `shard` holds.
  ShadowTable& shadows(std::size_t shard) { return shards_[shard].shadows; }

  // --- commands, on the thread of the shard that holds the device's session ---
  // Keeps `values` as the device's desired values (stored before `reply` is
  // called) and sends them. `reply` gets the device's answer, or kSent right
  // away if `wait` is zero, kQueued if the device is offline, kTimeout.
  void send_set(std::size_t shard, const Device& device, std::vector<CheckedValue> values,
                std::chrono::milliseconds wait, ReplyHandler reply);
  // Many sets at once, none awaited (automations): one store write for all, then each is sent and
  // answered kSent or kQueued. From a task of its own on the shard, never inside a packet's handling.
  struct SetCommand {
    Device device;
    std::vector<CheckedValue> values;
    ReplyHandler reply;
  };
  void send_sets(std::size_t shard, std::vector<SetCommand> commands);
  // Calls an action whose input arguments are checked; kOffline if the device is.
  void send_action(std::size_t shard, const Device& device, const spec::Service& service, const spec::Action& action,
                   boost::json::object in, std::chrono::milliseconds wait, ReplyHandler reply);

  // mqtt::Gateway
  mqtt::Admission admit(std::string_view client_id, std::optional<std::string_view> username,
                        std::optional<ByteSpan> password) override;
  bool may_publish(mqtt::ClientRole role, std::string_view client_id, std::string_view topic) override;
  bool may_subscribe(mqtt::ClientRole role, std::string_view client_id, std::string_view filter) override;
  mqtt::Verdict on_message(std::size_t shard, mqtt::ClientRole role, std::string_view client_id,
                           const mqtt::Message& message, store::WriteBatch& batch) override;
  void on_connected(std::size_t shard, mqtt::ClientRole role, std::string_view client_id) override;
  void on_disconnected(std::size_t shard, mqtt::ClientRole role, std::string_view client_id) override;
  void on_subscribed(std::size_t shard, mqtt::ClientRole role, std::string_view client_id,
                     std::string_view filter) override;

 private:
  // A command waiting for its device's answer.
  struct Pending {
    std::string device_id;
    ReplyHandler reply;
    std::uint64_t timer = 0;
    const spec::Service* service = nullptr;  // actions: to check the output
    const spec::Action* action = nullptr;
  };
  struct ShardState {
    ShadowTable shadows;
    std::unordered_map<std::string, Pending> pending;  // by request id
  };

  mqtt::Verdict handle_report(std::size_t shard, const Device& device, const mqtt::Message& message,
                              store::WriteBatch& batch);
  mqtt::Verdict handle_event(const Device& device, const mqtt::Message& message);
  mqtt::Verdict handle_result(std::size_t shard, const Device& device, const mqtt::Message& message,
                              store::WriteBatch& batch);
  // Sends the device's desired values again, if it has any.
  void resend_desired(std::size_t shard, std::string_view device_id);
  // Publishes `payload` to the device's `$device/<id>/<rest>` (QoS 1), from its shard: posted, as
  // this may run inside the shard's handling of a packet, or at once (`now`) from a task of its own.
  void send_to_device(std::size_t shard, std::string_view device_id, std::string_view rest, std::string payload,
                      bool now = false);
  // A set's desired values into `batch` and its message to the device, with a new request id.
  struct PreparedSet {
    std::string request_id;
    boost::json::object properties;
  };
  PreparedSet prepare_set(std::size_t shard, const Device& device, std::vector<CheckedValue>& values,
                          std::int64_t now, store::WriteBatch& batch);
  // Once its values are stored: the event, the message, and whether the device is online.
  bool dispatch_set(std::size_t shard, const Device& device, PreparedSet set, std::int64_t now, bool publish_now);
  // Awaits the answer to `request_id` for up to `wait`.
  void await_reply(std::size_t shard, std::string request_id, Pending pending, std::chrono::milliseconds wait);
  void emit(const Device& device, std::string json) const;
  // Tells the event stream and the observer that the device came or went.
  void connection_changed(const Device& device, bool online, std::int64_t time_ms) const;

  Registry& registry_;
  History& history_;
  store::KvStore& store_;
  DeviceGatewayOptions options_;
  mqtt::Broker* broker_ = nullptr;
  EventBus events_;
  DeviceObserver* observer_ = nullptr;
  std::vector<ShardState> shards_;
};

}  // namespace millet::hub
