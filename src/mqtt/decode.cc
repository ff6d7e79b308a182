// Decoding of MQTT control packets (MQTT 3.1.1 and 5.0, chapter 3 of each).

#include <algorithm>

#include "mqtt/codec.h"
#include "mqtt/detail/reader.h"
#include "mqtt/topic.h"
#include "mqtt/utf8.h"

namespace millet::mqtt {
namespace {

using detail::Reader;

Unexpected<DecodeError> malformed(const char* message) {
  return unexpected(DecodeError{ReasonCode::kMalformedPacket, message});
}
Unexpected<DecodeError> protocol_error(const char* message) {
  return unexpected(DecodeError{ReasonCode::kProtocolError, message});
}

bool is_v5(ProtocolVersion version) { return version == ProtocolVersion::kV5; }

// Reads a UTF-8 string field and checks it (invalid UTF-8 is a Malformed Packet).
bool read_utf8(Reader& reader, std::string_view& out) {
  return reader.read_string(out) && is_valid_mqtt_utf8(out);
}

Expected<Packet, DecodeError> decode_connect(ByteSpan body) {
  Reader reader(body);
  Connect packet;
  std::string_view protocol_name;
  std::uint8_t level;
  if (!reader.read_string(protocol_name) || !reader.read_u8(level)) {
    return malformed("CONNECT is too short");
  }
  if (protocol_name == "MQIsdp" && level == 3) {
    return unexpected(DecodeError{ReasonCode::kUnsupportedProtocolVersion, "MQTT 3.1 is not supported"});
  }
  if (protocol_name != "MQTT") return malformed("protocol name is not MQTT");
  if (level != 4 && level != 5) {
    return unexpected(DecodeError{ReasonCode::kUnsupportedProtocolVersion, "unsupported protocol version"});
  }
  packet.version = static_cast<ProtocolVersion>(level);
  const bool v5 = is_v5(packet.version);

  std::uint8_t flags;
  if (!reader.read_u8(flags) || !reader.read_u16(packet.keep_alive)) {
    return malformed("CONNECT is too short");
  }
  if (flags & 0x01) return malformed("CONNECT reserved flag is set");
  packet.clean_start = flags & 0x02;
  const bool will_flag = flags & 0x04;
  const std::uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = flags & 0x20;
  const bool password_flag = flags & 0x40;
  const bool username_flag = flags & 0x80;
  if (will_qos == 3) return malformed("will QoS 3");
  if (!will_flag && (will_qos != 0 || will_retain)) {
    return malformed("will QoS or retain set without a will");
  }
  if (!v5 && password_flag && !username_flag) {
    return malformed("password without user name (3.1.1)");
  }

  if (v5) {
    if (auto ok = decode_properties(reader, PropertyContext::kConnect, packet.properties); !ok) {
      return unexpected(ok.error());
    }
  }
  if (!reader.read_string(packet.client_id)) return malformed("CONNECT without a client identifier");
  if (!is_valid_mqtt_utf8(packet.client_id)) return malformed("client identifier is not valid UTF-8");

  if (will_flag) {
    Will will;
    will.qos = will_qos;
    will.retain = will_retain;
    if (v5) {
      if (auto ok = decode_properties(reader, PropertyContext::kWill, will.properties); !ok) {
        return unexpected(ok.error());
      }
    }
    if (!reader.read_string(will.topic)) return malformed("truncated will topic");
    if (!is_valid_mqtt_utf8(will.topic)) return malformed("will topic is not valid UTF-8");
    if (!reader.read_binary(will.payload)) return malformed("truncated will payload");
    packet.will = will;
  }
  if (username_flag) {
    std::string_view username;
    if (!reader.read_string(username)) return malformed("truncated user name");
    if (!is_valid_mqtt_utf8(username)) return malformed("user name is not valid UTF-8");
    packet.username = username;
  }
  if (password_flag) {
    ByteSpan password;
    if (!reader.read_binary(password)) return malformed("truncated password");
    packet.password = password;
  }
  if (!reader.at_end()) return malformed("bytes after the end of CONNECT");
  return Packet{std::move(packet)};
}

Expected<Packet, DecodeError> decode_connack(ByteSpan body, ProtocolVersion version) {
  Reader reader(body);
  Connack packet;
  std::uint8_t flags, code;
  if (!reader.read_u8(flags) || !reader.read_u8(code)) return malformed("CONNACK is too short");
  if (flags & 0xFE) return malformed("CONNACK reserved flags are set");
  packet.session_present = flags & 0x01;
  if (is_v5(version)) {
    packet.reason = static_cast<ReasonCode>(code);
    if (auto ok = decode_properties(reader, PropertyContext::kConnack, packet.properties); !ok) {
      return unexpected(ok.error());
    }
  } else {
    if (code > 5) return malformed("CONNACK return code above 5");
    // Map 3.1.1 return codes onto the 5.0 codes with the same meaning.
    static constexpr ReasonCode kCodes[] = {
        ReasonCode::kSuccess,           ReasonCode::kUnsupportedProtocolVersion,
        ReasonCode::kClientIdentifierNotValid, ReasonCode::kServerUnavailable,
        ReasonCode::kBadUserNameOrPassword,    ReasonCode::kNotAuthorized};
    packet.reason = kCodes[code];
  }
  if (!reader.at_end()) return malformed("bytes after the end of CONNACK");
  return Packet{std::move(packet)};
}

Expected<void, DecodeError> decode_publish_fields(const Frame& frame, ByteSpan body, ProtocolVersion version,
                                                  Publish& packet) {
  Reader reader(body);
  packet.dup = frame.flags() & 0x08;
  packet.qos = (frame.flags() >> 1) & 0x03;
  packet.retain = frame.flags() & 0x01;
  if (packet.qos == 3) return malformed("PUBLISH with QoS 3");
  if (packet.qos == 0 && packet.dup) return malformed("PUBLISH with QoS 0 and DUP set");
  if (!reader.read_string(packet.topic)) return malformed("truncated topic name");
  if (!is_valid_mqtt_utf8(packet.topic)) return malformed("topic name is not valid UTF-8");
  if (!is_valid_topic_name(packet.topic, /*allow_empty=*/true)) {
    return unexpected(DecodeError{ReasonCode::kTopicNameInvalid, "topic name contains a wildcard"});
  }
  if (packet.qos > 0) {
    if (!reader.read_u16(packet.packet_id)) return malformed("truncated packet identifier");
    if (packet.packet_id == 0) return protocol_error("packet identifier 0");
  }
  if (is_v5(version)) {
    const std::size_t start = reader.position();
    if (auto ok = decode_properties(reader, PropertyContext::kPublish, packet.properties); !ok) {
      return unexpected(ok.error());
    }
    // The contents without the length prefix, for copying properties through.
    Reader prefix(body.subspan(start));
    std::uint32_t length = 0;
    (void)prefix.read_varint(length);
    packet.raw_properties = body.subspan(reader.position() - length, length);
  } else if (packet.topic.empty()) {
    return malformed("empty topic name (3.1.1)");
  }
  packet.payload = reader.rest();
  return {};
}

bool is_valid_ack_reason(PacketType type, ReasonCode reason) {
  switch (type) {
    case PacketType::kPuback:
    case PacketType::kPubrec:
      switch (reason) {
        case ReasonCode::kSuccess:
        case ReasonCode::kNoMatchingSubscribers:
        case ReasonCode::kUnspecifiedError:
        case ReasonCode::kImplementationSpecificError:
        case ReasonCode::kNotAuthorized:
        case ReasonCode::kTopicNameInvalid:
        case ReasonCode::kPacketIdentifierInUse:
        case ReasonCode::kQuotaExceeded:
        case ReasonCode::kPayloadFormatInvalid: return true;
        default: return false;
      }
    default:  // PUBREL, PUBCOMP
      return reason == ReasonCode::kSuccess || reason == ReasonCode::kPacketIdentifierNotFound;
  }
}

Expected<Packet, DecodeError> decode_publish_ack(const Frame& frame, ByteSpan body, ProtocolVersion version) {
  Reader reader(body);
  PublishAck packet;
  packet.type = frame.type();
  if (!reader.read_u16(packet.packet_id)) return malformed("truncated packet identifier");
  if (packet.packet_id == 0) return protocol_error("packet identifier 0");
  if (is_v5(version)) {
    if (!reader.at_end()) {
      std::uint8_t code;
      (void)reader.read_u8(code);
      packet.reason = static_cast<ReasonCode>(code);
      if (!is_valid_ack_reason(packet.type, packet.reason)) {
        return protocol_error("reason code not allowed in this acknowledgement");
      }
    }
    if (!reader.at_end()) {
      if (auto ok = decode_properties(reader, PropertyContext::kPubAck, packet.properties); !ok) {
        return unexpected(ok.error());
      }
    }
  }
  if (!reader.at_end()) return malformed("bytes after the end of an acknowledgement");
  return Packet{std::move(packet)};
}

Expected<Packet, DecodeError> decode_subscribe(ByteSpan body, ProtocolVersion version) {
  Reader reader(body);
  Subscribe packet;
  if (!reader.read_u16(packet.packet_id)) return malformed("truncated packet identifier");
  if (packet.packet_id == 0) return protocol_error("packet identifier 0");
  if (is_v5(version)) {
    if (auto ok = decode_properties(reader, PropertyContext::kSubscribe, packet.properties); !ok) {
      return unexpected(ok.error());
    }
  }
  while (!reader.at_end()) {
    TopicSubscription subscription;
    std::uint8_t options;
    if (!read_utf8(reader, subscription.filter)) return malformed("bad topic filter");
    if (!reader.read_u8(options)) return malformed("topic filter without options");
    if (is_v5(version) ? (options & 0xC0) : (options & 0xFC)) {
      return malformed("reserved subscription option bits are set");
    }
    subscription.options.qos = options & 0x03;
    subscription.options.no_local = options & 0x04;
    subscription.options.retain_as_published = options & 0x08;
    subscription.options.retain_handling = (options >> 4) & 0x03;
    if (subscription.options.qos == 3) return malformed("subscription QoS 3");
    if (subscription.options.retain_handling == 3) return protocol_error("retain handling 3");
    packet.subscriptions.push_back(subscription);
  }
  if (packet.subscriptions.empty()) return protocol_error("SUBSCRIBE without topic filters");
  return Packet{std::move(packet)};
}

Expected<Packet, DecodeError> decode_suback(ByteSpan body, ProtocolVersion version, bool unsuback) {
  Reader reader(body);
  std::uint16_t packet_id;
  if (!reader.read_u16(packet_id)) return malformed("truncated packet identifier");
  Properties properties;
  if (is_v5(version)) {
    const auto context = unsuback ? PropertyContext::kUnsuback : PropertyContext::kSuback;
    if (auto ok = decode_properties(reader, context, properties); !ok) return unexpected(ok.error());
  }
  std::vector<ReasonCode> reasons;
  for (std::uint8_t code; reader.read_u8(code);) reasons.push_back(static_cast<ReasonCode>(code));
  if (unsuback) {
    if (!is_v5(version) && !reasons.empty()) return malformed("bytes after the end of UNSUBACK");
    return Packet{Unsuback{packet_id, std::move(properties), std::move(reasons)}};
  }
  if (reasons.empty()) return protocol_error("SUBACK without reason codes");
  return Packet{Suback{packet_id, std::move(properties), std::move(reasons)}};
}

Expected<Packet, DecodeError> decode_unsubscribe(ByteSpan body, ProtocolVersion version) {
  Reader reader(body);
  Unsubscribe packet;
  if (!reader.read_u16(packet.packet_id)) return malformed("truncated packet identifier");
  if (packet.packet_id == 0) return protocol_error("packet identifier 0");
  if (is_v5(version)) {
    if (auto ok = decode_properties(reader, PropertyContext::kUnsubscribe, packet.properties); !ok) {
      return unexpected(ok.error());
    }
  }
  while (!reader.at_end()) {
    std::string_view filter;
    if (!read_utf8(reader, filter)) return malformed("bad topic filter");
    packet.filters.push_back(filter);
  }
  if (packet.filters.empty()) return protocol_error("UNSUBSCRIBE without topic filters");
  return Packet{std::move(packet)};
}

bool is_valid_disconnect_reason(std::uint8_t code) {
  static constexpr std::uint8_t kCodes[] = {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                                            0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                                            0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
  return std::ranges::find(kCodes, code) != std::end(kCodes);
}

template <class T>
Expected<Packet, DecodeError> decode_reason_and_properties(ByteSpan body, PropertyContext context) {
  Reader reader(body);
  T packet;
  if (!reader.at_end()) {
    std::uint8_t code;
    (void)reader.read_u8(code);
    const bool valid = context == PropertyContext::kDisconnect
                           ? is_valid_disconnect_reason(code)
                           : (code == 0x00 || code == 0x18 || code == 0x19);
    if (!valid) return protocol_error("reason code not allowed in this packet");
    packet.reason = static_cast<ReasonCode>(code);
  }
  if (!reader.at_end()) {
    if (auto ok = decode_properties(reader, context, packet.properties); !ok) return unexpected(ok.error());
  }
  if (!reader.at_end()) return malformed("bytes after the end of the packet");
  return Packet{std::move(packet)};
}

// Section 2.1.3: the flags each packet type must carry.
bool has_valid_flags(const Frame& frame) {
  switch (frame.type()) {
    case PacketType::kPublish: return true;  // checked while decoding
    case PacketType::kPubrel:
    case PacketType::kSubscribe:
    case PacketType::kUnsubscribe: return frame.flags() == 0x02;
    default: return frame.flags() == 0;
  }
}

}  // namespace

Expected<std::optional<Frame>, DecodeError> read_frame(ByteSpan data, std::uint32_t max_packet_size) {
  if (data.empty()) return std::optional<Frame>{};
  Frame frame;
  frame.first_byte = static_cast<std::uint8_t>(data[0]);
  std::uint32_t length = 0;
  for (std::size_t i = 1; i <= 4; ++i) {
    if (i >= data.size()) return std::optional<Frame>{};  // need more bytes
    const auto byte = static_cast<std::uint8_t>(data[i]);
    length |= std::uint32_t{byte & 0x7Fu} << (7 * (i - 1));
    if ((byte & 0x80) == 0) {
      if (i > 1 && byte == 0) return malformed("remaining length is not minimally encoded");
      frame.header_size = static_cast<std::uint32_t>(i + 1);
      frame.remaining_length = length;
      if (frame.total_size() > max_packet_size) {
        return unexpected(DecodeError{ReasonCode::kPacketTooLarge, "packet exceeds the maximum packet size"});
      }
      return std::optional<Frame>{frame};
    }
  }
  return malformed("remaining length longer than 4 bytes");
}

Expected<Packet, DecodeError> decode_packet(const Frame& frame, ByteSpan body, ProtocolVersion version) {
  if (!has_valid_flags(frame)) return malformed("invalid fixed header flags");
  switch (frame.type()) {
    case PacketType::kConnect: return decode_connect(body);
    case PacketType::kConnack: return decode_connack(body, version);
    case PacketType::kPublish: {
      Publish packet;
      if (auto ok = decode_publish_fields(frame, body, version, packet); !ok) return unexpected(ok.error());
      return Packet{std::move(packet)};
    }
    case PacketType::kPuback:
    case PacketType::kPubrec:
    case PacketType::kPubrel:
    case PacketType::kPubcomp: return decode_publish_ack(frame, body, version);
    case PacketType::kSubscribe: return decode_subscribe(body, version);
    case PacketType::kSuback: return decode_suback(body, version, /*unsuback=*/false);
    case PacketType::kUnsubscribe: return decode_unsubscribe(body, version);
    case PacketType::kUnsuback: return decode_suback(body, version, /*unsuback=*/true);
    case PacketType::kPingreq:
      if (!body.empty()) return malformed("PINGREQ with a body");
      return Packet{Pingreq{}};
    case PacketType::kPingresp:
      if (!body.empty()) return malformed("PINGRESP with a body");
      return Packet{Pingresp{}};
    case PacketType::kDisconnect:
      if (!is_v5(version)) {
        if (!body.empty()) return malformed("DISCONNECT with a body (3.1.1)");
        return Packet{Disconnect{}};
      }
      return decode_reason_and_properties<Disconnect>(body, PropertyContext::kDisconnect);
    case PacketType::kAuth:
      if (!is_v5(version)) return malformed("AUTH is not an MQTT 3.1.1 packet");
      return decode_reason_and_properties<Auth>(body, PropertyContext::kAuth);
  }
  return malformed("reserved packet type 0");
}

Expected<void, DecodeError> decode_publish(const Frame& frame, ByteSpan body, ProtocolVersion version,
                                           Publish& out) {
  out.packet_id = 0;
  out.raw_properties = {};
  // A 3.1.1 PUBLISH has no properties; only a 5.0 one needs them cleared.
  if (version == ProtocolVersion::kV5) out.properties = Properties{};
  return decode_publish_fields(frame, body, version, out);
}

std::optional<std::uint8_t> connect_protocol_level(ByteSpan body) {
  Reader reader(body);
  std::string_view name;
  std::uint8_t level;
  if (!reader.read_string(name) || !reader.read_u8(level)) return std::nullopt;
  return level;
}

}  // namespace millet::mqtt
