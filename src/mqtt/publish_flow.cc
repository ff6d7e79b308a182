// PUBLISH from a client, and the QoS 1/2 acknowledgements in both directions.

#include <spdlog/spdlog.h>

#include "mqtt/broker.h"
#include "mqtt/connection.h"
#include "mqtt/shard.h"

namespace millet::mqtt {

void Connection::handle_publish(Publish& publish) {
  const bool v5 = version_ == ProtocolVersion::kV5;
  const BrokerConfig& config = shard_->config();
  if (!publish.properties.subscription_identifiers.empty()) {
    violation(ReasonCode::kProtocolError, "PUBLISH from a client with a subscription identifier");
    return;
  }
  // Topic aliases (MQTT 5.0 section 3.3.2.3.4).
  std::string_view topic = publish.topic;
  if (publish.properties.topic_alias) {
    const std::uint16_t alias = *publish.properties.topic_alias;
    if (alias > config.topic_alias_maximum) {
      violation(ReasonCode::kTopicAliasInvalid, "topic alias " + std::to_string(alias) + " above the maximum of " +
                                                    std::to_string(config.topic_alias_maximum));
      return;
    }
    if (!inbound_aliases_) inbound_aliases_ = std::make_unique<std::vector<std::string>>();
    if (inbound_aliases_->size() < alias) inbound_aliases_->resize(alias);
    std::string& known = (*inbound_aliases_)[alias - 1];
    if (!topic.empty()) {
      known = topic;
    } else if (known.empty()) {
      violation(ReasonCode::kProtocolError, "topic alias " + std::to_string(alias) + " used before it was set");
      return;
    } else {
      topic = known;
    }
  } else if (topic.empty()) {
    violation(ReasonCode::kProtocolError, "PUBLISH with an empty topic and no topic alias");
    return;
  }
  if (publish.qos > 0 && v5 && inbound_unacked_ >= config.receive_maximum) {
    violation(ReasonCode::kReceiveMaximumExceeded,
              "more than " + std::to_string(config.receive_maximum) + " unacknowledged QoS 1/2 PUBLISHes");
    return;
  }
  if (publish.qos == 2 && session_->awaiting_pubrel(publish.packet_id)) {
    // A resent QoS 2 PUBLISH we already have: acknowledge again, deliver nothing twice.
    send_ack_later(PacketType::kPubrec, publish.packet_id, ReasonCode::kSuccess, false);
    return;
  }

  Gateway* gateway = shard_->broker().gateway();
  if (gateway && !gateway->may_publish(role_, session_->client_id(), topic)) {
    spdlog::warn("{}: PUBLISH to '{}' refused: not allowed for this client", describe(), topic);
    answer_unrouted(publish, ReasonCode::kNotAuthorized, "not allowed to publish to '" + std::string(topic) + "'");
    return;
  }

  const MessagePtr message =
      make_message(topic, publish, WallClock::now(),
                   Origin{session_->id(), static_cast<std::uint32_t>(shard_->index()), id_});
  if (gateway && topic.starts_with('$')) {
    Verdict verdict = gateway->on_message(shard_->index(), role_, session_->client_id(), *message,
                                          shard_->store_batch());
    if (verdict.kind == Verdict::Kind::kConsumed) {
      answer_unrouted(publish, ReasonCode::kSuccess, {});
      return;
    }
    if (verdict.kind == Verdict::Kind::kRejected) {
      spdlog::info("{}: PUBLISH to '{}' rejected: {}", describe(), topic, verdict.why);
      answer_unrouted(publish, verdict.reason, std::move(verdict.why));
      return;
    }
  }
  const bool matched = shard_->publish(message);
  if (publish.retain) shard_->retain(message);

  if (publish.qos == 0) return;
  ++inbound_unacked_;
  const ReasonCode reason = v5 && !matched ? ReasonCode::kNoMatchingSubscribers : ReasonCode::kSuccess;
  if (publish.qos == 1) {
    send_ack_later(PacketType::kPuback, publish.packet_id, reason, true);
  } else {
    shard_->add_awaiting_pubrel(*session_, publish.packet_id);
    send_ack_later(PacketType::kPubrec, publish.packet_id, reason, false);
  }
}

void Connection::answer_unrouted(const Publish& publish, ReasonCode reason, std::string why) {
  if (publish.qos == 0) return;
  ++inbound_unacked_;
  if (publish.qos == 1) {
    send_ack_later(PacketType::kPuback, publish.packet_id, reason, true, std::move(why));
  } else if (static_cast<std::uint8_t>(reason) >= 0x80) {
    // A PUBREC with an error ends the QoS 2 flow: no PUBREL follows.
    send_ack_later(PacketType::kPubrec, publish.packet_id, reason, true, std::move(why));
  } else {
    shard_->add_awaiting_pubrel(*session_, publish.packet_id);
    send_ack_later(PacketType::kPubrec, publish.packet_id, reason, false, std::move(why));
  }
}

void Connection::send_ack_later(PacketType type, std::uint16_t packet_id, ReasonCode reason, bool ends_flow,
                                std::string why) {
  // Acknowledgements keep their order and wait until what this shard has sent
  // to other shards is processed there (see Shard::after_barrier).
  shard_->after_barrier([shard = shard_, connection_id = id_, type, packet_id, reason, ends_flow,
                         why = std::move(why)] {
    Connection* connection = shard->find_connection(connection_id);
    if (!connection || !connection->connected()) return;
    PublishAck ack{.type = type, .packet_id = packet_id, .reason = reason};
    if (connection->request_problem_information_ && !why.empty() && why.size() < 1024) {
      ack.properties.reason_string = why;
    }
    connection->send_packet(ack);
    // The flow stops counting against the client's Receive Maximum at PUBACK or PUBCOMP.
    if (ends_flow && connection->inbound_unacked_ > 0) --connection->inbound_unacked_;
  });
}

void Connection::handle_publish_ack(const PublishAck& ack) {
  Session& session = *session_;
  switch (ack.type) {
    case PacketType::kPuback:
      if (!shard_->on_puback(session, ack.packet_id)) {
        spdlog::debug("{}: PUBACK for unknown packet id {}", describe(), ack.packet_id);
      }
      return;
    case PacketType::kPubrec:
      if (!shard_->on_pubrec(session, ack.packet_id, static_cast<std::uint8_t>(ack.reason) < 0x80)) {
        spdlog::debug("{}: PUBREC for unknown packet id {}", describe(), ack.packet_id);
        // MQTT 5.0 section 4.3.3: answer with PUBREL so the client can finish.
        send_packet(PublishAck{.type = PacketType::kPubrel,
                               .packet_id = ack.packet_id,
                               .reason = ReasonCode::kPacketIdentifierNotFound});
      }
      return;
    case PacketType::kPubrel: {
      const bool known = shard_->release_awaiting_pubrel(session, ack.packet_id);
      send_ack_later(PacketType::kPubcomp, ack.packet_id,
                     known ? ReasonCode::kSuccess : ReasonCode::kPacketIdentifierNotFound, known);
      return;
    }
    case PacketType::kPubcomp:
      if (!shard_->on_pubcomp(session, ack.packet_id)) {
        spdlog::debug("{}: PUBCOMP for unknown packet id {}", describe(), ack.packet_id);
      }
      return;
    default: return;
  }
}

void Connection::handle_disconnect(const Disconnect& disconnect) {
  if (version_ == ProtocolVersion::kV5 && disconnect.properties.session_expiry_interval) {
    const std::uint32_t requested = *disconnect.properties.session_expiry_interval;
    if (session_->expiry_interval == 0 && requested != 0) {
      violation(ReasonCode::kProtocolError, "DISCONNECT sets a session expiry on a session that had none");
      return;
    }
    session_->expiry_interval = std::min(requested, shard_->config().max_session_expiry);
  }
  const bool with_will = disconnect.reason == ReasonCode::kDisconnectWithWillMessage;
  if (spdlog::should_log(spdlog::level::info)) {
    spdlog::info("{}: disconnected{}", describe(), with_will ? " (with will)" : "");
  }
  state_ = State::kClosed;
  stream_->close(/*flush=*/true);
  closing();
  shard_->connection_closed(*this, with_will);
}

}  // namespace millet::mqtt
