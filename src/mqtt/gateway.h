#pragma once
// Gateway: the broker's seam to the rest of the platform. It decides who may
// connect and what each client may publish and subscribe to, and it is given
// the messages published on the platform's own `$`-topics (the device
// protocol, docs/device-protocol.md). The broker knows no devices: the hub
// implements this interface (hub/device_gateway.h); without one the broker
// admits every client and routes every message, as a plain MQTT broker.
//
// Threads: every method is called on a reactor thread — admit and the access
// checks on the client's connection's, the others on the shard that holds the
// client's session — and may be called on several at once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_buffer.h"
#include "mqtt/message.h"
#include "mqtt/types.h"
#include "store/kv_store.h"

namespace millet::mqtt {

// Who a connected client is, as far as the broker needs to know.
enum class ClientRole : std::uint8_t {
  kAnonymous,  // no credentials: plain MQTT topics only
  kDevice,     // a device that proved its id (the client id) with its secret
};

struct Admission {
  ReasonCode reason = ReasonCode::kSuccess;  // or kBadUserNameOrPassword, kNotAuthorized, kClientIdentifierNotValid
  ClientRole role = ClientRole::kAnonymous;
  std::string why;  // for the log and the v5 reason string when refused
};

// What became of a PUBLISH on a `$`-topic.
struct Verdict {
  enum class Kind : std::uint8_t {
    kRoute,     // not the gateway's: route it as any message
    kConsumed,  // taken by the platform; not routed to subscribers
    kRejected,  // refused: `reason` (and `why`) in the v5 acknowledgement
  };
  Kind kind = Kind::kRoute;
  ReasonCode reason = ReasonCode::kSuccess;
  std::string why;
};

class Gateway {
 public:
  virtual ~Gateway() = default;

  virtual Admission admit(std::string_view client_id, std::optional<std::string_view> username,
                          std::optional<ByteSpan> password) = 0;
  virtual bool may_publish(ClientRole role, std::string_view client_id, std::string_view topic) = 0;
  virtual bool may_subscribe(ClientRole role, std::string_view client_id, std::string_view filter) = 0;

  // A PUBLISH on a topic starting with '$', allowed by may_publish, on shard
  // `shard`. What the platform stores goes into `batch`, which is written
  // before the publisher's acknowledgement.
  virtual Verdict on_message(std::size_t shard, ClientRole role, std::string_view client_id, const Message& message,
                             store::WriteBatch& batch) = 0;

  // A client's connection was accepted (after CONNACK) / has ended.
  virtual void on_connected(std::size_t shard, ClientRole role, std::string_view client_id) = 0;
  virtual void on_disconnected(std::size_t shard, ClientRole role, std::string_view client_id) = 0;

  // A client's subscription to `filter` was granted (after SUBACK).
  virtual void on_subscribed(std::size_t shard, ClientRole role, std::string_view client_id,
                             std::string_view filter) {}
};

}  // namespace millet::mqtt
