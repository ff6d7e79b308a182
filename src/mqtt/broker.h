#pragma once
// Broker: the MQTT broker of one node — a shard per reactor, the store they
// persist to, and what they share (configuration, id counters).

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/expected.h"
#include "mqtt/broker_config.h"
#include "mqtt/gateway.h"
#include "mqtt/shard.h"
#include "net/reactor.h"
#include "net/stream.h"
#include "store/kv_store.h"

namespace millet::mqtt {

class Broker {
 public:
  // The reactors must not be running yet; the store must outlive the broker.
  Broker(BrokerConfig config, net::ReactorPool& reactors, store::KvStore& store);
  ~Broker();

  // Loads retained messages and persistent sessions from the store. Call once,
  // before the reactors start. Reports what it loaded in the log.
  Expected<void, std::string> restore();

  // Hands a newly accepted stream to the shard of its reactor (on that thread).
  void accept(std::shared_ptr<net::Stream> stream);

  // Disconnects every client and writes the store; `done` runs once all shards
  // have finished (on some reactor thread).
  void shut_down(std::function<void()> done);

  // The gateway (not owned; it must outlive the broker), set before the
  // reactors start; none: every client is admitted and every message routed.
  void set_gateway(Gateway* gateway) { gateway_ = gateway; }
  Gateway* gateway() const { return gateway_; }

  // Publishes `message` for the platform (no client published it) on the shard
  // that holds `client_id`'s session, so that this client gets it in order.
  // Any thread.
  void publish_to(std::string_view client_id, MessagePtr message);
  // Disconnects `client_id`'s connection, if there is one (v5: with `reason`).
  // Any thread.
  void disconnect_client(std::string client_id, ReasonCode reason, std::string why);

  const BrokerConfig& config() const { return config_; }
  store::KvStore& store() { return store_; }
  std::size_t shard_count() const { return shards_.size(); }
  Shard& shard(std::size_t index) { return *shards_[index]; }
  // The shard that owns the session of `client_id`.
  Shard& home_shard(std::string_view client_id);

  std::uint64_t next_session_id() { return session_ids_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t next_connection_id() { return connection_ids_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t next_retained_sequence() { return retained_sequence_.fetch_add(1, std::memory_order_relaxed); }

 private:
  BrokerConfig config_;
  store::KvStore& store_;
  Gateway* gateway_ = nullptr;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> session_ids_{1};
  std::atomic<std::uint64_t> connection_ids_{1};
  std::atomic<std::uint64_t> retained_sequence_{1};
};

}  // namespace millet::mqtt
