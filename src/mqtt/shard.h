#pragma once
// Shard: the part of the broker that runs on one reactor (DESIGN.md, "Threads
// and memory"). It owns the sessions whose client ids hash to it, the
// connections on its reactor, its subscription trie and its replica of the
// retained messages. Nothing in a shard is touched by another thread: shards
// exchange batched messages (ShardBatch) through their reactors.
//
// Publishing: a message is matched against the local trie; local subscribers
// get it at once, and each shard whose interest bit is set gets it in the next
// batch. A client's PUBACK (and every later acknowledgement to any client of
// this shard) waits until the shards it was sent to have processed it — and
// persisted it for offline sessions — so an acknowledged message is durable
// and visible everywhere.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/ring_queue.h"
#include "mqtt/broker_config.h"
#include "mqtt/message.h"
#include "mqtt/persistence.h"
#include "mqtt/retained_store.h"
#include "mqtt/session.h"
#include "mqtt/subscription_trie.h"
#include "mqtt/topic.h"
#include "net/reactor.h"
#include "net/stream.h"
#include "store/kv_store.h"

namespace millet::mqtt {

class Broker;
class Connection;
class PublishEncodingCache;

// One item of a batch between shards.
struct ShardMessage {
  enum class Kind : std::uint8_t {
    kForward,        // deliver `message` to local (non-shared) subscribers
    kForwardShared,  // deliver `message` to one member of `group` on `filter` (`sequence`: hop, see routing.cc)
    kInterest,       // the sender has (`flag`) subscribers to `filter`; for a `group`, `online`: connected ones
    kRetained,       // retained message of `filter` (a topic) is now `message` (null: cleared)
    kHold,           // hold (`flag`) or release connection `sequence` of the receiver: backpressure
  };
  Kind kind;
  MessagePtr message;
  std::string filter;
  std::string group;
  std::uint64_t sequence = 0;
  bool flag = false;
  bool online = false;
};

struct ShardBatch {
  std::size_t from = 0;
  std::uint64_t round = 0;      // nonzero: the receiver acknowledges it once processed
  std::uint64_t ack_round = 0;  // the sender has processed the receiver's batches up to this round
  std::vector<ShardMessage> messages;
};

class Shard {
 public:
  Shard(Broker& broker, net::Reactor& reactor, std::size_t index, std::size_t shard_count);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::size_t index() const { return index_; }
  net::Reactor& reactor() { return reactor_; }
  Broker& broker() { return broker_; }
  const BrokerConfig& config() const { return config_; }

  // --- connections --------------------------------------------------------
  void accept(std::shared_ptr<net::Stream> stream);
  // A connection whose CONNECT belongs to another shard leaves with its stream.
  void hand_over(Connection& connection, Shard& home);
  Connection* find_connection(std::uint64_t id);
  // The connection has closed: detach it from its session (publishing or
  // scheduling its will if `send_will`) and forget it at the end of the round.
  void connection_closed(Connection& connection, bool send_will);
  // Disconnects the connection of `client_id`'s session, if it has one.
  void disconnect_client(const std::string& client_id, ReasonCode reason, std::string_view why);

  // --- sessions -----------------------------------------------------------
  struct OpenedSession {
    Session* session;
    bool present;
  };
  // Attaches `connection` to the session of `client_id`, taking the session
  // over from an existing connection, starting a fresh one on clean start.
  OpenedSession open_session(Connection& connection, const std::string& client_id, const Connect& connect,
                             std::uint32_t expiry_interval, std::optional<PendingWill> will);
  // Resends what was in flight and then what is queued (after CONNACK).
  void resume_delivery(Session& session);
  void persist_session(Session& session);

