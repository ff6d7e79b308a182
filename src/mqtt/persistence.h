#pragma once
// How MQTT state is laid out in the store (docs/storage.md has the byte-level
// description). Pure functions: encoding and decoding of records and keys.
//
//   space             key                                   value
//   retained          topic                                 message
//   sessions          client id                             session record
//   session_messages  client id, 0x00, 'm', seq (BE 64)     queued / in-flight message
//   session_messages  client id, 0x00, 'i', packet id (BE 16)  inbound QoS 2 awaiting PUBREL
//
// Client ids cannot contain U+0000, so "client id, 0x00" is a safe prefix.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "mqtt/message.h"
#include "mqtt/session.h"

namespace millet::mqtt::persistence {

inline constexpr std::uint8_t kFormatVersion = 1;

std::string session_prefix(std::string_view client_id);  // client id + 0x00
std::string message_key(std::string_view client_id, std::uint64_t seq);
std::string inbound_key(std::string_view client_id, std::uint16_t packet_id);

struct SubscriptionRecord {
  std::string filter;
  SubscriptionOptions options;
  std::uint32_t identifier = 0;
};

struct SessionRecord {
  ProtocolVersion version = ProtocolVersion::kV5;
  std::uint32_t expiry_interval = 0;
  std::int64_t disconnected_at_ms = 0;  // 0 while connected
  std::vector<SubscriptionRecord> subscriptions;
  std::optional<PendingWill> will;
};

std::string encode_session(const SessionRecord& record);
Expected<SessionRecord, std::string> decode_session(std::string_view bytes);

// A message for a session: queued (packet_id 0) or in flight.
struct QueuedRecord {
  Delivery delivery;
  std::uint16_t packet_id = 0;
  Inflight::State state = Inflight::State::kAwaitingPuback;
};

std::string encode_queued(const Delivery& delivery, std::uint16_t packet_id, Inflight::State state);
Expected<QueuedRecord, std::string> decode_queued(std::string_view bytes);

std::string encode_message(const Message& message);
Expected<MessagePtr, std::string> decode_message(std::string_view bytes);

// What a session_messages key holds.
struct SessionMessageKey {
  char kind = 0;  // 'm' or 'i'
  std::uint64_t number = 0;  // seq or packet id
};
std::optional<SessionMessageKey> parse_session_message_key(std::string_view key, std::string_view client_id);

}  // namespace millet::mqtt::persistence
