#include "mqtt/publish_encoder.h"

#include "mqtt/codec.h"

namespace millet::mqtt {
namespace {

Publish to_publish(const Message& message, const OutboundPublish& publish, ProtocolVersion version, WallTime now) {
  Publish packet;
  packet.dup = publish.dup;
  packet.qos = publish.qos;
  packet.retain = publish.retain;
  packet.topic = publish.topic;
  packet.packet_id = publish.packet_id;
  packet.payload = as_bytes(message.payload);
  if (version == ProtocolVersion::kV5) {
    packet.properties.message_expiry_interval = message.remaining_expiry(now);
    if (publish.topic_alias) packet.properties.topic_alias = publish.topic_alias;
    packet.properties.subscription_identifiers.assign(publish.subscription_ids.begin(),
                                                      publish.subscription_ids.end());
  }
  return packet;
}

ByteSpan forwarded_properties(const Message& message, ProtocolVersion version) {
  return version == ProtocolVersion::kV5 ? as_bytes(message.properties) : ByteSpan{};
}

}  // namespace

std::size_t encode_publish(const Message& message, const OutboundPublish& publish, ProtocolVersion version,
                           WallTime now, std::uint32_t max_size, ByteBuffer& out) {
  const Publish packet = to_publish(message, publish, version, now);
  const ByteSpan extra = forwarded_properties(message, version);
  const std::size_t size = encoded_size(packet, version, extra);
  if (size > max_size) return 0;
  encode(packet, version, out, extra);
  return size;
}

std::size_t PublishEncodingCache::append(ProtocolVersion version, std::uint8_t qos, bool retain,
                                         std::uint16_t packet_id, std::uint32_t max_size, ByteBuffer& out) {
  Entry& entry = entries_[version == ProtocolVersion::kV5][qos][retain];
  if (entry.bytes.empty()) {
    OutboundPublish publish{.qos = qos, .retain = retain, .packet_id = 0, .topic = message_.topic};
    const Publish packet = to_publish(message_, publish, version, now_);
    encode(packet, version, entry.bytes, forwarded_properties(message_, version));
    // The packet identifier follows the fixed header and the topic name.
    const auto frame = read_frame(entry.bytes.readable(), kMaxRemainingLength + 5);
    entry.packet_id_offset = (*frame)->header_size + 2 + message_.topic.size();
  }
  const ByteSpan bytes = entry.bytes.readable();
  if (bytes.size() > max_size) return 0;
  out.append(bytes);
  if (qos > 0) {
    std::byte* patch = out.writable_data() + out.size() - bytes.size() + entry.packet_id_offset;
    patch[0] = std::byte(packet_id >> 8);
    patch[1] = std::byte(packet_id & 0xFF);
  }
  return bytes.size();
}

}  // namespace millet::mqtt
