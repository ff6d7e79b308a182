#pragma once
// MQTT 5.0 properties (section 2.2.2): the decoded view and its encoding.
//
// A decoded Properties holds views (string_view, ByteSpan) into the packet's
// bytes: it is valid only while those bytes are. Encoding writes every field that
// is set, in the order of the property identifiers.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/byte_buffer.h"
#include "base/expected.h"
#include "mqtt/types.h"

namespace millet::mqtt {

enum class PropertyId : std::uint8_t {
  kPayloadFormatIndicator = 0x01,
  kMessageExpiryInterval = 0x02,
  kContentType = 0x03,
  kResponseTopic = 0x08,
  kCorrelationData = 0x09,
  kSubscriptionIdentifier = 0x0B,
  kSessionExpiryInterval = 0x11,
  kAssignedClientIdentifier = 0x12,
  kServerKeepAlive = 0x13,
  kAuthenticationMethod = 0x15,
  kAuthenticationData = 0x16,
  kRequestProblemInformation = 0x17,
  kWillDelayInterval = 0x18,
  kRequestResponseInformation = 0x19,
  kResponseInformation = 0x1A,
  kServerReference = 0x1C,
  kReasonString = 0x1F,
  kReceiveMaximum = 0x21,
  kTopicAliasMaximum = 0x22,
  kTopicAlias = 0x23,
  kMaximumQos = 0x24,
  kRetainAvailable = 0x25,
  kUserProperty = 0x26,
  kMaximumPacketSize = 0x27,
  kWildcardSubscriptionAvailable = 0x28,
  kSubscriptionIdentifierAvailable = 0x29,
  kSharedSubscriptionAvailable = 0x2A,
};

// Where a property list appears; each property is allowed only in some of these.
enum class PropertyContext : std::uint8_t {
  kConnect,
  kConnack,
  kPublish,
  kWill,
  kPubAck,  // PUBACK, PUBREC, PUBREL, PUBCOMP
  kSubscribe,
  kSuback,
  kUnsubscribe,
  kUnsuback,
  kDisconnect,
  kAuth,
};

struct UserProperty {
  std::string_view key;
  std::string_view value;
  friend bool operator==(const UserProperty&, const UserProperty&) = default;
};

struct DecodeError {
  ReasonCode code = ReasonCode::kMalformedPacket;
  const char* message = "";
};

struct Properties {
  std::optional<std::uint8_t> payload_format_indicator;
  std::optional<std::uint32_t> message_expiry_interval;
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> response_topic;
  std::optional<ByteSpan> correlation_data;
  std::vector<std::uint32_t> subscription_identifiers;
  std::optional<std::uint32_t> session_expiry_interval;
  std::optional<std::string_view> assigned_client_identifier;
  std::optional<std::uint16_t> server_keep_alive;
  std::optional<std::string_view> authentication_method;
  std::optional<ByteSpan> authentication_data;
  std::optional<std::uint8_t> request_problem_information;
  std::optional<std::uint32_t> will_delay_interval;
  std::optional<std::uint8_t> request_response_information;
  std::optional<std::string_view> response_information;
  std::optional<std::string_view> server_reference;
  std::optional<std::string_view> reason_string;
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::uint16_t> topic_alias;
  std::optional<std::uint8_t> maximum_qos;
  std::optional<std::uint8_t> retain_available;
  std::vector<UserProperty> user_properties;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint8_t> wildcard_subscription_available;
  std::optional<std::uint8_t> subscription_identifier_available;
  std::optional<std::uint8_t> shared_subscription_available;

  bool operator==(const Properties& other) const;
};

// Decodes a property list (its length prefix and then the properties) from the
// reader's position. Checks that each property is known, allowed in `context`,
// not repeated where it may appear once, and that its value is in range.
namespace detail {
class Reader;
}
Expected<void, DecodeError> decode_properties(detail::Reader& reader, PropertyContext context,
                                              Properties& out);

// The encoded size of the property list's contents (without the length prefix).
std::uint32_t properties_size(const Properties& properties);
// Appends the length prefix and the properties.
void encode_properties(const Properties& properties, ByteBuffer& out);
// Appends the properties without the length prefix.
void encode_property_contents(const Properties& properties, ByteBuffer& out);

// Calls `visit(id, raw)` for each property of a well-formed, already validated
// list's contents (no length prefix), where `raw` is the property's complete
// encoding including its identifier. Used to copy properties through unchanged.
template <class Visitor>
void for_each_raw_property(ByteSpan contents, Visitor&& visit);

}  // namespace millet::mqtt

#include "mqtt/detail/properties_raw.h"
