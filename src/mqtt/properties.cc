#include "mqtt/properties.h"

#include <algorithm>
#include <bitset>

#include "mqtt/detail/reader.h"
#include "mqtt/detail/writer.h"
#include "mqtt/utf8.h"

namespace millet::mqtt {
namespace {

using detail::Reader;
using detail::Writer;

enum class ValueType { kByte, kU16, kU32, kVarint, kString, kBinary, kStringPair };

struct PropertyInfo {
  ValueType type;
  std::uint16_t allowed;  // bit per PropertyContext
  bool repeatable;
};

constexpr std::uint16_t bit(PropertyContext context) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(context));
}

constexpr std::uint16_t kAllContexts = 0x7FF;
constexpr std::uint16_t kReasonStringContexts =
    bit(PropertyContext::kConnack) | bit(PropertyContext::kPubAck) |
    bit(PropertyContext::kSuback) | bit(PropertyContext::kUnsuback) |
    bit(PropertyContext::kDisconnect) | bit(PropertyContext::kAuth);
constexpr std::uint16_t kMessageContexts = bit(PropertyContext::kPublish) | bit(PropertyContext::kWill);

// Section 2.2.2.2, table "Properties".
std::optional<PropertyInfo> property_info(PropertyId id) {
  using C = PropertyContext;
  switch (id) {
    case PropertyId::kPayloadFormatIndicator: return PropertyInfo{ValueType::kByte, kMessageContexts, false};
    case PropertyId::kMessageExpiryInterval: return PropertyInfo{ValueType::kU32, kMessageContexts, false};
    case PropertyId::kContentType: return PropertyInfo{ValueType::kString, kMessageContexts, false};
    case PropertyId::kResponseTopic: return PropertyInfo{ValueType::kString, kMessageContexts, false};
    case PropertyId::kCorrelationData: return PropertyInfo{ValueType::kBinary, kMessageContexts, false};
    case PropertyId::kSubscriptionIdentifier:
      // Repeatable only in a PUBLISH; decode_properties checks SUBSCRIBE's single one.
      return PropertyInfo{ValueType::kVarint, bit(C::kPublish) | bit(C::kSubscribe), true};
    case PropertyId::kSessionExpiryInterval:
      return PropertyInfo{ValueType::kU32, bit(C::kConnect) | bit(C::kConnack) | bit(C::kDisconnect), false};
    case PropertyId::kAssignedClientIdentifier: return PropertyInfo{ValueType::kString, bit(C::kConnack), false};
    case PropertyId::kServerKeepAlive: return PropertyInfo{ValueType::kU16, bit(C::kConnack), false};
    case PropertyId::kAuthenticationMethod:
      return PropertyInfo{ValueType::kString, bit(C::kConnect) | bit(C::kConnack) | bit(C::kAuth), false};
    case PropertyId::kAuthenticationData:
      return PropertyInfo{ValueType::kBinary, bit(C::kConnect) | bit(C::kConnack) | bit(C::kAuth), false};
    case PropertyId::kRequestProblemInformation: return PropertyInfo{ValueType::kByte, bit(C::kConnect), false};
    case PropertyId::kWillDelayInterval: return PropertyInfo{ValueType::kU32, bit(C::kWill), false};
    case PropertyId::kRequestResponseInformation: return PropertyInfo{ValueType::kByte, bit(C::kConnect), false};
    case PropertyId::kResponseInformation: return PropertyInfo{ValueType::kString, bit(C::kConnack), false};
    case PropertyId::kServerReference:
      return PropertyInfo{ValueType::kString, bit(C::kConnack) | bit(C::kDisconnect), false};
    case PropertyId::kReasonString: return PropertyInfo{ValueType::kString, kReasonStringContexts, false};
    case PropertyId::kReceiveMaximum:
      return PropertyInfo{ValueType::kU16, bit(C::kConnect) | bit(C::kConnack), false};
    case PropertyId::kTopicAliasMaximum:
      return PropertyInfo{ValueType::kU16, bit(C::kConnect) | bit(C::kConnack), false};
    case PropertyId::kTopicAlias: return PropertyInfo{ValueType::kU16, bit(C::kPublish), false};
    case PropertyId::kMaximumQos: return PropertyInfo{ValueType::kByte, bit(C::kConnack), false};
    case PropertyId::kRetainAvailable: return PropertyInfo{ValueType::kByte, bit(C::kConnack), false};
    case PropertyId::kUserProperty: return PropertyInfo{ValueType::kStringPair, kAllContexts, true};
    case PropertyId::kMaximumPacketSize:
      return PropertyInfo{ValueType::kU32, bit(C::kConnect) | bit(C::kConnack), false};
    case PropertyId::kWildcardSubscriptionAvailable: return PropertyInfo{ValueType::kByte, bit(C::kConnack), false};
    case PropertyId::kSubscriptionIdentifierAvailable: return PropertyInfo{ValueType::kByte, bit(C::kConnack), false};
    case PropertyId::kSharedSubscriptionAvailable: return PropertyInfo{ValueType::kByte, bit(C::kConnack), false};
  }
  return std::nullopt;
}

