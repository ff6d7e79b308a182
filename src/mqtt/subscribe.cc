// SUBSCRIBE and UNSUBSCRIBE.

#include <spdlog/spdlog.h>

#include "mqtt/broker.h"
#include "mqtt/connection.h"
#include "mqtt/shard.h"
#include "mqtt/topic.h"

namespace millet::mqtt {
namespace {

ReasonCode granted(std::uint8_t qos) { return static_cast<ReasonCode>(qos); }

struct RetainedRequest {
  std::string filter;
  SubscriptionOptions options;
  std::uint32_t identifier;
};

}  // namespace

void Connection::handle_subscribe(const Subscribe& subscribe) {
  const std::uint32_t identifier =
      subscribe.properties.subscription_identifiers.empty() ? 0 : subscribe.properties.subscription_identifiers[0];
  std::vector<ReasonCode> reasons;
  std::vector<RetainedRequest> retained;
  std::vector<std::string> granted_filters;
  for (const TopicSubscription& requested : subscribe.subscriptions) {
    const auto parsed = parse_subscription_filter(requested.filter);
    if (!parsed) {
      spdlog::info("{}: invalid topic filter '{}' refused", describe(), requested.filter);
      reasons.push_back(ReasonCode::kTopicFilterInvalid);
      continue;
    }
    if (Gateway* gateway = shard_->broker().gateway();
        gateway && !gateway->may_subscribe(role_, session_->client_id(), requested.filter)) {
      spdlog::warn("{}: SUBSCRIBE to '{}' refused: not allowed for this client", describe(), requested.filter);
      reasons.push_back(ReasonCode::kNotAuthorized);
      continue;
    }
    if (parsed->is_shared() && requested.options.no_local) {
      violation(ReasonCode::kProtocolError, "no local set on a shared subscription");
      return;
    }
    const bool existed = shard_->subscribe(*session_, requested.filter, *parsed, requested.options, identifier);
    reasons.push_back(granted(requested.options.qos));
    granted_filters.emplace_back(requested.filter);
    // Retained messages: not for shared subscriptions; retain handling 1 only when new.
    const std::uint8_t handling = requested.options.retain_handling;
    if (!parsed->is_shared() && (handling == 0 || (handling == 1 && !existed))) {
      retained.push_back({std::string(requested.filter), requested.options, identifier});
    }
  }
  if (session_->persistent()) shard_->persist_session(*session_);
  // SUBACK once every shard knows of the new interest, so a message published
  // anywhere after the client sees SUBACK reaches it; retained messages follow.
  shard_->after_barrier([shard = shard_, connection_id = id_, packet_id = subscribe.packet_id,
                         reasons = std::move(reasons), retained = std::move(retained),
                         granted_filters = std::move(granted_filters)] {
    Connection* connection = shard->find_connection(connection_id);
    if (!connection || !connection->connected()) return;
    connection->send_packet(Suback{.packet_id = packet_id, .reasons = reasons});
    for (const RetainedRequest& request : retained) {
      shard->send_retained(*connection->session(), request.filter, request.options, request.identifier);
    }
    if (Gateway* gateway = shard->broker().gateway()) {
      for (const std::string& filter : granted_filters) {
        gateway->on_subscribed(shard->index(), connection->role(), connection->session()->client_id(), filter);
      }
    }
  });
}

void Connection::handle_unsubscribe(const Unsubscribe& unsubscribe) {
  std::vector<ReasonCode> reasons;
  for (std::string_view filter : unsubscribe.filters) {
    const bool existed = shard_->unsubscribe(*session_, filter);
    reasons.push_back(existed ? ReasonCode::kSuccess : ReasonCode::kNoSubscriptionExisted);
  }
  if (session_->persistent()) shard_->persist_session(*session_);
  shard_->after_barrier([shard = shard_, connection_id = id_, packet_id = unsubscribe.packet_id,
                         reasons = std::move(reasons)] {
    Connection* connection = shard->find_connection(connection_id);
    if (!connection || !connection->connected()) return;
    connection->send_packet(Unsuback{.packet_id = packet_id, .reasons = reasons});
  });
}

}  // namespace millet::mqtt
