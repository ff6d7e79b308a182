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

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/history.h"
#include "hub/registry.h"
#include "hub/shadow.h"
#include "mqtt/gateway.h"

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

class DeviceGateway final : public mqtt::Gateway {
 public:
  DeviceGateway(Registry& registry, History& history, std::size_t shard_count, DeviceGatewayOptions options = {});

  // The shadows of the devices whose sessions shard `shard` holds.
  ShadowTable& shadows(std::size_t shard) { return shadows_[shard]; }

  // mqtt::Gateway
  mqtt::Admission admit(std::string_view client_id, std::optional<std::string_view> username,
                        std::optional<ByteSpan> password) override;
  bool may_publish(mqtt::ClientRole role, std::string_view client_id, std::string_view topic) override;
  bool may_subscribe(mqtt::ClientRole role, std::string_view client_id, std::string_view filter) override;
  mqtt::Verdict on_message(std::size_t shard, mqtt::ClientRole role, std::string_view client_id,
                           const mqtt::Message& message, store::WriteBatch& batch) override;
  void on_connected(std::size_t shard, mqtt::ClientRole role, std::string_view client_id) override;
  void on_disconnected(std::size_t shard, mqtt::ClientRole role, std::string_view client_id) override;

 private:
  mqtt::Verdict handle_report(std::size_t shard, const Device& device, const mqtt::Message& message,
                              store::WriteBatch& batch);
  mqtt::Verdict handle_event(const Device& device, const mqtt::Message& message);

  Registry& registry_;
  History& history_;
  DeviceGatewayOptions options_;
  std::vector<ShadowTable> shadows_;
};

}  // namespace millet::hub
