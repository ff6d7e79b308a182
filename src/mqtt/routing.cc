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

bool Shard::publish(const MessagePtr& message) {
  const bool matched = match_and_deliver(message, /*from_origin=*/true);
  if (message->origin_connection && window_full()) hold_for_window(message->origin_connection);
  return matched;
}

bool Shard::match_and_deliver(const MessagePtr& message, bool from_origin) {
  ++match_epoch_;
  matches_.clear();
  std::uint64_t remote = 0;
  bool shared = false;
  trie_.match(message->topic, [&](SubscriptionTrie::Node& node) {
    for (const auto& subscriber : node.subscribers) add_match(subscriber, *message);
    if (!from_origin) return;
    remote |= node.remote_shards;
    if (node.groups.empty()) return;
    const std::string filter = filter_of(node);
    for (auto& group : node.groups) {
      route_shared(filter, group, message, 0);
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

// A share group's message goes to one member: a connected one when there is
// one anywhere (round-robin over the shards that have connected members, then
// over their members), otherwise one whose session queues it.
//
// Hops: 0, a message forwarded from the shard where it was published. If the
// receiving shard's members went offline meanwhile it sends it back (hop 1),
// and that shard routes it once more, now knowing better; that forward (hop 2)
// is delivered to whatever member the receiver has.
void Shard::route_shared(std::string_view filter, SubscriptionTrie::SharedGroup& group, const MessagePtr& message,
                         std::uint64_t hop) {
  const bool local_online = group.has_online_member();
  const bool any_online = local_online || group.remote_online != 0;
  const bool local = any_online ? local_online : !group.members.empty();
  const std::uint64_t remote = any_online ? group.remote_online : group.remote_shards;
  const std::size_t candidates = (local ? 1 : 0) + static_cast<std::size_t>(std::popcount(remote));
  if (candidates == 0) return;
  std::size_t pick = group.next_shard++ % candidates;
  if (local) {
    if (pick == 0) {
      deliver_to_member(group, message);
      return;
    }
    --pick;
  }
  std::uint64_t bits = remote;
  for (; pick > 0; --pick) bits &= bits - 1;
  ShardMessage forward{ShardMessage::Kind::kForwardShared, message, std::string(filter), group.name};
  forward.sequence = hop == 0 ? 0 : 2;
  send_to(static_cast<std::size_t>(std::countr_zero(bits)), std::move(forward));
}

void Shard::receive_shared(std::size_t from, ShardMessage& message) {
  SubscriptionTrie::Node* node = trie_.find(message.filter);
  SubscriptionTrie::SharedGroup* group = node ? node->group(message.group) : nullptr;
  switch (message.sequence) {
    case 0:  // from the publishing shard
      if (group && group->has_online_member()) {
        deliver_to_member(*group, message.message);
      } else {
        message.sequence = 1;
        send_to(from, std::move(message));  // back, to be routed again
      }
      return;
    case 1:  // came back: route once more
      if (group) {
        route_shared(message.filter, *group, message.message, 1);
        return;
      }
      break;
    default:  // routed twice: any member will do
      if (group && !group->members.empty()) {
        deliver_to_member(*group, message.message);
        return;
      }
      break;
  }
  spdlog::debug("share group '{}' on '{}' has no members left; a message to it is dropped", message.group,
                message.filter);
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

bool Shard::resend(Session& session, Inflight& entry) {
  if (entry.state == Inflight::State::kAwaitingPubcomp) {
    session.connection->send_pubrel(entry.packet_id);
    return true;
  }
  return session.connection->send_publish(entry.delivery, entry.packet_id, /*dup=*/true, nullptr);
}

void Shard::pump(Session& session) {
  // First what is still to be resent on this connection, in order...
  const std::size_t window = session.online() ? session.connection->send_window() : 0;
  while (session.resend_pending > 0 && session.sent_on_connection() < window) {
    std::size_t i = 0;
    while (!session.inflight[i].awaiting_resend) ++i;
    Inflight& entry = session.inflight[i];
    entry.awaiting_resend = false;
    --session.resend_pending;
    if (!resend(session, entry)) complete_inflight(session, entry);  // too large for the client now
  }
  // ...then the queue.
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
  // MQTT 5.0 section 4.4: resend unacknowledged PUBLISH (DUP) and PUBREL, in
  // order and with their packet ids — as many as the new connection's Receive
  // Maximum allows now (section 4.9), the rest as acknowledgements make room.
  session.resend_pending = 0;
  for (std::size_t i = 0; i < session.inflight.size(); ++i) {
    Inflight& entry = session.inflight[i];
    entry.awaiting_resend = entry.state != Inflight::State::kDone;
    if (entry.awaiting_resend) ++session.resend_pending;
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
  if (parsed.is_shared()) {
    trie_.add_shared(parsed.share_group, parsed.filter, subscriber);
    announce_group(parsed.share_group, parsed.filter);
  } else if (trie_.add(parsed.filter, subscriber)) {
    interest_changed(parsed.filter, true);
  }
}

void Shard::remove_subscription(Session& session, std::string_view filter) {
  const auto parsed = parse_subscription_filter(filter);
  if (!parsed) return;
  if (parsed->is_shared()) {
    trie_.remove_shared(parsed->share_group, parsed->filter, &session);
    announce_group(parsed->share_group, parsed->filter);
  } else if (trie_.remove(parsed->filter, &session)) {
    interest_changed(parsed->filter, false);
  }
}

void Shard::interest_changed(std::string_view filter, bool interested) {
  if (restoring_) {
    // Start-up: the reactors are not running yet, so tell the others directly.
    for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
      if (peer != index_) broker_.shard(peer).set_remote_interest("", filter, index_, false);
    }
    return;
  }
  ShardMessage message{ShardMessage::Kind::kInterest, nullptr, std::string(filter)};
  message.flag = interested;
  broadcast(std::move(message));
}

void Shard::announce_group(std::string_view group_name, std::string_view filter) {
  SubscriptionTrie::Node* node = trie_.find(filter);
  SubscriptionTrie::SharedGroup* group = node ? node->group(group_name) : nullptr;
  const bool members = group && !group->members.empty();
  const bool online = members && group->has_online_member();
  const std::uint8_t state = (members ? 1 : 0) | (online ? 2 : 0);
  std::string key(group_name);
  key += '\0';
  key += filter;
  auto [it, inserted] = announced_groups_.try_emplace(std::move(key), 0);
  if (it->second == state) return;
  if (state == 0) {
    announced_groups_.erase(it);
  } else {
    it->second = state;
  }
  if (restoring_) {
    for (std::size_t peer = 0; peer < outgoing_.size(); ++peer) {
      if (peer != index_ && members) broker_.shard(peer).set_remote_interest(group_name, filter, index_, online);
    }
    return;
  }
  ShardMessage message{ShardMessage::Kind::kInterest, nullptr, std::string(filter), std::string(group_name)};
  message.flag = members;
  message.online = online;
  broadcast(std::move(message));
}

void Shard::announce_groups_of(const Session& session) {
  for (const auto& [filter, subscription] : session.subscriptions) {
    if (!filter.starts_with("$share/")) continue;
    if (const auto parsed = parse_subscription_filter(filter)) announce_group(parsed->share_group, parsed->filter);
  }
}

void Shard::set_remote_interest(std::string_view group, std::string_view filter, std::size_t shard, bool online) {
  if (group.empty()) {
    trie_.set_remote(filter, shard, true);
  } else {
    trie_.set_remote_shared(group, filter, shard, true, online);
  }
}

}  // namespace millet::mqtt
