// Connection: the read loop, sending, timers and closing. The packet handlers
// are in connect.cc, publish_flow.cc and subscribe.cc.

#include "mqtt/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "mqtt/broker.h"
#include "mqtt/publish_encoder.h"
#include "mqtt/shard.h"

namespace millet::mqtt {

Connection::Connection(Shard& shard, std::shared_ptr<net::Stream> stream, std::uint64_t id)
    : shard_(&shard), stream_(std::move(stream)), id_(id) {
  last_packet_at_ = std::chrono::steady_clock::now();
}

Connection::~Connection() = default;

std::string Connection::describe() const {
  const std::string* client_id = session_ ? &session_->client_id() : pending_ ? &pending_->client_id : nullptr;
  if (!client_id || client_id->empty()) return "connection from " + stream_->remote_address();
  return "client '" + *client_id + "' (" + stream_->remote_address() + ")";
}

std::size_t Connection::on_stream_data(ByteSpan data) {
  std::size_t consumed = 0;
  while (state_ == State::kAwaitingConnect || state_ == State::kConnected) {
    auto frame = read_frame(data.subspan(consumed), shard_->config().max_packet_size);
    if (!frame) {
      const bool too_large = frame.error().code == ReasonCode::kPacketTooLarge;
      violation(frame.error().code, too_large ? "packet larger than the maximum packet size of " +
                                                    std::to_string(shard_->config().max_packet_size) + " bytes"
                                              : std::string(frame.error().message));
      return data.size();
    }
    if (!frame->has_value() || data.size() - consumed < (*frame)->total_size()) break;
    const Frame& f = **frame;
    const ByteSpan packet = data.subspan(consumed, f.total_size());
    consumed += f.total_size();
    last_packet_at_ = std::chrono::steady_clock::now();
    if (!handle_packet(f, packet)) break;
  }
  return consumed;
}

bool Connection::handle_packet(const Frame& frame, ByteSpan packet) {
  const ByteSpan body = packet.subspan(frame.header_size);
  if (state_ == State::kAwaitingConnect) {
    if (frame.type() != PacketType::kConnect) {
      spdlog::warn("{}: first packet is {}, not CONNECT; closing", describe(), packet_type_name(frame.type()));
      disconnect(ReasonCode::kProtocolError, "the first packet must be CONNECT", false);
      return false;
    }
    auto decoded = decode_packet(frame, body, ProtocolVersion::kV5);
    if (!decoded) {
      const std::string why = std::string("bad CONNECT: ") + decoded.error().message;
      const auto level = connect_protocol_level(body);
      if (decoded.error().code == ReasonCode::kUnsupportedProtocolVersion) {
        // 3.1.1 section 3.2.2.3: return code 1; a newer client reads the 5.0 form best.
        version_ = level && *level > 5 ? ProtocolVersion::kV5 : ProtocolVersion::kV311;
        reject_connect(decoded.error().code, why);
      } else if (level == 5 && frame.flags() == 0) {
        // MQTT 5.0 section 3.1.4: a CONNACK with the reason, then close.
        version_ = ProtocolVersion::kV5;
        reject_connect(decoded.error().code, why);
      } else {
        // 3.1.1, or not recognisably MQTT: close without answering.
        spdlog::warn("{}: {}; closing the connection", describe(), why);
        disconnect(decoded.error().code, why, false);
      }
      return false;
    }
    handle_connect(std::get<Connect>(*decoded), packet);
    return state_ == State::kConnected;
  }

  if (frame.type() == PacketType::kPublish) {
    // The hot path: decoded in place, no Packet variant built. Nothing that
    // handle_publish calls reads another packet on this thread, so one Publish
    // per thread is reused safely.
    thread_local Publish publish;
    if (auto ok = decode_publish(frame, body, version_, publish); !ok) {
      violation(ok.error().code, std::string("bad PUBLISH: ") + ok.error().message);
      return false;
    }
    handle_publish(publish);
    return state_ == State::kConnected;
  }
  auto decoded = decode_packet(frame, body, version_);
  if (!decoded) {
    violation(decoded.error().code,
              std::string("bad ") + std::string(packet_type_name(frame.type())) + ": " + decoded.error().message);
    return false;
  }
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Publish>) {
          handle_publish(p);
        } else if constexpr (std::is_same_v<T, PublishAck>) {
          handle_publish_ack(p);
        } else if constexpr (std::is_same_v<T, Subscribe>) {
          handle_subscribe(p);
        } else if constexpr (std::is_same_v<T, Unsubscribe>) {
          handle_unsubscribe(p);
        } else if constexpr (std::is_same_v<T, Pingreq>) {
          send_packet(Pingresp{});
        } else if constexpr (std::is_same_v<T, Disconnect>) {
          handle_disconnect(p);
        } else if constexpr (std::is_same_v<T, Connect>) {
          violation(ReasonCode::kProtocolError, "a second CONNECT on one connection");
        } else if constexpr (std::is_same_v<T, Auth>) {
          violation(ReasonCode::kProtocolError, "AUTH without enhanced authentication");
        } else {
          violation(ReasonCode::kProtocolError,
                    std::string("a server-to-client packet (") + std::string(packet_type_name(frame.type())) + ")");
        }
      },
      *decoded);
  return state_ == State::kConnected;
}

