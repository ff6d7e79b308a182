// Shard: connections, sessions, the batches between shards and the barrier
// that orders acknowledgements, timers, start-up and shut-down. Routing and
// delivery are in routing.cc.

#include "mqtt/shard.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "mqtt/broker.h"
#include "mqtt/connection.h"

namespace millet::mqtt {

Shard::Shard(Broker& broker, net::Reactor& reactor, std::size_t index, std::size_t shard_count)
    : broker_(broker),
      reactor_(reactor),
      index_(index),
      config_(broker.config()),
      outgoing_(shard_count),
      ack_owed_(shard_count, 0),
      sent_round_(shard_count, 0),
      acked_round_(shard_count, 0),
      outgoing_bytes_(shard_count, 0),
      unacked_bytes_(shard_count, 0),
      unacked_rounds_(shard_count) {
  reactor_.add_round_end_hook([this] { on_round_end(); });
  reactor_.every(config_.tick_interval, [this] { on_tick(); });
}

Shard::~Shard() = default;

// --- connections -------------------------------------------------------------

void Shard::accept(std::shared_ptr<net::Stream> stream) {
  stream->set_max_backlog(config_.max_output_backlog);
  auto connection = std::make_shared<Connection>(*this, stream, broker_.next_connection_id());
  connections_.emplace(connection->id(), connection);
  stream->start(connection.get());
}

Connection* Shard::find_connection(std::uint64_t id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

void Shard::hand_over(Connection& connection, Shard& home) {
  auto it = connections_.find(connection.id());
  std::shared_ptr<Connection> moving = std::move(it->second);
  connections_.erase(it);
  // If the stream closes before it arrives, the lambda — and the connection
  // with it — is simply dropped.
  connection.stream().migrate(home.reactor(), [moving, &home](std::shared_ptr<net::Stream>) { home.adopt(moving); });
}

void Shard::adopt(std::shared_ptr<Connection> connection) {
  connections_.emplace(connection->id(), connection);
  connection->resume_after_hand_over(*this);
  if (connection->connected()) connection->stream().start(connection.get());
}

void Shard::connection_closed(Connection& connection, bool send_will) {
  if (Session* session = connection.session()) {
    connection.set_session(nullptr);
    if (session->connection == &connection) {
      session->connection = nullptr;
      if (Gateway* gateway = broker_.gateway()) {
        gateway->on_disconnected(index_, connection.role(), session->client_id());
      }
      if (shutting_down_) {
        // Wills stay with the stored session: they fire when millet starts again.
        if (session->persistent() || session->will) persist_session(*session);
      } else {
        session_detached(*session, send_will);
      }
    }
  }
  auto it = connections_.find(connection.id());
  if (it != connections_.end()) {
    closed_connections_.push_back(std::move(it->second));  // freed at the end of the round
    connections_.erase(it);
    reactor_.request_round_end();
  }
}

void Shard::disconnect_client(const std::string& client_id, ReasonCode reason, std::string_view why) {
  auto it = sessions_.find(std::string_view(client_id));
  if (it == sessions_.end() || !it->second->connection) return;
  it->second->connection->disconnect(reason, why);
}

// --- sessions ----------------------------------------------------------------

std::string Shard::new_client_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  while (true) {
    std::string id = "auto-";
    for (int i = 0; i < 4; ++i) {
      std::uint32_t bits = random();
      for (int j = 0; j < 8; ++j, bits >>= 4) id += kHex[bits & 0xF];
    }
    if (&broker_.home_shard(id) == this) return id;
  }
}

Shard::OpenedSession Shard::open_session(Connection& connection, const std::string& client_id,
                                         const Connect& connect, std::uint32_t expiry_interval,
                                         std::optional<PendingWill> will) {
  auto it = sessions_.find(client_id);
  if (it != sessions_.end() && it->second->connection) {
    // The client may have closed its old connection with a DISCONNECT we have
    // not read yet; it was sent first, so it counts first.
    it->second->connection->stream().read_pending_input();
    it = sessions_.find(client_id);
  }
  if (it != sessions_.end() && it->second->connection) {
    Connection* previous = it->second->connection;
    spdlog::info("{}: session taken over by a new connection from {}", previous->describe(),
                 connection.stream().remote_address());
    previous->disconnect(ReasonCode::kSessionTakenOver, "another connection took the session over");
    it = sessions_.find(client_id);  // a session without expiry ended with its connection
  }
  Session* session = it == sessions_.end() ? nullptr : it->second.get();
  if (session && connect.clean_start) {
    end_session(*session);
    session = nullptr;
  }
  const bool present = session != nullptr;
  if (session) {
    // Back before the delay: the delayed will is not sent (MQTT 5.0 section 3.1.3.2.2).
    session->will.reset();
    session->expires_at.reset();
    timed_sessions_.erase(session);
  } else {
    auto created = std::make_unique<Session>(client_id, broker_.next_session_id());
    session = created.get();
    sessions_.emplace(session->client_id(), std::move(created));
  }
  session->version = connect.version;
  session->expiry_interval = expiry_interval;
  session->will = will ? std::make_unique<PendingWill>(std::move(*will)) : nullptr;
  session->connection = &connection;
  if (present && !session->persistent() && session->stored) {
    // Resumed, but without expiry from now on: nothing of it stays in the store.
    forget_stored_messages(*session);
    store_batch().erase(store::Space::kSessions, client_id);
    session->stored = false;
  }
  if (session->persistent() || session->will) persist_session(*session);
  if (present) announce_groups_of(*session);  // its share groups have a connected member again
  return {session, present};
}

void Shard::session_detached(Session& session, bool send_will) {
  const WallTime now = WallClock::now();
  announce_groups_of(session);  // one connected member fewer
  if (session.will) {
    const std::uint32_t delay = std::min(session.will->delay, session.expiry_interval);
    if (!send_will) {
      session.will.reset();
    } else if (delay == 0) {
      publish_will(session);
    } else {
      session.will->due = now + std::chrono::seconds(delay);
    }
  }
  if (!session.persistent()) {
    end_session(session);
    return;
  }
  if (session.expiry_interval != kNeverExpires) {
    session.expires_at = now + std::chrono::seconds(session.expiry_interval);
  }
  if (session.will_pending() || session.expires_at) timed_sessions_.insert(&session);
  persist_session(session);
}

void Shard::publish_will(Session& session) {
  PendingWill will = std::move(*session.will);
  session.will.reset();
  auto message = std::make_shared<Message>(*will.message);
  if (will.message_expiry) message->expires_at = WallClock::now() + std::chrono::seconds(*will.message_expiry);
  spdlog::info("client '{}': publishing its will on '{}'", session.client_id(), message->topic);
  publish(message);
  if (message->retain) retain(message);
}

void Shard::end_session(Session& session) {
  if (session.will_pending()) publish_will(session);
  while (!session.subscriptions.empty()) {
    const std::string filter = session.subscriptions.begin()->first;
    remove_subscription(session, filter);
    session.subscriptions.erase(session.subscriptions.begin());
  }
  if (session.stored) {
    store_batch().erase(store::Space::kSessions, session.client_id());
    forget_stored_messages(session);
  }
  timed_sessions_.erase(&session);
  const std::string_view key = session.client_id();  // erasing destroys the string it views, after the lookup
  sessions_.erase(key);
}

void Shard::forget_stored_messages(Session& session) {
  // Every stored record of a session is known in memory: its queued and
  // in-flight messages (store_seq) and its inbound QoS 2 packet ids.
  for (std::size_t i = 0; i < session.inflight.size(); ++i) {
    erase_queued(session, session.inflight[i].delivery);
    session.inflight[i].delivery.store_seq = 0;
  }
  for (std::size_t i = 0; i < session.queue.size(); ++i) {
    erase_queued(session, session.queue[i]);
    session.queue[i].store_seq = 0;
  }
  for (std::uint16_t id : session.awaiting_pubrel_ids()) {
    store_batch().erase(store::Space::kSessionMessages, persistence::inbound_key(session.client_id(), id));
  }
}

void Shard::persist_session(Session& session) {
  persistence::SessionRecord record;
  record.version = session.version;
  record.expiry_interval = session.expiry_interval;
  if (!session.online()) {
    record.disconnected_at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch()).count();
  }
  if (session.persistent()) {
    for (const auto& [filter, subscription] : session.subscriptions) {
      record.subscriptions.push_back({filter, subscription.options, subscription.identifier});
    }
  }
  if (session.will) record.will = *session.will;
  store_batch().put(store::Space::kSessions, session.client_id(), persistence::encode_session(record));
  session.stored = true;
}

