// Encoding of MQTT control packets (MQTT 3.1.1 and 5.0).

#include "mqtt/codec.h"
#include "mqtt/detail/writer.h"

namespace millet::mqtt {
namespace {

using detail::varint_size;
using detail::Writer;

bool is_v5(ProtocolVersion version) { return version == ProtocolVersion::kV5; }

// Writes the fixed header and then `body`.
void frame(std::uint8_t first_byte, const ByteBuffer& body, ByteBuffer& out) {
  Writer w(out);
  w.u8(first_byte);
  w.varint(static_cast<std::uint32_t>(body.size()));
  w.raw(body.readable());
}

std::uint8_t first_byte(PacketType type, std::uint8_t flags = 0) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4 | flags);
}

std::uint32_t properties_field_size(const Properties& properties, std::uint32_t extra = 0) {
  const std::uint32_t size = properties_size(properties) + extra;
  return static_cast<std::uint32_t>(varint_size(size)) + size;
}

}  // namespace

void encode(const Connect& packet, ByteBuffer& out) {
  const bool v5 = is_v5(packet.version);
  ByteBuffer body;
  Writer w(body);
  w.string("MQTT");
  w.u8(static_cast<std::uint8_t>(packet.version));
  std::uint8_t flags = packet.clean_start ? 0x02 : 0;
  if (packet.will) flags |= 0x04 | (packet.will->qos << 3) | (packet.will->retain ? 0x20 : 0);
  if (packet.password) flags |= 0x40;
  if (packet.username) flags |= 0x80;
  w.u8(flags);
  w.u16(packet.keep_alive);
  if (v5) encode_properties(packet.properties, body);
  w.string(packet.client_id);
  if (packet.will) {
    if (v5) encode_properties(packet.will->properties, body);
    w.string(packet.will->topic);
    w.binary(packet.will->payload);
  }
  if (packet.username) w.string(*packet.username);
  if (packet.password) w.binary(*packet.password);
  frame(first_byte(PacketType::kConnect), body, out);
}

void encode(const Connack& packet, ProtocolVersion version, ByteBuffer& out) {
  ByteBuffer body;
  Writer w(body);
  w.u8(packet.session_present ? 1 : 0);
  if (is_v5(version)) {
    w.u8(static_cast<std::uint8_t>(packet.reason));
    encode_properties(packet.properties, body);
  } else {
    w.u8(static_cast<std::uint8_t>(to_connect_return_code(packet.reason)));
  }
  frame(first_byte(PacketType::kConnack), body, out);
}

std::uint32_t encoded_size(const Publish& packet, ProtocolVersion version, ByteSpan extra_raw_properties) {
  std::uint32_t remaining = 2 + static_cast<std::uint32_t>(packet.topic.size()) +
                            (packet.qos ? 2 : 0) + static_cast<std::uint32_t>(packet.payload.size());
  if (is_v5(version)) {
    remaining += properties_field_size(packet.properties,
                                       static_cast<std::uint32_t>(extra_raw_properties.size()));
  }
  return 1 + static_cast<std::uint32_t>(varint_size(remaining)) + remaining;
}

void encode(const Publish& packet, ProtocolVersion version, ByteBuffer& out, ByteSpan extra_raw_properties) {
  const bool v5 = is_v5(version);
  std::uint32_t remaining = 2 + static_cast<std::uint32_t>(packet.topic.size()) +
                            (packet.qos ? 2 : 0) + static_cast<std::uint32_t>(packet.payload.size());
  std::uint32_t properties_length = 0;
  if (v5) {
    properties_length = properties_size(packet.properties) + static_cast<std::uint32_t>(extra_raw_properties.size());
    remaining += static_cast<std::uint32_t>(varint_size(properties_length)) + properties_length;
  }
  Writer w(out);
  w.u8(first_byte(PacketType::kPublish, static_cast<std::uint8_t>((packet.dup ? 0x08 : 0) | (packet.qos << 1) |
                                                                   (packet.retain ? 0x01 : 0))));
  w.varint(remaining);
  w.string(packet.topic);
  if (packet.qos) w.u16(packet.packet_id);
  if (v5) {
    // The extra bytes extend the encoded list.
    w.varint(properties_length);
    encode_property_contents(packet.properties, out);
    w.raw(extra_raw_properties);
  }
  w.raw(packet.payload);
}