void Connection::on_stream_closed(std::string_view reason) {
  if (state_ == State::kClosed) return;
  const bool was_connected = state_ == State::kConnected;
  state_ = State::kClosed;
  if (spdlog::should_log(was_connected ? spdlog::level::info : spdlog::level::debug)) {
    spdlog::log(was_connected ? spdlog::level::info : spdlog::level::debug, "{}: {}: {}", describe(),
                was_connected ? "connection lost" : "closed before CONNECT", reason);
  }
  closing();
  shard_->connection_closed(*this, /*publish_will=*/true);
}

void Connection::violation(ReasonCode reason, std::string_view what) {
  if (version_ == ProtocolVersion::kV5 && state_ == State::kConnected) {
    spdlog::warn("{}: {}; disconnecting with {} (0x{:02x})", describe(), what, reason_code_name(reason),
                 static_cast<unsigned>(reason));
  } else {
    spdlog::warn("{}: {}; closing the connection", describe(), what);
  }
  disconnect(reason, what);
}

void Connection::disconnect(ReasonCode reason, std::string_view why, bool publish_will) {
  if (state_ == State::kClosed) return;
  const bool was_connected = state_ == State::kConnected;
  if (was_connected && version_ == ProtocolVersion::kV5) {
    Disconnect packet{.reason = reason};
    if (request_problem_information_ && !why.empty() && why.size() < 1024) packet.properties.reason_string = why;
    send_packet(packet);
  }
  state_ = State::kClosed;
  stream_->close(/*flush=*/true);
  if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("{}: disconnected: {}", describe(), why);
  closing();
  shard_->connection_closed(*this, publish_will);
}

void Connection::send_packet(const Packet& packet) {
  encode(packet, version_, stream_->output());
  stream_->flush_soon();
}

void Connection::send_pubrel(std::uint16_t packet_id) {
  send_packet(PublishAck{.type = PacketType::kPubrel, .packet_id = packet_id});
}

std::string_view Connection::outbound_topic(const std::string& topic, std::uint16_t& alias) {
  if (!outbound_aliases_) outbound_aliases_ = std::make_unique<std::unordered_map<std::string, std::uint16_t>>();
  if (auto it = outbound_aliases_->find(topic); it != outbound_aliases_->end()) {
    alias = it->second;
    return {};  // the client knows the topic by its alias
  }
  alias = outbound_aliases_->size() < client_topic_alias_max_
              ? static_cast<std::uint16_t>(outbound_aliases_->size() + 1)
              : 0;
  return topic;
}

bool Connection::send_publish(const Delivery& delivery, std::uint16_t packet_id, bool dup,
                              PublishEncodingCache* cache) {
  if (state_ != State::kConnected) return false;
  const Message& message = *delivery.message;
  if (delivery.qos == 0 && stream_->backlog() > qos0_backlog_limit()) {
    if (dropped_messages_++ % 1000 == 0) {
      spdlog::warn("{}: not reading fast enough; dropping QoS 0 messages ({} so far)", describe(),
                   dropped_messages_);
    }
    return false;
  }
  if (stream_->backlog() > shard_->config().congestion_backlog && !(congestion_ && congestion_->stuck)) {
    note_congestion(message);
  }
  ByteBuffer& out = stream_->output();
  const bool per_connection =
      version_ == ProtocolVersion::kV5 && (client_topic_alias_max_ > 0 || !delivery.subscription_ids.empty());
  std::size_t written;
  if (cache && !dup && !per_connection) {
    written = cache->append(version_, delivery.qos, delivery.retain, packet_id, client_max_packet_size_, out);
  } else {
    OutboundPublish publish{.qos = delivery.qos,
                            .retain = delivery.retain,
                            .dup = dup,
                            .packet_id = packet_id,
                            .topic = message.topic,
                            .subscription_ids = delivery.subscription_ids};
    if (version_ == ProtocolVersion::kV5 && client_topic_alias_max_ > 0) {
      publish.topic = outbound_topic(message.topic, publish.topic_alias);
    }
    const WallTime now = cache ? cache->now() : WallClock::now();
    written = encode_publish(message, publish, version_, now, client_max_packet_size_, out);
    // A new alias counts once the client has been sent the topic with it.
    if (written && publish.topic_alias && !publish.topic.empty()) {
      outbound_aliases_->emplace(message.topic, publish.topic_alias);
    }
  }
  if (written == 0) {
    spdlog::debug("{}: message on '{}' exceeds the client's maximum packet size of {} bytes; dropped", describe(),
                  message.topic, client_max_packet_size_);
    return false;
  }
  stream_->flush_soon();
  return true;
}