// --- the barrier, batches between shards ------------------------------------

bool Shard::barrier_satisfied(const std::vector<std::uint64_t>& needed) const {
  for (std::size_t peer = 0; peer < needed.size(); ++peer) {
    if (acked_round_[peer] < needed[peer]) return false;
  }
  return true;
}

void Shard::after_barrier(std::function<void()> task) {
  // What this shard has sent, or is about to send this round, must be processed first.
  std::vector<std::uint64_t> needed(outgoing_.size(), 0);
  bool waiting = !barriers_.empty();
  for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
    needed[peer] = outgoing_[peer].empty() ? sent_round_[peer] : round_ + 1;
    if (acked_round_[peer] < needed[peer]) waiting = true;
  }
  if (!waiting) {
    task();
    return;
  }
  barriers_.push_back({std::move(needed), std::move(task)});
}

void Shard::release_barriers() {
  while (!barriers_.empty() && barrier_satisfied(barriers_.front().needed)) {
    auto task = std::move(barriers_.front().task);
    barriers_.pop_front();
    task();
  }
}

store::WriteBatch& Shard::store_batch() {
  reactor_.request_round_end();
  return store_batch_;
}

void Shard::hold_publisher(std::uint32_t shard, std::uint64_t connection, bool hold) {
  if (shard != index_) {
    ShardMessage message{ShardMessage::Kind::kHold};
    message.sequence = connection;
    message.flag = hold;
    send_to(shard, std::move(message));
    return;
  }
  if (Connection* publisher = find_connection(connection)) {
    hold ? publisher->hold_reading() : publisher->release_reading();
  }
}

