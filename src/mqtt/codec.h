#pragma once
// The MQTT 3.1.1 / 5.0 codec: pure functions over bytes. No I/O; decoding
// allocates only for the lists of SUBSCRIBE/UNSUBSCRIBE and their acks.
//
// Decoding happens in two steps. read_frame() looks at the front of a byte
// stream and says whether a whole packet is there (and how long it is), so a
// connection can wait for more bytes or reject an oversized packet before
// buffering it. decode_packet() then turns one complete packet into a Packet.

#include <cstdint>
#include <optional>

#include "base/byte_buffer.h"
#include "base/expected.h"
#include "mqtt/packet.h"
#include "mqtt/properties.h"
#include "mqtt/types.h"

namespace millet::mqtt {

struct Frame {
  std::uint8_t first_byte = 0;  // packet type << 4 | flags
  std::uint32_t header_size = 0;
  std::uint32_t remaining_length = 0;

  PacketType type() const { return static_cast<PacketType>(first_byte >> 4); }
  std::uint8_t flags() const { return first_byte & 0x0F; }
  std::uint32_t total_size() const { return header_size + remaining_length; }
};

// Reads the fixed header at the front of `data`. Returns nullopt when more bytes
// are needed to know the length. Fails with Malformed Packet for a bad length
// encoding and with Packet Too Large when the packet would exceed
// `max_packet_size` — before its body has arrived.
Expected<std::optional<Frame>, DecodeError> read_frame(ByteSpan data, std::uint32_t max_packet_size);

// Decodes one complete packet: `body` is the packet after the fixed header.
// CONNECT carries its own protocol version; for every other packet `version` is
// the one the connection negotiated.
Expected<Packet, DecodeError> decode_packet(const Frame& frame, ByteSpan body, ProtocolVersion version);

// Decodes a PUBLISH into `out`, which may be reused from packet to packet (the
// broker's hot path: no Packet variant is built). The same checks as
// decode_packet.
Expected<void, DecodeError> decode_publish(const Frame& frame, ByteSpan body, ProtocolVersion version,
                                           Publish& out);

// The protocol level byte of a CONNECT body, to answer an unsupported version
// in a form the client can read.
std::optional<std::uint8_t> connect_protocol_level(ByteSpan body);

// Encoders append one complete packet (fixed header included) to `out`.
// Fields a version does not have (properties and reason codes in 3.1.1) are
// left out for that version.
void encode(const Connect& packet, ByteBuffer& out);  // uses packet.version
void encode(const Connack& packet, ProtocolVersion version, ByteBuffer& out);
// `extra_raw_properties` (v5) are already-encoded properties appended after
// `packet.properties`, for copying a received message's properties through.
void encode(const Publish& packet, ProtocolVersion version, ByteBuffer& out,
            ByteSpan extra_raw_properties = {});
void encode(const PublishAck& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Subscribe& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Suback& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Unsubscribe& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Unsuback& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Pingreq& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Pingresp& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Disconnect& packet, ProtocolVersion version, ByteBuffer& out);
void encode(const Auth& packet, ProtocolVersion version, ByteBuffer& out);
// Encodes any packet; CONNECT ignores `version` in favour of its own.
void encode(const Packet& packet, ProtocolVersion version, ByteBuffer& out);

// The size `encode` would produce for a PUBLISH, for the client's maximum packet size check.
std::uint32_t encoded_size(const Publish& packet, ProtocolVersion version,
                           ByteSpan extra_raw_properties = {});

}  // namespace millet::mqtt
