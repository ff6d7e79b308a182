#pragma once
// The MQTT control packets as decoded views. Strings and byte spans point into
// the buffer the packet was decoded from; a packet is valid only while that
// buffer is. The same structs are the input of the encoder.

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "base/byte_buffer.h"
#include "mqtt/properties.h"
#include "mqtt/types.h"

namespace millet::mqtt {

struct Will {
  std::uint8_t qos = 0;
  bool retain = false;
  Properties properties;  // will properties (v5)
  std::string_view topic;
  ByteSpan payload;
};

struct Connect {
  ProtocolVersion version = ProtocolVersion::kV5;
  bool clean_start = true;  // "Clean Session" in 3.1.1
  std::uint16_t keep_alive = 0;
  Properties properties;
  std::string_view client_id;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<ByteSpan> password;
};

struct Connack {
  bool session_present = false;
  ReasonCode reason = ReasonCode::kSuccess;  // encoded as a return code for 3.1.1
  Properties properties;
};

struct Publish {
  bool dup = false;
  std::uint8_t qos = 0;
  bool retain = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;  // only when qos > 0
  Properties properties;
  // The property list's contents as received (v5), for copying through unchanged.
  ByteSpan raw_properties;
  ByteSpan payload;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
struct PublishAck {
  PacketType type = PacketType::kPuback;
  std::uint16_t packet_id = 0;
  ReasonCode reason = ReasonCode::kSuccess;
  Properties properties;
};

struct SubscriptionOptions {
  std::uint8_t qos = 0;
  bool no_local = false;
  bool retain_as_published = false;
  std::uint8_t retain_handling = 0;  // 0 send, 1 send if new, 2 do not send
  friend bool operator==(const SubscriptionOptions&, const SubscriptionOptions&) = default;
};

struct TopicSubscription {
  std::string_view filter;
  SubscriptionOptions options;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<TopicSubscription> subscriptions;
};

struct Suback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<ReasonCode> reasons;  // 3.1.1: 0, 1, 2 or 0x80
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<std::string_view> filters;
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<ReasonCode> reasons;  // v5 only
};

struct Pingreq {};
struct Pingresp {};

struct Disconnect {
  ReasonCode reason = ReasonCode::kSuccess;
  Properties properties;
};

struct Auth {
  ReasonCode reason = ReasonCode::kSuccess;
  Properties properties;
};

using Packet = std::variant<Connect, Connack, Publish, PublishAck, Subscribe, Suback, Unsubscribe,
                            Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

}  // namespace millet::mqtt