void Shard::send_to(std::size_t shard, ShardMessage message) {
  if (message.message) {
    const Message& m = *message.message;
    outgoing_bytes_[shard] += m.topic.size() + m.payload.size() + m.properties.size() + sizeof(Message);
  }
  outgoing_[shard].push_back(std::move(message));
  reactor_.request_round_end();
}

void Shard::broadcast(ShardMessage message) {
  for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
    if (peer != index_) send_to(peer, message);
  }
}

void Shard::receive(std::shared_ptr<ShardBatch> batch) {
  const std::size_t from = batch->from;
  for (ShardMessage& message : batch->messages) {
    switch (message.kind) {
      case ShardMessage::Kind::kForward: match_and_deliver(message.message, /*from_origin=*/false); break;
      case ShardMessage::Kind::kForwardShared: receive_shared(from, message); break;
      case ShardMessage::Kind::kInterest:
        if (message.group.empty()) {
          trie_.set_remote(message.filter, from, message.flag);
        } else {
          trie_.set_remote_shared(message.group, message.filter, from, message.flag, message.online);
        }
        break;
      case ShardMessage::Kind::kRetained:
        apply_retained(message.filter, std::move(message.message), message.sequence);
        break;
      case ShardMessage::Kind::kHold: hold_publisher(index_, message.sequence, message.flag); break;
    }
  }
  if (batch->round) {
    ack_owed_[from] = batch->round;
    reactor_.request_round_end();
  }
  if (batch->ack_round > acked_round_[from]) {
    acked_round_[from] = batch->ack_round;
    window_acknowledged(from, batch->ack_round);
    release_barriers();
  }
}

