#pragma once
// Connection: one client's network connection — reading packets from its
// stream, answering them, and writing what the shard sends to the client.
// Belongs to one shard and is used only on its thread.
//
// Life: accepted (waiting for CONNECT) → [handed to the shard that owns the
// client id's session] → connected → closed. Bad input never throws: each
// protocol violation is logged with the client's address and id, answered with
// the MQTT 5 reason code (DISCONNECT or CONNACK) or, for 3.1.1, by closing.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/gateway.h"
#include "mqtt/message.h"
#include "mqtt/session.h"
#include "net/stream.h"

namespace millet::mqtt {

class Shard;
class PublishEncodingCache;

class Connection final : public net::StreamHandler {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  Connection(Shard& shard, std::shared_ptr<net::Stream> stream, std::uint64_t id);
  ~Connection() override;

  std::uint64_t id() const { return id_; }
  Session* session() const { return session_; }
  void set_session(Session* session) { session_ = session; }
  ProtocolVersion version() const { return version_; }
  net::Stream& stream() { return *stream_; }
  const std::shared_ptr<net::Stream>& stream_pointer() const { return stream_; }
  bool connected() const { return state_ == State::kConnected; }
  // Who the client is (decided by the gateway at CONNECT).
  ClientRole role() const { return role_; }
  // "client 'id' (address)" for log lines.
  std::string describe() const;

  // net::StreamHandler
  std::size_t on_stream_data(ByteSpan data) override;
  void on_stream_closed(std::string_view reason) override;
  void on_stream_drained() override;

  // Backpressure, publisher side: a congested subscriber holds this
  // connection's reading until it has caught up (counted, one per subscriber).
  void hold_reading();
  void release_reading();

  // --- sending (the shard calls these) ------------------------------------
  // Sends a PUBLISH; false if it was dropped (too large for the client, or QoS
  // 0 to a client too far behind). `cache` shares one encoding among the
  // subscribers of one message.
  bool send_publish(const Delivery& delivery, std::uint16_t packet_id, bool dup, PublishEncodingCache* cache);
  void send_pubrel(std::uint16_t packet_id);
  void send_packet(const Packet& packet);
  // The client's Receive Maximum, capped by the server's max in-flight.
  std::size_t send_window() const { return send_window_; }

  // Closes the connection; v5 clients first get DISCONNECT with `reason`.
  // `publish_will` is false only for a normal disconnection by the client and
  // for server shutdown.
  void disconnect(ReasonCode reason, std::string_view why, bool publish_will = true);

  // Called by the shard's tick: enforces the CONNECT timeout and keep alive.
  void check_timers(SteadyTime now);

  // Continues a CONNECT that arrived on another shard (see Shard::hand_over).
  void resume_after_hand_over(Shard& shard);

 private:
  enum class State : std::uint8_t { kAwaitingConnect, kHandingOver, kConnected, kClosed };

  // Returns false when the connection must stop reading (closed or moving).
  bool handle_packet(const Frame& frame, ByteSpan packet);
  void handle_connect(const Connect& connect, ByteSpan raw_packet);
  void reject_connect(ReasonCode reason, std::string_view why);
  void complete_connect(const Connect& connect);
  void handle_publish(Publish& publish);
  void handle_publish_ack(const PublishAck& ack);
  void handle_subscribe(const Subscribe& subscribe);
  void handle_unsubscribe(const Unsubscribe& unsubscribe);
  void handle_disconnect(const Disconnect& disconnect);
  // Sends an acknowledgement in order, after the shard's barrier; `ends_flow`
  // when it completes an inbound QoS 1/2 flow.
  // `why` becomes the v5 reason string, if the client asked for them.
  void send_ack_later(PacketType type, std::uint16_t packet_id, ReasonCode reason, bool ends_flow,
                      std::string why = {});
  // Acknowledges a PUBLISH that is not routed (refused, or taken by the gateway).
  void answer_unrouted(const Publish& publish, ReasonCode reason, std::string why);
  // Logs a protocol violation and disconnects with `reason`.
  void violation(ReasonCode reason, std::string_view what);
  std::string_view outbound_topic(const std::string& topic, std::uint16_t& alias);
  // Backpressure, subscriber side.
  // Backlog past which QoS 0 messages to this client are dropped.
  std::size_t qos0_backlog_limit() const;
  void note_congestion(const Message& message);
  void release_publishers();
  void closing();

  // While CONNECT is handled (and the connection moves to its session's
  // shard): the client id and the CONNECT packet itself.
  struct Pending {
    std::string client_id;
    std::vector<std::byte> connect_packet;
  };
  // Subscriber side of backpressure, while this client is behind: since when
  // (without reading anything; at all), whether it is stuck, and the
  // publishers (shard, connection id) it holds back.
  struct Congestion {
    SteadyTime since;
    SteadyTime held_since;
    std::uint64_t written_when_checked = 0;
    bool stuck = false;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> held_publishers;
  };

  // An idle connection is mostly these fields; what only some connections
  // need sits behind pointers, allocated when needed.
  Shard* shard_;
  std::shared_ptr<net::Stream> stream_;
  const std::uint64_t id_;
  Session* session_ = nullptr;
  SteadyTime last_packet_at_;  // before CONNECT: when the connection opened
  std::unique_ptr<Pending> pending_;
  std::unique_ptr<Congestion> congestion_;
  std::unique_ptr<std::vector<std::string>> inbound_aliases_;  // index alias - 1
  std::unique_ptr<std::unordered_map<std::string, std::uint16_t>> outbound_aliases_;

  // The client's limits (v5 CONNECT properties).
  std::uint32_t client_max_packet_size_ = kMaxRemainingLength + 5;
  std::uint32_t inbound_unacked_ = 0;  // QoS 1/2 PUBLISHes not yet acknowledged
  std::uint32_t holds_ = 0;            // publisher side: congested subscribers holding this connection
  std::uint32_t dropped_messages_ = 0;
  std::uint16_t keep_alive_ = 0;
  std::uint16_t send_window_ = 0;
  std::uint16_t client_topic_alias_max_ = 0;
  State state_ = State::kAwaitingConnect;
  ProtocolVersion version_ = ProtocolVersion::kV311;
  bool request_problem_information_ = true;
  bool assigned_client_id_ = false;
  ClientRole role_ = ClientRole::kAnonymous;
};

}  // namespace millet::mqtt
