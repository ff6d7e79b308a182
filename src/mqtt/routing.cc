// Shard: matching, delivery, the QoS 1/2 windows, retained messages and
// subscriptions.

#include <spdlog/spdlog.h>

#include <bit>

#include "mqtt/broker.h"
#include "mqtt/connection.h"
#include "mqtt/publish_encoder.h"
#include "mqtt/shard.h"

namespace millet::mqtt {
namespace {

std::string filter_of(const SubscriptionTrie::Node& node) {
  std::vector<const std::string*> levels;
  for (const SubscriptionTrie::Node* n = &node; n->parent; n = n->parent) levels.push_back(&n->level);
  std::string filter;
  for (auto it = levels.rbegin(); it != levels.rend(); ++it) {
    if (it != levels.rbegin()) filter += '/';
    filter += **it;
  }
  return filter;
}

Delivery delivery_for(const MessagePtr& message, const SubscriptionTrie::Subscriber& subscriber) {
  Delivery delivery{message, std::min(message->qos, subscriber.options.qos),
                    subscriber.options.retain_as_published && message->retain, {}, 0};
  if (subscriber.identifier) delivery.subscription_ids.push_back(subscriber.identifier);
  return delivery;
}

}  // namespace

// --- publishing -----------------------------------------------------------------

bool Shard::publish(const MessagePtr& message) { return match_and_deliver(message, /*from_origin=*/true); }

bool Shard::match_and_deliver(const MessagePtr& message, bool from_origin) {
  ++match_epoch_;
  matches_.clear();
  std::uint64_t remote = 0;
  bool shared = false;
  trie_.match(message->topic, [&](SubscriptionTrie::Node& node) {
    for (const auto& subscriber : node.subscribers) add_match(subscriber, *message);
    if (!from_origin) return;
    remote |= node.remote_shards;
    for (auto& group : node.groups) {
      route_shared(node, group, message);
      shared = true;
    }
  });
  for (std::uint64_t bits = remote; bits; bits &= bits - 1) {
    send_to(static_cast<std::size_t>(std::countr_zero(bits)), {ShardMessage::Kind::kForward, message});
  }
  if (!matches_.empty()) {
    PublishEncodingCache cache(*message, WallClock::now());
    for (Match& match : matches_) {
      Delivery delivery{message, std::min(message->qos, match.qos), match.retain_as_published && message->retain,
                        std::move(match.identifiers), 0};
      deliver(*match.session, std::move(delivery), &cache);
    }
  }
  return !matches_.empty() || remote || shared;
}

void Shard::add_match(const SubscriptionTrie::Subscriber& subscriber, const Message& message) {
  Session* session = subscriber.session;
  if (subscriber.options.no_local && session->id() == message.publisher) return;
  // Overlapping subscriptions of one session collapse into one delivery with
  // the highest QoS and every subscription identifier (MQTT 5.0 section 3.3.4).
  if (session->match_epoch != match_epoch_) {
    session->match_epoch = match_epoch_;
    session->match_slot = static_cast<std::uint32_t>(matches_.size());
    matches_.push_back({session, subscriber.options.qos, subscriber.options.retain_as_published, {}});
    if (subscriber.identifier) matches_.back().identifiers.push_back(subscriber.identifier);
    return;
  }
  Match& match = matches_[session->match_slot];
  match.qos = std::max(match.qos, subscriber.options.qos);
  match.retain_as_published |= subscriber.options.retain_as_published;
  if (subscriber.identifier) match.identifiers.push_back(subscriber.identifier);
}

void Shard::route_shared(SubscriptionTrie::Node& node, SubscriptionTrie::SharedGroup& group,
                         const MessagePtr& message) {
  const bool local = !group.members.empty();
  const std::size_t candidates = (local ? 1 : 0) + static_cast<std::size_t>(std::popcount(group.remote_shards));
  if (candidates == 0) return;
  std::size_t pick = group.next_shard++ % candidates;
  if (local) {
    if (pick == 0) {
      deliver_to_member(group, message);
      return;
    }
    --pick;
  }
  std::uint64_t bits = group.remote_shards;
  for (; pick > 0; --pick) bits &= bits - 1;
  send_to(static_cast<std::size_t>(std::countr_zero(bits)),
          {ShardMessage::Kind::kForwardShared, message, filter_of(node), group.name});
}

void Shard::deliver_to_member(SubscriptionTrie::SharedGroup& group, const MessagePtr& message) {
  // Round-robin, preferring members that are connected.
  const std::size_t count = group.members.size();
  std::size_t chosen = group.next_member % count;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t candidate = (group.next_member + i) % count;
    if (group.members[candidate].session->online()) {
      chosen = candidate;
      break;
    }
  }
  group.next_member = chosen + 1;
  const auto& member = group.members[chosen];
  PublishEncodingCache cache(*message, WallClock::now());
  deliver(*member.session, delivery_for(message, member), &cache);
}

// --- delivery and the QoS 1/2 window ----------------------------------------------

