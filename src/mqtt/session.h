#pragma once
// Session: the state MQTT keeps for a client id across connections (MQTT 5.0
// section 4.1) — subscriptions, QoS 1/2 messages in flight and queued, QoS 2
// packet ids received, the will. Owned by the shard its client id hashes to and
// used only on that shard's thread. It does no I/O: the shard and the client's
// Connection act on it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ring_queue.h"
#include "mqtt/message.h"
#include "mqtt/packet.h"

namespace millet::mqtt {

class Connection;

// A message on its way to one session.
struct Delivery {
  MessagePtr message;
  std::uint8_t qos = 0;   // min(message QoS, subscription QoS)
  bool retain = false;    // the RETAIN flag to send
  std::vector<std::uint32_t> subscription_ids;
  std::uint64_t store_seq = 0;  // key of its persisted copy; 0 if not persisted
};

struct Inflight {
  enum class State : std::uint8_t { kAwaitingPuback, kAwaitingPubrec, kAwaitingPubcomp, kDone };
  Delivery delivery;
  std::uint16_t packet_id = 0;
  State state = State::kAwaitingPuback;
  bool sent_before = false;     // resent with DUP after a reconnect
  bool awaiting_resend = false;  // not yet resent on this connection (its window was full)
};

struct PendingWill {
  MessagePtr message;        // expires_at unset: the expiry counts from publication
  std::uint32_t delay = 0;   // Will Delay Interval, seconds
  std::optional<std::uint32_t> message_expiry;  // Message Expiry Interval, seconds
  std::optional<WallTime> due;  // set once the client is gone and the delay runs
};

// The session expiry value that means "never" (MQTT 5.0 section 3.1.2.11.2).
inline constexpr std::uint32_t kNeverExpires = 0xFFFFFFFF;

class Session {
 public:
  struct Subscription {
    SubscriptionOptions options;
    std::uint32_t identifier = 0;
  };

  Session(std::string client_id, std::uint64_t id) : client_id_(std::move(client_id)), id_(id) {}

  const std::string& client_id() const { return client_id_; }
  std::uint64_t id() const { return id_; }

  // From the client's latest CONNECT (and DISCONNECT, for the expiry).
  ProtocolVersion version = ProtocolVersion::kV5;
  std::uint32_t expiry_interval = 0;  // seconds; 0 ends the session with its connection
  bool persistent() const { return expiry_interval > 0; }

  Connection* connection = nullptr;  // set while a client is connected
  bool online() const { return connection != nullptr; }

  // Subscriptions by the filter as the client wrote it ("$share/g/a/#" included).
  std::map<std::string, Subscription, std::less<>> subscriptions;

  std::unique_ptr<PendingWill> will;
  bool will_pending() const { return will && will->due.has_value(); }
  // When a disconnected session expires.
  std::optional<WallTime> expires_at;

  // --- outbound QoS 1 and 2 ------------------------------------------------
  RingQueue<Inflight> inflight;  // in the order sent
  RingQueue<Delivery> queue;     // waiting for room in the window or for a connection
  std::size_t inflight_active() const { return inflight_active_; }

  // Whether one more new QoS 1/2 PUBLISH may be sent within `window`.
  bool can_send(std::size_t window) const;
  // In-flight messages still to be resent on this connection; they go before
  // anything new.
  std::uint32_t resend_pending = 0;
  // In-flight messages that the current connection has been sent.
  std::size_t sent_on_connection() const { return inflight_active_ - resend_pending; }
  // Records a message as sent and returns its packet id.
  Inflight& start_inflight(Delivery delivery);
  // The in-flight entry with this packet id in state `expected`, or nullptr.
  Inflight* find_inflight(std::uint16_t packet_id, Inflight::State expected);
  // Marks the entry complete and releases finished entries at the front.
  void finish_inflight(Inflight& entry);
  // Puts back an entry loaded from the store, keeping its packet id.
  void restore_inflight(Inflight entry);

  // --- inbound QoS 2: packet ids PUBRECed and awaiting PUBREL ------------------
  bool awaiting_pubrel(std::uint16_t packet_id) const;
  void add_awaiting_pubrel(std::uint16_t packet_id);
  bool remove_awaiting_pubrel(std::uint16_t packet_id);
  const std::vector<std::uint16_t>& awaiting_pubrel_ids() const { return awaiting_pubrel_; }

  // --- persistence ---------------------------------------------------------
  bool stored = false;  // a session record was written (so there is one to erase)
  std::uint64_t next_store_seq = 1;
  std::uint32_t dropped_messages = 0;  // for the "queue full" log line

  // Scratch for collapsing overlapping subscriptions into one delivery (used by
  // the shard while it matches one message).
  std::uint64_t match_epoch = 0;
  std::uint32_t match_slot = 0;

 private:
  std::string client_id_;
  std::uint64_t id_;
  std::uint16_t next_packet_id_ = 1;
  std::uint32_t inflight_active_ = 0;
  std::vector<std::uint16_t> awaiting_pubrel_;
};

}  // namespace millet::mqtt