// Flow control: a peer that falls behind — busy, or not scheduled for a while —
// must not let messages pile up on their way to it (nor then arrive in one burst
// bigger than its subscribers' backlogs allow). Once more than `shard_window`
// bytes of messages to a peer are unacknowledged, each connection that
// publishes on this shard is held until every window has room again.

bool Shard::window_full() const {
  for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
    if (unacked_bytes_[peer] + outgoing_bytes_[peer] > config_.shard_window) return true;
  }
  return false;
}

void Shard::hold_for_window(std::uint64_t connection) {
  if (std::find(window_held_.begin(), window_held_.end(), connection) != window_held_.end()) return;
  if (Connection* publisher = find_connection(connection)) {
    publisher->hold_reading();
    window_held_.push_back(connection);
  }
}

void Shard::window_acknowledged(std::size_t peer, std::uint64_t round) {
  auto& rounds = unacked_rounds_[peer];
  while (!rounds.empty() && rounds.front().first <= round) {
    unacked_bytes_[peer] -= rounds.front().second;
    rounds.pop_front();
  }
  if (window_held_.empty() || window_full()) return;
  for (std::uint64_t id : std::exchange(window_held_, {})) {
    if (Connection* publisher = find_connection(id)) publisher->release_reading();
  }
}

void Shard::on_round_end() {
  // Store first: nothing that depends on a write is acknowledged before it is done.
  if (!store_batch_.empty()) {
    if (auto written = broker_.store().write(store_batch_); !written) {
      // Nothing of this round has been acknowledged yet; stopping now keeps the
      // promise that whatever was acknowledged is stored. Clients resend the rest.
      spdlog::critical("{}; stopping so that nothing unstored is acknowledged", written.error());
      spdlog::shutdown();
      std::_Exit(70);
    }
    store_batch_.clear();
  }
  bool sending = false;
  for (const auto& messages : outgoing_) sending |= !messages.empty();
  if (sending) ++round_;
  for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
    if (peer == index_ || (outgoing_[peer].empty() && ack_owed_[peer] == 0)) continue;
    auto batch = std::make_shared<ShardBatch>();
    batch->from = index_;
    if (!outgoing_[peer].empty()) {
      batch->round = round_;
      sent_round_[peer] = round_;
      unacked_rounds_[peer].push_back({round_, outgoing_bytes_[peer]});
      unacked_bytes_[peer] += std::exchange(outgoing_bytes_[peer], 0);
      batch->messages = std::move(outgoing_[peer]);
      outgoing_[peer].clear();
    }
    batch->ack_round = std::exchange(ack_owed_[peer], 0);
    Shard& target = broker_.shard(peer);
    target.reactor().post([&target, batch] { target.receive(batch); });
  }
  closed_connections_.clear();
}

// --- timers ------------------------------------------------------------------

void Shard::on_tick() {
  const auto steady_now = std::chrono::steady_clock::now();
  std::vector<Connection*> snapshot;
  snapshot.reserve(connections_.size());
  for (auto& [id, connection] : connections_) snapshot.push_back(connection.get());
  for (Connection* connection : snapshot) connection->check_timers(steady_now);

  const WallTime now = WallClock::now();
  std::vector<Session*> timed(timed_sessions_.begin(), timed_sessions_.end());
  for (Session* session : timed) {
    if (session->online()) {
      timed_sessions_.erase(session);
      continue;
    }
    if (session->will_pending() && *session->will->due <= now) {
      publish_will(*session);
      persist_session(*session);
    }
    if (session->expires_at && *session->expires_at <= now) {
      spdlog::info("client '{}': session expired", session->client_id());
      end_session(*session);  // frees the session
      continue;
    }
    if (!session->will_pending() && !session->expires_at) timed_sessions_.erase(session);
  }
  retained_.prune_tombstones(now - std::chrono::seconds(60));
}