Unexpected<DecodeError> malformed(const char* message) {
  return unexpected(DecodeError{ReasonCode::kMalformedPacket, message});
}
Unexpected<DecodeError> protocol_error(const char* message) {
  return unexpected(DecodeError{ReasonCode::kProtocolError, message});
}

// A single decoded value of any property type.
struct Value {
  std::uint32_t integer = 0;
  std::string_view text;
  std::string_view text2;
  ByteSpan binary;
};

Expected<Value, DecodeError> read_value(Reader& reader, ValueType type) {
  Value value;
  switch (type) {
    case ValueType::kByte: {
      std::uint8_t byte;
      if (!reader.read_u8(byte)) return malformed("truncated property");
      value.integer = byte;
      break;
    }
    case ValueType::kU16: {
      std::uint16_t number;
      if (!reader.read_u16(number)) return malformed("truncated property");
      value.integer = number;
      break;
    }
    case ValueType::kU32:
      if (!reader.read_u32(value.integer)) return malformed("truncated property");
      break;
    case ValueType::kVarint:
      if (!reader.read_varint(value.integer)) return malformed("bad variable byte integer in property");
      break;
    case ValueType::kString:
      if (!reader.read_string(value.text)) return malformed("truncated property");
      if (!is_valid_mqtt_utf8(value.text)) return malformed("property string is not valid UTF-8");
      break;
    case ValueType::kBinary:
      if (!reader.read_binary(value.binary)) return malformed("truncated property");
      break;
    case ValueType::kStringPair:
      if (!reader.read_string(value.text) || !reader.read_string(value.text2)) {
        return malformed("truncated user property");
      }
      if (!is_valid_mqtt_utf8(value.text) || !is_valid_mqtt_utf8(value.text2)) {
        return malformed("user property is not valid UTF-8");
      }
      break;
  }
  return value;
}

bool is_boolean_byte(std::uint32_t value) { return value <= 1; }

