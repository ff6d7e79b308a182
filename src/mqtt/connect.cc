// CONNECT: validation, the hand-over to the session's shard, CONNACK.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "mqtt/broker.h"
#include "mqtt/connection.h"
#include "mqtt/shard.h"
#include "mqtt/topic.h"

namespace millet::mqtt {

void Connection::reject_connect(ReasonCode reason, std::string_view why) {
  spdlog::warn("{}: CONNECT refused: {} ({}, 0x{:02x})", describe(), why, reason_code_name(reason),
               static_cast<unsigned>(reason));
  Connack connack{.reason = reason};
  if (version_ == ProtocolVersion::kV5 && why.size() < 1024) connack.properties.reason_string = why;
  send_packet(connack);
  disconnect(reason, why, false);
}

void Connection::handle_connect(const Connect& connect, ByteSpan raw_packet) {
  version_ = connect.version;
  const bool v5 = version_ == ProtocolVersion::kV5;
  pending_ = std::make_unique<Pending>();
  std::string& client_id = pending_->client_id;
  client_id = connect.client_id;
  if (v5 && connect.properties.authentication_method) {
    reject_connect(ReasonCode::kBadAuthenticationMethod, "enhanced authentication is not supported");
    return;
  }
  if (connect.will && !is_valid_topic_name(connect.will->topic)) {
    if (!v5) {
      violation(ReasonCode::kMalformedPacket, "invalid will topic");
      return;
    }
    reject_connect(ReasonCode::kTopicNameInvalid, "invalid will topic");
    return;
  }
  if (client_id.empty()) {
    if (!connect.clean_start && !v5) {
      reject_connect(ReasonCode::kClientIdentifierNotValid, "an empty client id needs clean session (3.1.1)");
      return;
    }
    client_id = shard_->new_client_id();  // one this shard owns: the connection need not move
    assigned_client_id_ = true;
  }
  if (Gateway* gateway = shard_->broker().gateway()) {
    Admission admission = gateway->admit(client_id, connect.username, connect.password);
    if (admission.reason != ReasonCode::kSuccess) {
      reject_connect(admission.reason, admission.why);
      return;
    }
    role_ = admission.role;
    if (connect.will && !gateway->may_publish(role_, client_id, connect.will->topic)) {
      reject_connect(ReasonCode::kNotAuthorized,
                     "this client may not publish to its will's topic '" + std::string(connect.will->topic) + "'");
      return;
    }
  }
  Shard& home = shard_->broker().home_shard(client_id);
  if (&home != shard_) {
    // The session lives on another reactor: move there with the CONNECT.
    pending_->connect_packet.assign(raw_packet.begin(), raw_packet.end());
    state_ = State::kHandingOver;
    shard_->hand_over(*this, home);
    return;
  }
  complete_connect(connect);
}

void Connection::resume_after_hand_over(Shard& shard) {
  shard_ = &shard;
  state_ = State::kAwaitingConnect;
  const std::vector<std::byte> raw = std::move(pending_->connect_packet);
  auto frame = read_frame(raw, kMaxRemainingLength + 5);
  auto decoded = decode_packet(**frame, ByteSpan(raw).subspan((*frame)->header_size), version_);
  complete_connect(std::get<Connect>(*decoded));
}

void Connection::complete_connect(const Connect& connect) {
  const BrokerConfig& config = shard_->config();
  const bool v5 = version_ == ProtocolVersion::kV5;
  const Properties& properties = connect.properties;

  keep_alive_ = connect.keep_alive;
  bool keep_alive_changed = false;
  if (v5 && keep_alive_ > config.max_keepalive) {
    keep_alive_ = config.max_keepalive;
    keep_alive_changed = true;
  }
  std::uint32_t expiry;
  bool expiry_changed = false;
  if (v5) {
    expiry = properties.session_expiry_interval.value_or(0);
    if (expiry > config.max_session_expiry) {
      expiry = config.max_session_expiry;
      expiry_changed = true;
    }
  } else {
    // 3.1.1 has no expiry; without clean session the broker's cap is the only end.
    expiry = connect.clean_start ? 0 : config.max_session_expiry;
  }
  send_window_ = std::min(properties.receive_maximum.value_or(65535), config.max_inflight);
  if (properties.maximum_packet_size) client_max_packet_size_ = *properties.maximum_packet_size;
  client_topic_alias_max_ = std::min(properties.topic_alias_maximum.value_or(0), config.outbound_topic_aliases);
  request_problem_information_ = properties.request_problem_information.value_or(1) == 1;

  std::optional<PendingWill> will;
  if (connect.will) {
    auto message = std::make_shared<Message>();
    message->topic = connect.will->topic;
    message->payload = as_text(connect.will->payload);
    message->qos = connect.will->qos;
    message->retain = connect.will->retain;
    PendingWill w{.message = nullptr, .delay = connect.will->properties.will_delay_interval.value_or(0)};
    // The will's own properties travel with it; its expiry counts from when it is published.
    ByteBuffer raw;
    encode_property_contents(connect.will->properties, raw);
    message->properties = forwardable_properties(raw.readable());
    w.message_expiry = connect.will->properties.message_expiry_interval;
    w.message = std::move(message);
    will = std::move(w);
  }

  const auto opened = shard_->open_session(*this, pending_->client_id, connect, expiry, std::move(will));
  session_ = opened.session;
  pending_.reset();  // the session holds the client id from now on
  state_ = State::kConnected;

  Connack connack{.session_present = opened.present};
  if (v5) {
    Properties& p = connack.properties;
    if (expiry_changed) p.session_expiry_interval = expiry;
    p.receive_maximum = config.receive_maximum;
    p.maximum_packet_size = config.max_packet_size;
    if (config.topic_alias_maximum) p.topic_alias_maximum = config.topic_alias_maximum;
    if (assigned_client_id_) p.assigned_client_identifier = session_->client_id();
    if (keep_alive_changed) p.server_keep_alive = keep_alive_;
  }
  send_packet(connack);
  if (spdlog::should_log(spdlog::level::info)) {  // describe() is not free: only when it is logged
    spdlog::info("{}: connected (MQTT {}, {}, keep alive {} s{})", describe(), v5 ? "5.0" : "3.1.1",
                 connect.clean_start ? "clean start" : opened.present ? "session resumed" : "new session",
                 keep_alive_, connect.will ? ", with a will" : "");
  }
  if (Gateway* gateway = shard_->broker().gateway()) gateway->on_connected(shard_->index(), role_, session_->client_id());
  shard_->resume_delivery(*session_);
}

}  // namespace millet::mqtt