  // --- messages -----------------------------------------------------------
  // Routes `message` to every subscriber on every shard. Returns false when it
  // is known that nobody is subscribed (v5 reason "No matching subscribers").
  bool publish(const MessagePtr& message);
  // Makes `message` the retained message of its topic (an empty payload clears it).
  void retain(const MessagePtr& message);
  // Sends the retained messages matching a new subscription.
  void send_retained(Session& session, std::string_view filter, const SubscriptionOptions& options,
                     std::uint32_t identifier);

  // Acknowledgements from the client for messages sent to it.
  bool on_puback(Session& session, std::uint16_t packet_id);
  // `accepted` is false when the PUBREC carries an error reason: the flow ends.
  bool on_pubrec(Session& session, std::uint16_t packet_id, bool accepted);
  bool on_pubcomp(Session& session, std::uint16_t packet_id);
  // Inbound QoS 2: remember / forget a packet id awaiting PUBREL.
  void add_awaiting_pubrel(Session& session, std::uint16_t packet_id);
  bool release_awaiting_pubrel(Session& session, std::uint16_t packet_id);

  // --- subscriptions ------------------------------------------------------
  // `filter` is the client's text; `parsed` its parts. Returns true if the
  // session already had this subscription.
  bool subscribe(Session& session, std::string_view filter, const SubscriptionFilter& parsed,
                 const SubscriptionOptions& options, std::uint32_t identifier);
  bool unsubscribe(Session& session, std::string_view filter);

  // Backpressure: holds (or releases) the reading of connection `connection` on
  // shard `shard`, on behalf of a subscriber that is behind.
  void hold_publisher(std::uint32_t shard, std::uint64_t connection, bool hold);

  // Runs `task` once every batch sent so far to other shards has been processed
  // there. Tasks run in the order given. Used to send acknowledgements.
  void after_barrier(std::function<void()> task);

  // Store changes are collected per round and written before any socket is.
  store::WriteBatch& store_batch();

  // --- between shards -----------------------------------------------------
  void receive(std::shared_ptr<ShardBatch> batch);

  // --- start-up and shut-down (restore runs before the reactors start) ----
  void restore_session(const std::string& client_id, persistence::SessionRecord record,
                       std::vector<persistence::QueuedRecord> messages, std::vector<std::uint16_t> awaiting_pubrel,
                       WallTime now);
  void restore_retained(const std::string& topic, MessagePtr message);
  // Start-up only: records another shard's interest directly.
  void set_remote_interest(std::string_view group, std::string_view filter, std::size_t shard, bool online);
  // Ends start-up: interest changes go to other shards by message from now on.
  void finish_restore() { restoring_ = false; }
  // Publishes wills found due at start-up (on the shard's thread).
  void publish_due_wills();
  // Closes every connection ("server shutting down") and writes the store.
  void shut_down();

  // A random client id (for a client that sent none) whose session this shard owns.
  std::string new_client_id();

  std::size_t connection_count() const { return connections_.size(); }
  std::size_t session_count() const { return sessions_.size(); }

 private:
  struct Match {
    Session* session;
    std::uint8_t qos;
    bool retain_as_published;
    std::vector<std::uint32_t> identifiers;
  };