// Stores `value` into the field for `id`, checking the value's allowed range.
Expected<void, DecodeError> store(PropertyId id, const Value& v, PropertyContext context,
                                  Properties& out) {
  switch (id) {
    case PropertyId::kPayloadFormatIndicator:
      if (!is_boolean_byte(v.integer)) return protocol_error("payload format indicator must be 0 or 1");
      out.payload_format_indicator = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kMessageExpiryInterval: out.message_expiry_interval = v.integer; break;
    case PropertyId::kContentType: out.content_type = v.text; break;
    case PropertyId::kResponseTopic: out.response_topic = v.text; break;
    case PropertyId::kCorrelationData: out.correlation_data = v.binary; break;
    case PropertyId::kSubscriptionIdentifier:
      if (v.integer == 0) return protocol_error("subscription identifier 0");
      if (context == PropertyContext::kSubscribe && !out.subscription_identifiers.empty()) {
        return protocol_error("more than one subscription identifier in SUBSCRIBE");
      }
      out.subscription_identifiers.push_back(v.integer);
      break;
    case PropertyId::kSessionExpiryInterval: out.session_expiry_interval = v.integer; break;
    case PropertyId::kAssignedClientIdentifier: out.assigned_client_identifier = v.text; break;
    case PropertyId::kServerKeepAlive: out.server_keep_alive = static_cast<std::uint16_t>(v.integer); break;
    case PropertyId::kAuthenticationMethod: out.authentication_method = v.text; break;
    case PropertyId::kAuthenticationData: out.authentication_data = v.binary; break;
    case PropertyId::kRequestProblemInformation:
      if (!is_boolean_byte(v.integer)) return protocol_error("request problem information must be 0 or 1");
      out.request_problem_information = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kWillDelayInterval: out.will_delay_interval = v.integer; break;
    case PropertyId::kRequestResponseInformation:
      if (!is_boolean_byte(v.integer)) return protocol_error("request response information must be 0 or 1");
      out.request_response_information = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kResponseInformation: out.response_information = v.text; break;
    case PropertyId::kServerReference: out.server_reference = v.text; break;
    case PropertyId::kReasonString: out.reason_string = v.text; break;
    case PropertyId::kReceiveMaximum:
      if (v.integer == 0) return protocol_error("receive maximum 0");
      out.receive_maximum = static_cast<std::uint16_t>(v.integer);
      break;
    case PropertyId::kTopicAliasMaximum: out.topic_alias_maximum = static_cast<std::uint16_t>(v.integer); break;
    case PropertyId::kTopicAlias:
      if (v.integer == 0) return protocol_error("topic alias 0");
      out.topic_alias = static_cast<std::uint16_t>(v.integer);
      break;
    case PropertyId::kMaximumQos:
      if (!is_boolean_byte(v.integer)) return protocol_error("maximum QoS must be 0 or 1");
      out.maximum_qos = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kRetainAvailable:
      if (!is_boolean_byte(v.integer)) return protocol_error("retain available must be 0 or 1");
      out.retain_available = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kUserProperty: out.user_properties.push_back({v.text, v.text2}); break;
    case PropertyId::kMaximumPacketSize:
      if (v.integer == 0) return protocol_error("maximum packet size 0");
      out.maximum_packet_size = v.integer;
      break;
    case PropertyId::kWildcardSubscriptionAvailable:
      if (!is_boolean_byte(v.integer)) return protocol_error("wildcard subscription available must be 0 or 1");
      out.wildcard_subscription_available = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kSubscriptionIdentifierAvailable:
      if (!is_boolean_byte(v.integer)) return protocol_error("subscription identifier available must be 0 or 1");
      out.subscription_identifier_available = static_cast<std::uint8_t>(v.integer);
      break;
    case PropertyId::kSharedSubscriptionAvailable:
      if (!is_boolean_byte(v.integer)) return protocol_error("shared subscription available must be 0 or 1");
      out.shared_subscription_available = static_cast<std::uint8_t>(v.integer);
      break;
  }
  return {};
}

std::uint32_t string_size(std::string_view text) { return 2 + static_cast<std::uint32_t>(text.size()); }
std::uint32_t binary_size(ByteSpan bytes) { return 2 + static_cast<std::uint32_t>(bytes.size()); }

}  // namespace