// --- start-up and shut-down ---------------------------------------------------

void Shard::restore_session(const std::string& client_id, persistence::SessionRecord record,
                            std::vector<persistence::QueuedRecord> messages,
                            std::vector<std::uint16_t> awaiting_pubrel, WallTime now) {
  const WallTime disconnected_at = record.disconnected_at_ms
                                       ? WallTime(std::chrono::milliseconds(record.disconnected_at_ms))
                                       : now;  // connected when millet stopped
  std::optional<WallTime> expires_at;
  if (record.expiry_interval != kNeverExpires) {
    expires_at = disconnected_at + std::chrono::seconds(record.expiry_interval);
  }
  auto& batch = store_batch_;
  if (record.expiry_interval == 0 || (expires_at && *expires_at <= now)) {
    // The session is over; only its will, if any, remains to be published.
    if (record.will) startup_wills_.push_back(std::move(*record.will));
    batch.erase(store::Space::kSessions, client_id);
    for (const auto& queued : messages) {
      batch.erase(store::Space::kSessionMessages, persistence::message_key(client_id, queued.delivery.store_seq));
    }
    for (std::uint16_t id : awaiting_pubrel) {
      batch.erase(store::Space::kSessionMessages, persistence::inbound_key(client_id, id));
    }
    return;
  }
  auto created = std::make_unique<Session>(client_id, broker_.next_session_id());
  Session& session = *created;
  session.stored = true;
  sessions_.emplace(session.client_id(), std::move(created));
  session.version = record.version;
  session.expiry_interval = record.expiry_interval;
  session.expires_at = expires_at;
  for (const auto& subscription : record.subscriptions) {
    const auto parsed = parse_subscription_filter(subscription.filter);
    if (!parsed) continue;
    const Session::Subscription value{subscription.options, subscription.identifier};
    session.subscriptions[subscription.filter] = value;
    add_subscription(session, subscription.filter, *parsed, value);
  }
  if (record.will) {
    const WallTime due =
        disconnected_at + std::chrono::seconds(std::min(record.will->delay, record.expiry_interval));
    if (due <= now) {
      startup_wills_.push_back(std::move(*record.will));
    } else {
      record.will->due = due;
      session.will = std::make_unique<PendingWill>(std::move(*record.will));
    }
  }
  for (auto& queued : messages) {
    session.next_store_seq = std::max(session.next_store_seq, queued.delivery.store_seq + 1);
    if (queued.packet_id == 0) {
      session.queue.push_back(std::move(queued.delivery));
    } else {
      session.restore_inflight(Inflight{std::move(queued.delivery), queued.packet_id, queued.state});
    }
  }
  for (std::uint16_t id : awaiting_pubrel) session.add_awaiting_pubrel(id);
  if (session.will_pending() || session.expires_at) timed_sessions_.insert(&session);
}

void Shard::restore_retained(const std::string& topic, MessagePtr message) {
  retained_.apply(topic, std::move(message), 0, WallClock::now());
}

void Shard::publish_due_wills() {
  for (PendingWill& will : startup_wills_) {
    auto message = std::make_shared<Message>(*will.message);
    if (will.message_expiry) message->expires_at = WallClock::now() + std::chrono::seconds(*will.message_expiry);
    spdlog::info("publishing the will on '{}' of a client connected when millet stopped", message->topic);
    publish(message);
    if (message->retain) retain(message);
  }
  startup_wills_.clear();
}

void Shard::shut_down() {
  shutting_down_ = true;
  std::vector<Connection*> snapshot;
  for (auto& [id, connection] : connections_) snapshot.push_back(connection.get());
  for (Connection* connection : snapshot) {
    connection->disconnect(ReasonCode::kServerShuttingDown, "the server is shutting down", false);
  }
  on_round_end();
}

}  // namespace millet::mqtt