  void adopt(std::shared_ptr<Connection> connection);
  // Delivers to this shard's subscribers; on the shard where the message was
  // published (`from_origin`) also routes it to other shards and share groups.
  bool match_and_deliver(const MessagePtr& message, bool from_origin);
  void add_match(const SubscriptionTrie::Subscriber& subscriber, const Message& message);
  // Picks a shard, then a member, for a message to a share group. `hop` says
  // how far the message has come (see routing.cc).
  void route_shared(std::string_view filter, SubscriptionTrie::SharedGroup& group, const MessagePtr& message,
                    std::uint64_t hop);
  void receive_shared(std::size_t from, ShardMessage& message);
  // Tells the other shards whether this one has members of the group, and
  // connected ones, when that changed.
  void announce_group(std::string_view group, std::string_view filter);
  void announce_groups_of(const Session& session);
  void deliver_to_member(SubscriptionTrie::SharedGroup& group, const MessagePtr& message);
  void deliver(Session& session, Delivery delivery, PublishEncodingCache* cache);
  // `persisted`: the delivery's record was written when it was queued.
  void send_inflight(Session& session, Delivery delivery, PublishEncodingCache* cache, bool persisted);
  // Sends what the window allows: pending resends first, then the queue.
  void pump(Session& session);
  // Resends an in-flight message; false if it no longer fits the client.
  bool resend(Session& session, Inflight& entry);
  // An in-flight message is done with: forget it here and in the store.
  void complete_inflight(Session& session, Inflight& entry);
  void persist_queued(Session& session, const Delivery& delivery, std::uint16_t packet_id, Inflight::State state);
  void erase_queued(Session& session, const Delivery& delivery);
  void session_detached(Session& session, bool send_will);
  void end_session(Session& session);
  void forget_stored_messages(Session& session);
  void publish_will(Session& session);
  void apply_retained(std::string_view topic, MessagePtr message, std::uint64_t sequence);
  std::size_t retained_owner(std::string_view topic) const;
  void broadcast(ShardMessage message);
  void send_to(std::size_t shard, ShardMessage message);
  void interest_changed(std::string_view filter, bool interested);
  void add_subscription(Session& session, std::string_view filter, const SubscriptionFilter& parsed,
                        const Session::Subscription& subscription);
  void remove_subscription(Session& session, std::string_view filter);
  void on_round_end();
  // Flow control between shards (see shard.cc).
  bool window_full() const;
  void hold_for_window(std::uint64_t connection);
  void window_acknowledged(std::size_t peer, std::uint64_t round);
  void on_tick();
  void release_barriers();
  bool barrier_satisfied(const std::vector<std::uint64_t>& needed) const;

  Broker& broker_;
  net::Reactor& reactor_;
  const std::size_t index_;
  const BrokerConfig& config_;

  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> closed_connections_;  // freed at the end of the round
  // Keyed by a view of the session's own client id: one copy of it per session.
  std::unordered_map<std::string_view, std::unique_ptr<Session>> sessions_;
  std::unordered_set<Session*> timed_sessions_;  // offline, with a delayed will or an expiry

  SubscriptionTrie trie_;
  RetainedStore retained_;

  // Matching scratch, reused for every message.
  std::uint64_t match_epoch_ = 0;
  std::vector<Match> matches_;
  std::uint64_t remote_mask_ = 0;

  // Batches being filled for each shard, and the acknowledgement protocol.
  std::vector<std::vector<ShardMessage>> outgoing_;
  std::vector<std::uint64_t> ack_owed_;     // round of the last batch received from each shard
  std::vector<std::uint64_t> sent_round_;   // last round sent to each shard that needs an ack
  std::vector<std::uint64_t> acked_round_;  // last round each shard acknowledged
  std::uint64_t round_ = 0;
  // Flow control: message bytes in each peer's batch being filled, and sent
  // but not yet acknowledged (in total and per round), and the connections of
  // this shard held until every window has room again.
  std::vector<std::size_t> outgoing_bytes_;
  std::vector<std::size_t> unacked_bytes_;
  std::vector<RingQueue<std::pair<std::uint64_t, std::size_t>>> unacked_rounds_;
  std::vector<std::uint64_t> window_held_;
  struct Barrier {
    std::vector<std::uint64_t> needed;
    std::function<void()> task;
  };
  RingQueue<Barrier> barriers_;

  // What this shard last announced of each of its share groups ("group\0filter"):
  // bit 0 has members, bit 1 has connected members.
  std::unordered_map<std::string, std::uint8_t> announced_groups_;

  store::WriteBatch store_batch_;
  std::vector<PendingWill> startup_wills_;  // wills found due while restoring
  bool restoring_ = true;
  bool shutting_down_ = false;
};

}  // namespace millet::mqtt
