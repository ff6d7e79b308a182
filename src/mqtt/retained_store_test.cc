#include "mqtt/retained_store.h"

#include <gtest/gtest.h>

#include <set>

namespace millet::mqtt {
namespace {

MessagePtr message(std::string topic, std::string payload) {
  auto m = std::make_shared<Message>();
  m->topic = std::move(topic);
  m->payload = std::move(payload);
  m->retain = true;
  return m;
}

std::set<std::string> matching(const RetainedStore& store, std::string_view filter, WallTime now) {
  std::set<std::string> topics;
  store.match(filter, now, [&](const MessagePtr& m) { topics.insert(m->topic + "=" + m->payload); });
  return topics;
}

TEST(RetainedStore, MatchesFilters) {
  RetainedStore store;
  const WallTime now = WallClock::now();
  std::uint64_t seq = 1;
  for (auto topic : {"a", "a/b", "a/c", "a/b/c", "b", "$SYS/x", "/lead"}) store.apply(topic, message(topic, "v"), seq++, now);
  EXPECT_EQ(store.size(), 7u);
  EXPECT_EQ(matching(store, "a/#", now), (std::set<std::string>{"a=v", "a/b=v", "a/c=v", "a/b/c=v"}));
  EXPECT_EQ(matching(store, "a/+", now), (std::set<std::string>{"a/b=v", "a/c=v"}));
  EXPECT_EQ(matching(store, "#", now), (std::set<std::string>{"a=v", "a/b=v", "a/c=v", "a/b/c=v", "b=v", "/lead=v"}));
  EXPECT_EQ(matching(store, "+", now), (std::set<std::string>{"a=v", "b=v"}));
  EXPECT_EQ(matching(store, "$SYS/#", now), (std::set<std::string>{"$SYS/x=v"}));
  EXPECT_EQ(matching(store, "+/lead", now), (std::set<std::string>{"/lead=v"}));
  EXPECT_EQ(matching(store, "a/b", now), (std::set<std::string>{"a/b=v"}));
  EXPECT_EQ(matching(store, "zzz", now), (std::set<std::string>{}));
}

TEST(RetainedStore, HighestSequenceWinsWhateverTheOrder) {
  const WallTime now = WallClock::now();
  RetainedStore in_order, crossed;
  // Set (10) and clear (11) applied in both orders end the same.
  in_order.apply("t", message("t", "old"), 10, now);
  in_order.apply("t", nullptr, 11, now);
  crossed.apply("t", nullptr, 11, now);
  EXPECT_FALSE(crossed.apply("t", message("t", "old"), 10, now));
  EXPECT_EQ(matching(in_order, "t", now), matching(crossed, "t", now));
  EXPECT_TRUE(matching(crossed, "t", now).empty());
  // A newer set revives it.
  EXPECT_TRUE(crossed.apply("t", message("t", "new"), 12, now));
  EXPECT_EQ(matching(crossed, "t", now), (std::set<std::string>{"t=new"}));
}

TEST(RetainedStore, ExpiredMessagesAreNotReturnedAndTombstonesArePruned) {
  RetainedStore store;
  const WallTime now = WallClock::now();
  auto expiring = std::make_shared<Message>(*message("e", "x"));
  expiring->expires_at = now + std::chrono::seconds(5);
  store.apply("e", expiring, 1, now);
  EXPECT_EQ(matching(store, "e", now).size(), 1u);
  EXPECT_TRUE(matching(store, "e", now + std::chrono::seconds(6)).empty());

  store.apply("gone", nullptr, 2, now);
  store.prune_tombstones(now + std::chrono::seconds(1));
  // After pruning, an old update is accepted again (the window for crossing updates has passed).
  EXPECT_TRUE(store.apply("gone", message("gone", "late"), 1, now));
}

}  // namespace
}  // namespace millet::mqtt