void encode(const PublishAck& packet, ProtocolVersion version, ByteBuffer& out) {
  const std::uint8_t flags = packet.type == PacketType::kPubrel ? 0x02 : 0;
  ByteBuffer body;
  Writer w(body);
  w.u16(packet.packet_id);
  if (is_v5(version)) {
    // Section 3.4.2.1: the reason code and properties may be left out when the
    // reason is Success and there are no properties.
    const bool has_properties = properties_size(packet.properties) > 0;
    if (packet.reason != ReasonCode::kSuccess || has_properties) {
      w.u8(static_cast<std::uint8_t>(packet.reason));
      if (has_properties) encode_properties(packet.properties, body);
    }
  }
  frame(first_byte(packet.type, flags), body, out);
}

void encode(const Subscribe& packet, ProtocolVersion version, ByteBuffer& out) {
  ByteBuffer body;
  Writer w(body);
  w.u16(packet.packet_id);
  if (is_v5(version)) encode_properties(packet.properties, body);
  for (const TopicSubscription& subscription : packet.subscriptions) {
    w.string(subscription.filter);
    const SubscriptionOptions& o = subscription.options;
    std::uint8_t options = o.qos;
    if (is_v5(version)) {
      options |= (o.no_local ? 0x04 : 0) | (o.retain_as_published ? 0x08 : 0) | (o.retain_handling << 4);
    }
    w.u8(options);
  }
  frame(first_byte(PacketType::kSubscribe, 0x02), body, out);
}

void encode(const Suback& packet, ProtocolVersion version, ByteBuffer& out) {
  ByteBuffer body;
  Writer w(body);
  w.u16(packet.packet_id);
  if (is_v5(version)) encode_properties(packet.properties, body);
  for (ReasonCode reason : packet.reasons) {
    auto code = static_cast<std::uint8_t>(reason);
    // 3.1.1 has a single failure code.
    if (!is_v5(version) && code >= 0x80) code = 0x80;
    w.u8(code);
  }
  frame(first_byte(PacketType::kSuback), body, out);
}

void encode(const Unsubscribe& packet, ProtocolVersion version, ByteBuffer& out) {
  ByteBuffer body;
  Writer w(body);
  w.u16(packet.packet_id);
  if (is_v5(version)) encode_properties(packet.properties, body);
  for (std::string_view filter : packet.filters) w.string(filter);
  frame(first_byte(PacketType::kUnsubscribe, 0x02), body, out);
}

void encode(const Unsuback& packet, ProtocolVersion version, ByteBuffer& out) {
  ByteBuffer body;
  Writer w(body);
  w.u16(packet.packet_id);
  if (is_v5(version)) {
    encode_properties(packet.properties, body);
    for (ReasonCode reason : packet.reasons) w.u8(static_cast<std::uint8_t>(reason));
  }
  frame(first_byte(PacketType::kUnsuback), body, out);
}

void encode(const Pingreq&, ProtocolVersion, ByteBuffer& out) {
  Writer w(out);
  w.u8(first_byte(PacketType::kPingreq));
  w.u8(0);
}

void encode(const Pingresp&, ProtocolVersion, ByteBuffer& out) {
  Writer w(out);
  w.u8(first_byte(PacketType::kPingresp));
  w.u8(0);
}

namespace {
template <class T>
void encode_reason_and_properties(const T& packet, PacketType type, ProtocolVersion version, ByteBuffer& out) {
  ByteBuffer body;
  if (is_v5(version)) {
    const bool has_properties = properties_size(packet.properties) > 0;
    // Section 3.14.2.1: both may be left out for a normal disconnection.
    if (packet.reason != ReasonCode::kSuccess || has_properties) {
      Writer(body).u8(static_cast<std::uint8_t>(packet.reason));
      if (has_properties) encode_properties(packet.properties, body);
    }
  }
  frame(first_byte(type), body, out);
}
}  // namespace

void encode(const Disconnect& packet, ProtocolVersion version, ByteBuffer& out) {
  encode_reason_and_properties(packet, PacketType::kDisconnect, version, out);
}

void encode(const Auth& packet, ProtocolVersion version, ByteBuffer& out) {
  encode_reason_and_properties(packet, PacketType::kAuth, version, out);
}

void encode(const Packet& packet, ProtocolVersion version, ByteBuffer& out) {
  std::visit(
      [&](const auto& p) {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, Connect>) {
          encode(p, out);
        } else {
          encode(p, version, out);
        }
      },
      packet);
}

}  // namespace millet::mqtt