// --- backpressure -----------------------------------------------------------------
//
// A subscriber more than `congestion_backlog` bytes behind holds back each
// publisher whose messages reach it: the publisher's connection is not read
// until the subscriber's output is written (on_stream_drained), so a fast
// publisher slows to its slowest subscriber instead of losing QoS 0 messages.
// A subscriber that reads nothing for `stuck_after`, or is still behind after
// `max_hold`, is "stuck": it releases the publishers and from then on messages
// past `max_output_backlog` are dropped for it alone, so one dead or trickling
// reader cannot stall others.

std::size_t Connection::qos0_backlog_limit() const {
  const BrokerConfig& config = shard_->config();
  if (congestion_ && congestion_->stuck) return config.max_output_backlog;
  // Holding publishers back takes effect after what is already on its way:
  // at most a window from each shard (see Shard::window_full).
  return config.max_output_backlog + shard_->broker().shard_count() * config.shard_window;
}

void Connection::note_congestion(const Message& message) {
  if (!congestion_) {
    congestion_ = std::make_unique<Congestion>();
    congestion_->since = congestion_->held_since = std::chrono::steady_clock::now();
    stream_->notify_when_drained();
  }
  if (message.origin_connection == 0 || message.origin_connection == id_) return;
  const std::pair<std::uint32_t, std::uint64_t> publisher{message.origin_shard, message.origin_connection};
  auto& held = congestion_->held_publishers;
  if (std::find(held.begin(), held.end(), publisher) != held.end()) return;
  held.push_back(publisher);
  shard_->hold_publisher(publisher.first, publisher.second, true);
}

void Connection::release_publishers() {
  if (!congestion_) return;
  for (const auto& [shard, connection] : congestion_->held_publishers) shard_->hold_publisher(shard, connection, false);
  congestion_->held_publishers.clear();
}

void Connection::on_stream_drained() {
  release_publishers();
  congestion_.reset();
}

void Connection::hold_reading() {
  if (holds_++ == 0) stream_->pause_reading();
}

void Connection::release_reading() {
  if (holds_ == 0 || --holds_ > 0) return;
  last_packet_at_ = std::chrono::steady_clock::now();  // the wait was ours, not the client's
  stream_->resume_reading();
}

void Connection::closing() { release_publishers(); }

void Connection::check_timers(SteadyTime now) {
  using std::chrono::milliseconds;
  if (congestion_ && !congestion_->stuck) {
    Congestion& c = *congestion_;
    const BrokerConfig& config = shard_->config();
    if (now - c.held_since > config.max_hold) {
      spdlog::warn("{}: still behind after {} ms; no longer holding back its publishers", describe(),
                   config.max_hold.count());
      c.stuck = true;
      release_publishers();
    } else if (stream_->bytes_written() != c.written_when_checked) {
      c.written_when_checked = stream_->bytes_written();  // slow, but reading
      c.since = now;
    } else if (now - c.since > config.stuck_after) {
      spdlog::warn("{}: has read nothing for {} ms; no longer holding back its publishers", describe(),
                   config.stuck_after.count());
      c.stuck = true;
      release_publishers();
    }
  }
  if (state_ == State::kAwaitingConnect) {
    if (now - last_packet_at_ > shard_->config().connect_timeout) {
      spdlog::warn("{}: no CONNECT within {} ms; closing", describe(), shard_->config().connect_timeout.count());
      disconnect(ReasonCode::kMaximumConnectTime, "no CONNECT in time", false);
    }
    return;
  }
  if (state_ != State::kConnected || keep_alive_ == 0 || holds_ > 0) return;
  // MQTT 5.0 section 3.1.2.10: one and a half times the Keep Alive.
  if (now - last_packet_at_ > milliseconds(keep_alive_ * 1500)) {
    spdlog::info("{}: nothing received for 1.5 x the keep alive of {} s", describe(), keep_alive_);
    disconnect(ReasonCode::kKeepAliveTimeout, "keep alive timeout");
  }
}

}  // namespace millet::mqtt
