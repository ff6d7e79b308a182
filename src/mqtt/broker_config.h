#pragma once
// Broker settings. Defaults suit a home or a building; docs/configuration.md
// describes each as a command-line flag.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace millet::mqtt {

struct BrokerConfig {
  // Largest packet accepted from a client, announced in CONNACK (v5).
  std::uint32_t max_packet_size = 1 << 20;
  // Inbound QoS 1/2 window announced to v5 clients (Receive Maximum).
  std::uint16_t receive_maximum = 1024;
  // Outbound QoS 1/2 messages in flight per client (capped by the client's Receive Maximum).
  std::uint16_t max_inflight = 1000;
  // Messages queued per session beyond those in flight; further ones are dropped.
  std::size_t max_queued_messages = 10000;
  // Inbound topic aliases accepted from a v5 client.
  std::uint16_t topic_alias_maximum = 64;
  // Outbound topic aliases millet uses, at most, toward a v5 client that allows them.
  std::uint16_t outbound_topic_aliases = 64;
  // A client asking for a longer keep alive is told this one (v5 Server Keep Alive).
  std::uint16_t max_keepalive = 65535;
  // Longest session expiry granted (v5, and 3.1.1 sessions without clean
  // session, which would otherwise never expire); 0xFFFFFFFF means never.
  std::uint32_t max_session_expiry = 0xFFFFFFFF;
  // A connection that sends no CONNECT within this time is closed.
  std::chrono::milliseconds connect_timeout{10'000};
  // Bytes waiting for a slow client beyond which the publishers feeding it are
  // held back (their connections are not read) until it has caught up.
  std::size_t congestion_backlog = 1 << 20;
  // A client that reads nothing for this long no longer holds anyone back...
  std::chrono::milliseconds stuck_after{2'000};
  // ...nor one that has been behind for this long, however slowly it reads.
  std::chrono::milliseconds max_hold{10'000};
  // Bytes waiting for a slow client beyond which QoS 0 messages to it are
  // dropped if it is stuck, and its own connection is not read until it
  // catches up. (One that is not stuck is allowed a window more per shard: what
  // was already on its way when it held its publishers back.)
  std::size_t max_output_backlog = 8 << 20;
  // Bytes of messages a shard may have sent to another shard that the other
  // has not yet processed; past it, the connections publishing on the sending
  // shard are not read until the other catches up.
  std::size_t shard_window = 2 << 20;
  // How often each shard checks keep alives, delayed wills and session expiry.
  std::chrono::milliseconds tick_interval{250};
};

}  // namespace millet::mqtt
