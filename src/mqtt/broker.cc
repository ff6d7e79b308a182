#include "mqtt/broker.h"

#include <spdlog/spdlog.h>

#include "mqtt/persistence.h"

namespace millet::mqtt {

Broker::Broker(BrokerConfig config, net::ReactorPool& reactors, store::KvStore& store)
    : config_(config), store_(store) {
  for (std::size_t i = 0; i < reactors.size(); ++i) {
    shards_.push_back(std::make_unique<Shard>(*this, reactors.at(i), i, reactors.size()));
  }
}

Broker::~Broker() = default;

Shard& Broker::home_shard(std::string_view client_id) {
  return *shards_[std::hash<std::string_view>{}(client_id) % shards_.size()];
}

void Broker::publish_to(std::string_view client_id, MessagePtr message) {
  Shard& shard = home_shard(client_id);
  shard.reactor().post([&shard, message = std::move(message)] { shard.publish(message); });
}

void Broker::disconnect_client(std::string client_id, ReasonCode reason, std::string why) {
  Shard& shard = home_shard(client_id);
  shard.reactor().post([&shard, client_id = std::move(client_id), reason, why = std::move(why)] {
    shard.disconnect_client(client_id, reason, why);
  });
}

void Broker::accept(std::shared_ptr<net::Stream> stream) { shards_[stream->reactor().index()]->accept(std::move(stream)); }

namespace {

// A record written by a newer millet is not ours to remove.
bool newer_format(std::string_view value) {
  return !value.empty() && static_cast<std::uint8_t>(value[0]) > persistence::kFormatVersion;
}

}  // namespace

Expected<void, std::string> Broker::restore() {
  const WallTime now = WallClock::now();
  bool too_new = false;
  std::size_t retained = 0, sessions = 0, queued = 0, skipped = 0;

  store::WriteBatch removal;
  auto scanned = store_.scan(store::Space::kRetained, "", [&](std::string_view topic, std::string_view value) {
    too_new |= newer_format(value);
    auto message = persistence::decode_message(value);
    if (!message) {
      spdlog::warn("store: removing the unreadable retained message of '{}': {}", topic, message.error());
      removal.erase(store::Space::kRetained, topic);
      ++skipped;
      return true;
    }
    for (auto& shard : shards_) shard->restore_retained(std::string(topic), *message);
    ++retained;
    return true;
  });
  if (!scanned) return unexpected(scanned.error());

  std::vector<std::pair<std::string, persistence::SessionRecord>> records;
  std::vector<std::string> unreadable;
  scanned = store_.scan(store::Space::kSessions, "", [&](std::string_view client_id, std::string_view value) {
    too_new |= newer_format(value);
    auto record = persistence::decode_session(value);
    if (!record) {
      spdlog::warn("store: removing the unreadable session of '{}': {}", client_id, record.error());
      unreadable.emplace_back(client_id);
      ++skipped;
      return true;
    }
    records.emplace_back(std::string(client_id), std::move(*record));
    return true;
  });
  if (!scanned) return unexpected(scanned.error());
  if (too_new) {
    return unexpected(std::string("the store was written by a newer version of millet (record format above ") +
                      std::to_string(persistence::kFormatVersion) + "); use that version");
  }
  // Remove what cannot be restored, with everything stored under it.
  for (const std::string& client_id : unreadable) {
    removal.erase(store::Space::kSessions, client_id);
    scanned = store_.scan(store::Space::kSessionMessages, persistence::session_prefix(client_id),
                          [&](std::string_view key, std::string_view) {
                            removal.erase(store::Space::kSessionMessages, key);
                            return true;
                          });
    if (!scanned) return unexpected(scanned.error());
  }

  for (auto& [client_id, record] : records) {
    std::vector<persistence::QueuedRecord> messages;
    std::vector<std::uint16_t> awaiting_pubrel;
    scanned = store_.scan(store::Space::kSessionMessages, persistence::session_prefix(client_id),
                          [&](std::string_view key, std::string_view value) {
                            const auto parsed = persistence::parse_session_message_key(key, client_id);
                            if (!parsed) return true;
                            if (parsed->kind == 'i') {
                              awaiting_pubrel.push_back(static_cast<std::uint16_t>(parsed->number));
                              return true;
                            }
                            auto decoded = persistence::decode_queued(value);
                            if (!decoded) {
                              spdlog::warn("store: removing an unreadable queued message of '{}': {}", client_id,
                                           decoded.error());
                              removal.erase(store::Space::kSessionMessages, key);
                              ++skipped;
                              return true;
                            }
                            decoded->delivery.store_seq = parsed->number;
                            messages.push_back(std::move(*decoded));
                            return true;
                          });
    if (!scanned) return unexpected(scanned.error());
    queued += messages.size();
    ++sessions;
    home_shard(client_id).restore_session(client_id, std::move(record), std::move(messages),
                                          std::move(awaiting_pubrel), now);
  }
  if (!removal.empty()) {
    if (auto written = store_.write(removal); !written) return unexpected(written.error());
  }
  for (auto& shard : shards_) {
    shard->finish_restore();
    shard->reactor().post([s = shard.get()] { s->publish_due_wills(); });
  }
  spdlog::info("store: restored {} retained messages, {} sessions, {} queued messages{}", retained, sessions, queued,
               skipped ? fmt::format(" ({} unreadable records removed)", skipped) : std::string());
  return {};
}

void Broker::shut_down(std::function<void()> done) {
  auto remaining = std::make_shared<std::atomic<std::size_t>>(shards_.size());
  for (auto& shard : shards_) {
    shard->reactor().post([s = shard.get(), remaining, done] {
      s->shut_down();
      if (remaining->fetch_sub(1) == 1) done();
    });
  }
}

}  // namespace millet::mqtt