Expected<void, DecodeError> decode_properties(Reader& reader, PropertyContext context,
                                              Properties& out) {
  std::uint32_t length;
  if (!reader.read_varint(length)) return malformed("bad property length");
  ByteSpan contents;
  if (!reader.read_bytes(length, contents)) return malformed("property length exceeds the packet");
  Reader properties(contents);
  std::bitset<256> seen;
  while (!properties.at_end()) {
    std::uint32_t raw_id;
    if (!properties.read_varint(raw_id)) return malformed("bad property identifier");
    const auto id = static_cast<PropertyId>(raw_id);
    const auto info = raw_id < 256 ? property_info(id) : std::nullopt;
    if (!info) return malformed("unknown property identifier");
    if (!(info->allowed & bit(context))) return protocol_error("property not allowed in this packet");
    if (!info->repeatable && seen[raw_id]) return protocol_error("property appears twice");
    seen[raw_id] = true;
    auto value = read_value(properties, info->type);
    if (!value) return unexpected(value.error());
    if (auto stored = store(id, *value, context, out); !stored) return stored;
  }
  return {};
}

std::uint32_t properties_size(const Properties& p) {
  std::uint32_t size = 0;
  auto add_fixed = [&](const auto& field, std::uint32_t value_size) {
    if (field) size += 1 + value_size;
  };
  auto add_string = [&](const std::optional<std::string_view>& field) {
    if (field) size += 1 + string_size(*field);
  };
  auto add_binary = [&](const std::optional<ByteSpan>& field) {
    if (field) size += 1 + binary_size(*field);
  };
  add_fixed(p.payload_format_indicator, 1);
  add_fixed(p.message_expiry_interval, 4);
  add_string(p.content_type);
  add_string(p.response_topic);
  add_binary(p.correlation_data);
  for (std::uint32_t id : p.subscription_identifiers) size += 1 + detail::varint_size(id);
  add_fixed(p.session_expiry_interval, 4);
  add_string(p.assigned_client_identifier);
  add_fixed(p.server_keep_alive, 2);
  add_string(p.authentication_method);
  add_binary(p.authentication_data);
  add_fixed(p.request_problem_information, 1);
  add_fixed(p.will_delay_interval, 4);
  add_fixed(p.request_response_information, 1);
  add_string(p.response_information);
  add_string(p.server_reference);
  add_string(p.reason_string);
  add_fixed(p.receive_maximum, 2);
  add_fixed(p.topic_alias_maximum, 2);
  add_fixed(p.topic_alias, 2);
  add_fixed(p.maximum_qos, 1);
  add_fixed(p.retain_available, 1);
  for (const UserProperty& user : p.user_properties) {
    size += 1 + string_size(user.key) + string_size(user.value);
  }
  add_fixed(p.maximum_packet_size, 4);
  add_fixed(p.wildcard_subscription_available, 1);
  add_fixed(p.subscription_identifier_available, 1);
  add_fixed(p.shared_subscription_available, 1);
  return size;
}

void encode_properties(const Properties& p, ByteBuffer& out) {
  Writer(out).varint(properties_size(p));
  encode_property_contents(p, out);
}