void Shard::deliver(Session& session, Delivery delivery, PublishEncodingCache* cache) {
  if (delivery.qos == 0) {
    if (session.online()) session.connection->send_publish(delivery, 0, false, cache);
    return;
  }
  if (session.online() && session.queue.empty() && session.can_send(session.connection->send_window())) {
    if (session.persistent()) delivery.store_seq = session.next_store_seq++;
    send_inflight(session, std::move(delivery), cache, /*persisted=*/false);
    return;
  }
  if (session.queue.size() >= config_.max_queued_messages) {
    if (session.dropped_messages++ % 1000 == 0) {
      spdlog::warn("client '{}': queue full ({} messages); dropping new messages ({} so far)", session.client_id(),
                   config_.max_queued_messages, session.dropped_messages);
    }
    return;
  }
  if (session.persistent()) {
    delivery.store_seq = session.next_store_seq++;
    persist_queued(session, delivery, 0, delivery.qos == 1 ? Inflight::State::kAwaitingPuback
                                                            : Inflight::State::kAwaitingPubrec);
  }
  session.queue.push_back(std::move(delivery));
}

void Shard::send_inflight(Session& session, Delivery delivery, PublishEncodingCache* cache, bool persisted) {
  Inflight& entry = session.start_inflight(std::move(delivery));
  // QoS 2 keeps its packet id across a restart (exactly once); QoS 1 may be
  // resent under a new one, so its record need not change once written.
  if (entry.delivery.store_seq && (entry.delivery.qos == 2 || !persisted)) {
    persist_queued(session, entry.delivery, entry.delivery.qos == 2 ? entry.packet_id : 0, entry.state);
  }
  if (!session.connection->send_publish(entry.delivery, entry.packet_id, false, cache)) {
    complete_inflight(session, entry);  // too large for the client: as if delivered (MQTT 5.0 3.1.2.11.4)
  }
}

void Shard::pump(Session& session) {
  const WallTime now = WallClock::now();
  while (session.online() && !session.queue.empty() && session.can_send(session.connection->send_window())) {
    Delivery delivery = std::move(session.queue.front());
    session.queue.pop_front();
    if (delivery.message->expired(now)) {
      erase_queued(session, delivery);
      continue;
    }
    send_inflight(session, std::move(delivery), nullptr, /*persisted=*/true);
  }
}

void Shard::resume_delivery(Session& session) {
  // MQTT 5.0 section 4.4: resend unacknowledged PUBLISH (DUP) and PUBREL, in order.
  std::vector<std::pair<std::uint16_t, Inflight::State>> too_large;
  for (std::size_t i = 0; i < session.inflight.size(); ++i) {
    Inflight& entry = session.inflight[i];
    if (entry.state == Inflight::State::kDone) continue;
    if (entry.state == Inflight::State::kAwaitingPubcomp) {
      session.connection->send_pubrel(entry.packet_id);
    } else if (!session.connection->send_publish(entry.delivery, entry.packet_id, /*dup=*/true, nullptr)) {
      too_large.emplace_back(entry.packet_id, entry.state);
    }
  }
  for (const auto& [packet_id, state] : too_large) {
    if (Inflight* entry = session.find_inflight(packet_id, state)) complete_inflight(session, *entry);
  }
  pump(session);
}

void Shard::complete_inflight(Session& session, Inflight& entry) {
  erase_queued(session, entry.delivery);
  session.finish_inflight(entry);
}

bool Shard::on_puback(Session& session, std::uint16_t packet_id) {
  Inflight* entry = session.find_inflight(packet_id, Inflight::State::kAwaitingPuback);
  if (!entry) return false;
  complete_inflight(session, *entry);
  pump(session);
  return true;
}

bool Shard::on_pubrec(Session& session, std::uint16_t packet_id, bool accepted) {
  Inflight* entry = session.find_inflight(packet_id, Inflight::State::kAwaitingPubrec);
  if (!entry) return false;
  if (!accepted) {
    complete_inflight(session, *entry);
    pump(session);
    return true;
  }
  entry->state = Inflight::State::kAwaitingPubcomp;
  if (entry->delivery.store_seq) persist_queued(session, entry->delivery, packet_id, entry->state);
  session.connection->send_pubrel(packet_id);
  return true;
}

bool Shard::on_pubcomp(Session& session, std::uint16_t packet_id) {
  Inflight* entry = session.find_inflight(packet_id, Inflight::State::kAwaitingPubcomp);
  if (!entry) return false;
  complete_inflight(session, *entry);
  pump(session);
  return true;
}

void Shard::add_awaiting_pubrel(Session& session, std::uint16_t packet_id) {
  session.add_awaiting_pubrel(packet_id);
  if (session.persistent()) {
    store_batch().put(store::Space::kSessionMessages, persistence::inbound_key(session.client_id(), packet_id), "");
  }
}

