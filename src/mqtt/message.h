#pragma once
// Message: an application message inside the broker — immutable once made and
// shared (std::shared_ptr<const Message>) by every queue, subscriber and
// reactor that holds it, so a message fanned out to many is stored once.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/byte_buffer.h"
#include "mqtt/packet.h"

namespace millet::mqtt {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

struct Message {
  std::string topic;
  std::string payload;
  // v5 properties copied through to subscribers unchanged, as encoded: payload
  // format indicator, content type, response topic, correlation data and user
  // properties. (Topic alias, expiry and subscription identifiers are per hop.)
  std::string properties;
  std::uint8_t qos = 0;
  bool retain = false;
  std::optional<WallTime> expires_at;  // from the Message Expiry Interval
  std::uint64_t publisher = 0;         // publishing session's id, for no-local; 0 for none
  // The publishing connection, to hold it back while a subscriber catches up; 0 for none.
  std::uint64_t origin_connection = 0;
  std::uint32_t origin_shard = 0;

  bool expired(WallTime now) const { return expires_at && *expires_at <= now; }
  // The Message Expiry Interval to send now: what is left, in whole seconds,
  // rounded up so that a message about to expire is not sent as "no expiry".
  std::optional<std::uint32_t> remaining_expiry(WallTime now) const;
};

using MessagePtr = std::shared_ptr<const Message>;

// Who published a message.
struct Origin {
  std::uint64_t session = 0;
  std::uint32_t shard = 0;
  std::uint64_t connection = 0;
};

// Makes a message from a received PUBLISH: keeps the properties that travel
// with the message and drops the per-hop ones.
MessagePtr make_message(std::string_view topic, const Publish& publish, WallTime now, const Origin& origin);

// The forwardable subset of a raw v5 property list.
std::string forwardable_properties(ByteSpan raw_properties);

}  // namespace millet::mqtt