void encode_property_contents(const Properties& p, ByteBuffer& out) {
  Writer w(out);
  auto id = [&](PropertyId property) { w.u8(static_cast<std::uint8_t>(property)); };
  auto byte = [&](PropertyId property, const std::optional<std::uint8_t>& field) {
    if (field) id(property), w.u8(*field);
  };
  auto u16 = [&](PropertyId property, const std::optional<std::uint16_t>& field) {
    if (field) id(property), w.u16(*field);
  };
  auto u32 = [&](PropertyId property, const std::optional<std::uint32_t>& field) {
    if (field) id(property), w.u32(*field);
  };
  auto string = [&](PropertyId property, const std::optional<std::string_view>& field) {
    if (field) id(property), w.string(*field);
  };
  auto binary = [&](PropertyId property, const std::optional<ByteSpan>& field) {
    if (field) id(property), w.binary(*field);
  };
  byte(PropertyId::kPayloadFormatIndicator, p.payload_format_indicator);
  u32(PropertyId::kMessageExpiryInterval, p.message_expiry_interval);
  string(PropertyId::kContentType, p.content_type);
  string(PropertyId::kResponseTopic, p.response_topic);
  binary(PropertyId::kCorrelationData, p.correlation_data);
  for (std::uint32_t identifier : p.subscription_identifiers) {
    id(PropertyId::kSubscriptionIdentifier);
    w.varint(identifier);
  }
  u32(PropertyId::kSessionExpiryInterval, p.session_expiry_interval);
  string(PropertyId::kAssignedClientIdentifier, p.assigned_client_identifier);
  u16(PropertyId::kServerKeepAlive, p.server_keep_alive);
  string(PropertyId::kAuthenticationMethod, p.authentication_method);
  binary(PropertyId::kAuthenticationData, p.authentication_data);
  byte(PropertyId::kRequestProblemInformation, p.request_problem_information);
  u32(PropertyId::kWillDelayInterval, p.will_delay_interval);
  byte(PropertyId::kRequestResponseInformation, p.request_response_information);
  string(PropertyId::kResponseInformation, p.response_information);
  string(PropertyId::kServerReference, p.server_reference);
  string(PropertyId::kReasonString, p.reason_string);
  u16(PropertyId::kReceiveMaximum, p.receive_maximum);
  u16(PropertyId::kTopicAliasMaximum, p.topic_alias_maximum);
  u16(PropertyId::kTopicAlias, p.topic_alias);
  byte(PropertyId::kMaximumQos, p.maximum_qos);
  byte(PropertyId::kRetainAvailable, p.retain_available);
  for (const UserProperty& user : p.user_properties) {
    id(PropertyId::kUserProperty);
    w.string(user.key);
    w.string(user.value);
  }
  u32(PropertyId::kMaximumPacketSize, p.maximum_packet_size);
  byte(PropertyId::kWildcardSubscriptionAvailable, p.wildcard_subscription_available);
  byte(PropertyId::kSubscriptionIdentifierAvailable, p.subscription_identifier_available);
  byte(PropertyId::kSharedSubscriptionAvailable, p.shared_subscription_available);
}

namespace {
bool same_bytes(const std::optional<ByteSpan>& a, const std::optional<ByteSpan>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::ranges::equal(*a, *b);
}
}  // namespace

bool Properties::operator==(const Properties& o) const {
  return payload_format_indicator == o.payload_format_indicator &&
         message_expiry_interval == o.message_expiry_interval && content_type == o.content_type &&
         response_topic == o.response_topic && same_bytes(correlation_data, o.correlation_data) &&
         subscription_identifiers == o.subscription_identifiers &&
         session_expiry_interval == o.session_expiry_interval &&
         assigned_client_identifier == o.assigned_client_identifier &&
         server_keep_alive == o.server_keep_alive &&
         authentication_method == o.authentication_method &&
         same_bytes(authentication_data, o.authentication_data) &&
         request_problem_information == o.request_problem_information &&
         will_delay_interval == o.will_delay_interval &&
         request_response_information == o.request_response_information &&
         response_information == o.response_information &&
         server_reference == o.server_reference && reason_string == o.reason_string &&
         receive_maximum == o.receive_maximum && topic_alias_maximum == o.topic_alias_maximum &&
         topic_alias == o.topic_alias && maximum_qos == o.maximum_qos &&
         retain_available == o.retain_available && user_properties == o.user_properties &&
         maximum_packet_size == o.maximum_packet_size &&
         wildcard_subscription_available == o.wildcard_subscription_available &&
         subscription_identifier_available == o.subscription_identifier_available &&
         shared_subscription_available == o.shared_subscription_available;
}

namespace detail {

std::size_t raw_property_value_size(PropertyId id, ByteSpan value) {
  const auto info = property_info(id);
  if (!info) return 0;
  Reader reader(value);
  auto read = read_value(reader, info->type);
  return read ? reader.position() : 0;
}

}  // namespace detail
}  // namespace millet::mqtt
