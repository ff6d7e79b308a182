#include "mqtt/persistence.h"

#include <gtest/gtest.h>

namespace millet::mqtt::persistence {
namespace {

MessagePtr sample_message() {
  auto m = std::make_shared<Message>();
  m->topic = "home/客厅/light";
  m->payload = std::string("\0binary\xff", 8);
  m->properties = std::string("\x26\x00\x01k\x00\x01v", 7);
  m->qos = 2;
  m->retain = true;
  m->expires_at = WallTime(std::chrono::milliseconds(1'700'000'000'123));
  return m;
}

TEST(Persistence, MessageRoundTrip) {
  const auto original = sample_message();
  auto decoded = decode_message(encode_message(*original));
  ASSERT_TRUE(decoded.has_value());
  const Message& m = **decoded;
  EXPECT_EQ(m.topic, original->topic);
  EXPECT_EQ(m.payload, original->payload);
  EXPECT_EQ(m.properties, original->properties);
  EXPECT_EQ(m.qos, 2);
  EXPECT_TRUE(m.retain);
  EXPECT_EQ(m.expires_at, original->expires_at);
}

TEST(Persistence, SessionRoundTrip) {
  SessionRecord record;
  record.version = ProtocolVersion::kV311;
  record.expiry_interval = kNeverExpires;
  record.disconnected_at_ms = 1234;
  record.subscriptions = {{"a/#", {.qos = 1, .no_local = true, .retain_handling = 2}, 9},
                          {"$share/g/b", {.qos = 2}, 0}};
  record.will = PendingWill{sample_message(), 30, 60};
  auto decoded = decode_session(encode_session(record));
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->version, ProtocolVersion::kV311);
  EXPECT_EQ(decoded->expiry_interval, kNeverExpires);
  EXPECT_EQ(decoded->disconnected_at_ms, 1234);
  ASSERT_EQ(decoded->subscriptions.size(), 2u);
  EXPECT_EQ(decoded->subscriptions[0].filter, "a/#");
  EXPECT_EQ(decoded->subscriptions[0].options, (SubscriptionOptions{.qos = 1, .no_local = true, .retain_handling = 2}));
  EXPECT_EQ(decoded->subscriptions[0].identifier, 9u);
  ASSERT_TRUE(decoded->will);
  EXPECT_EQ(decoded->will->delay, 30u);
  EXPECT_EQ(decoded->will->message_expiry, 60u);
  EXPECT_EQ(decoded->will->message->topic, "home/客厅/light");
}

TEST(Persistence, QueuedRoundTrip) {
  Delivery delivery{sample_message(), 1, true, {3, 4}, 77};
  auto decoded = decode_queued(encode_queued(delivery, 513, Inflight::State::kAwaitingPubcomp));
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->packet_id, 513);
  EXPECT_EQ(decoded->state, Inflight::State::kAwaitingPubcomp);
  EXPECT_EQ(decoded->delivery.qos, 1);
  EXPECT_TRUE(decoded->delivery.retain);
  EXPECT_EQ(decoded->delivery.subscription_ids, (std::vector<std::uint32_t>{3, 4}));
}

TEST(Persistence, TruncatedRecordsAreErrorsNotCrashes) {
  const std::string session = encode_session(SessionRecord{.will = PendingWill{sample_message(), 1, std::nullopt}});
  for (std::size_t cut = 0; cut < session.size(); ++cut) {
    EXPECT_FALSE(decode_session(std::string_view(session).substr(0, cut)).has_value()) << cut;
  }
  const std::string queued = encode_queued(Delivery{sample_message(), 1, false, {}, 1}, 0,
                                           Inflight::State::kAwaitingPuback);
  for (std::size_t cut = 0; cut < queued.size(); ++cut) {
    EXPECT_FALSE(decode_queued(std::string_view(queued).substr(0, cut)).has_value()) << cut;
  }
}

TEST(Persistence, KeysSortBySequenceAndParse) {
  EXPECT_LT(message_key("c", 255), message_key("c", 256));
  EXPECT_LT(message_key("c", 1), message_key("c", 1ull << 40));
  auto parsed = parse_session_message_key(message_key("dev", 300), "dev");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->kind, 'm');
  EXPECT_EQ(parsed->number, 300u);
  auto inbound = parse_session_message_key(inbound_key("dev", 9), "dev");
  ASSERT_TRUE(inbound);
  EXPECT_EQ(inbound->kind, 'i');
  EXPECT_EQ(inbound->number, 9u);
  EXPECT_FALSE(parse_session_message_key(message_key("devx", 1), "dev"));
  EXPECT_TRUE(message_key("dev", 1).starts_with(session_prefix("dev")));
  EXPECT_FALSE(message_key("device", 1).starts_with(session_prefix("dev")));
}

}  // namespace
}  // namespace millet::mqtt::persistence