bool Shard::release_awaiting_pubrel(Session& session, std::uint16_t packet_id) {
  if (!session.remove_awaiting_pubrel(packet_id)) return false;
  if (session.persistent()) {
    store_batch().erase(store::Space::kSessionMessages, persistence::inbound_key(session.client_id(), packet_id));
  }
  return true;
}

void Shard::persist_queued(Session& session, const Delivery& delivery, std::uint16_t packet_id,
                           Inflight::State state) {
  store_batch().put(store::Space::kSessionMessages, persistence::message_key(session.client_id(), delivery.store_seq),
                    persistence::encode_queued(delivery, packet_id, state));
}

void Shard::erase_queued(Session& session, const Delivery& delivery) {
  if (delivery.store_seq == 0) return;
  store_batch().erase(store::Space::kSessionMessages,
                      persistence::message_key(session.client_id(), delivery.store_seq));
}

// --- retained messages -------------------------------------------------------------

std::size_t Shard::retained_owner(std::string_view topic) const {
  return std::hash<std::string_view>{}(topic) % outgoing_.size();
}

void Shard::retain(const MessagePtr& message) {
  const std::uint64_t sequence = broker_.next_retained_sequence();
  MessagePtr stored = message->payload.empty() ? nullptr : message;  // an empty payload clears
  apply_retained(message->topic, stored, sequence);
  for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
    if (peer == index_) continue;
    ShardMessage update{ShardMessage::Kind::kRetained, stored, message->topic};
    update.sequence = sequence;
    send_to(peer, std::move(update));
  }
}

void Shard::apply_retained(std::string_view topic, MessagePtr message, std::uint64_t sequence) {
  const bool stored = message != nullptr;
  MessagePtr kept = message;
  if (!retained_.apply(topic, std::move(message), sequence, WallClock::now())) return;
  // One shard writes each topic, so the store sees the updates in the order that won.
  if (retained_owner(topic) != index_) return;
  if (stored) {
    store_batch().put(store::Space::kRetained, topic, persistence::encode_message(*kept));
  } else {
    store_batch().erase(store::Space::kRetained, topic);
  }
}

void Shard::send_retained(Session& session, std::string_view filter, const SubscriptionOptions& options,
                          std::uint32_t identifier) {
  if (!session.online()) return;
  std::vector<MessagePtr> found;
  retained_.match(filter, WallClock::now(), [&](const MessagePtr& message) { found.push_back(message); });
  for (const MessagePtr& message : found) {
    // Sent because of a new subscription: RETAIN is set (MQTT 5.0 section 3.3.1.3).
    Delivery delivery{message, std::min(message->qos, options.qos), true, {}, 0};
    if (identifier) delivery.subscription_ids.push_back(identifier);
    deliver(session, std::move(delivery), nullptr);
  }
}

// --- subscriptions -------------------------------------------------------------------

bool Shard::subscribe(Session& session, std::string_view filter, const SubscriptionFilter& parsed,
                      const SubscriptionOptions& options, std::uint32_t identifier) {
  auto [it, inserted] = session.subscriptions.try_emplace(std::string(filter));
  it->second = Session::Subscription{options, identifier};
  add_subscription(session, filter, parsed, it->second);
  return !inserted;
}

bool Shard::unsubscribe(Session& session, std::string_view filter) {
  auto it = session.subscriptions.find(filter);
  if (it == session.subscriptions.end()) return false;
  remove_subscription(session, filter);
  session.subscriptions.erase(it);
  return true;
}

void Shard::add_subscription(Session& session, std::string_view filter, const SubscriptionFilter& parsed,
                             const Session::Subscription& subscription) {
  const SubscriptionTrie::Subscriber subscriber{&session, subscription.options, subscription.identifier};
  const bool first = parsed.is_shared() ? trie_.add_shared(parsed.share_group, parsed.filter, subscriber)
                                        : trie_.add(parsed.filter, subscriber);
  if (first) interest_changed(parsed.share_group, parsed.filter, true);
}

void Shard::remove_subscription(Session& session, std::string_view filter) {
  const auto parsed = parse_subscription_filter(filter);
  if (!parsed) return;
  const bool last = parsed->is_shared() ? trie_.remove_shared(parsed->share_group, parsed->filter, &session)
                                        : trie_.remove(parsed->filter, &session);
  if (last) interest_changed(parsed->share_group, parsed->filter, false);
}

void Shard::interest_changed(std::string_view group, std::string_view filter, bool interested) {
  if (restoring_) {
    // Start-up: the reactors are not running yet, so tell the others directly.
    for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
      if (peer != index_) broker_.shard(peer).set_remote_interest(group, filter, index_);
    }
    return;
  }
  ShardMessage message{ShardMessage::Kind::kInterest, nullptr, std::string(filter), std::string(group)};
  message.flag = interested;
  broadcast(std::move(message));
}

void Shard::set_remote_interest(std::string_view group, std::string_view filter, std::size_t shard) {
  if (group.empty()) {
    trie_.set_remote(filter, shard, true);
  } else {
    trie_.set_remote_shared(group, filter, shard, true);
  }
}

}  // namespace millet::mqtt
