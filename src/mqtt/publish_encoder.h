#pragma once
// Encoding outgoing PUBLISH packets. A message fanned out to many subscribers
// is encoded once per variant (protocol version, QoS, RETAIN) and copied, with
// only the packet identifier patched; subscribers that need per-connection
// properties (topic alias, subscription identifiers) get their own encoding.

#include <cstdint>
#include <span>
#include <string_view>

#include "base/byte_buffer.h"
#include "mqtt/message.h"
#include "mqtt/types.h"

namespace millet::mqtt {

struct OutboundPublish {
  std::uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;
  std::string_view topic;  // empty when a known topic alias stands in for it
  std::uint16_t topic_alias = 0;
  std::span<const std::uint32_t> subscription_ids;
};

// Encodes one PUBLISH of `message` with the per-connection fields in `publish`.
// Returns the number of bytes appended, or 0 (appending nothing) if the packet
// would exceed `max_size`.
std::size_t encode_publish(const Message& message, const OutboundPublish& publish, ProtocolVersion version,
                           WallTime now, std::uint32_t max_size, ByteBuffer& out);

// Shared encodings of one message for the subscribers of one dispatch.
class PublishEncodingCache {
 public:
  PublishEncodingCache(const Message& message, WallTime now) : message_(message), now_(now) {}

  // Like encode_publish without per-connection properties and with DUP 0.
  std::size_t append(ProtocolVersion version, std::uint8_t qos, bool retain, std::uint16_t packet_id,
                     std::uint32_t max_size, ByteBuffer& out);

  WallTime now() const { return now_; }

 private:
  struct Entry {
    ByteBuffer bytes;
    std::size_t packet_id_offset = 0;
  };
  const Message& message_;
  WallTime now_;
  Entry entries_[2][3][2];  // [v5][qos][retain]
};

}  // namespace millet::mqtt
