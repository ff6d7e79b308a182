#include "mqtt/session.h"

#include <gtest/gtest.h>

namespace millet::mqtt {
namespace {

Delivery delivery(std::uint8_t qos) {
  auto m = std::make_shared<Message>();
  m->topic = "t";
  m->qos = qos;
  return Delivery{m, qos, false, {}, 0};
}

TEST(Session, WindowLimitsInflight) {
  Session session("c", 1);
  EXPECT_TRUE(session.can_send(2));
  auto& first = session.start_inflight(delivery(1));
  session.start_inflight(delivery(2));
  EXPECT_EQ(first.packet_id, 1);
  EXPECT_EQ(session.inflight[1].packet_id, 2);
  EXPECT_EQ(session.inflight[1].state, Inflight::State::kAwaitingPubrec);
  EXPECT_FALSE(session.can_send(2));
  EXPECT_TRUE(session.can_send(3));
}

TEST(Session, OutOfOrderCompletionReleasesFromTheFront) {
  Session session("c", 1);
  for (int i = 0; i < 3; ++i) session.start_inflight(delivery(1));
  Inflight* second = session.find_inflight(2, Inflight::State::kAwaitingPuback);
  ASSERT_NE(second, nullptr);
  session.finish_inflight(*second);
  EXPECT_EQ(session.inflight_active(), 2u);
  EXPECT_EQ(session.inflight.size(), 3u);  // id 1 still holds the front
  EXPECT_EQ(session.find_inflight(2, Inflight::State::kAwaitingPuback), nullptr);
  session.finish_inflight(*session.find_inflight(1, Inflight::State::kAwaitingPuback));
  EXPECT_EQ(session.inflight.size(), 1u);
  EXPECT_EQ(session.inflight.front().packet_id, 3);
}

TEST(Session, FindInflightChecksTheState) {
  Session session("c", 1);
  session.start_inflight(delivery(2));
  EXPECT_EQ(session.find_inflight(1, Inflight::State::kAwaitingPuback), nullptr);
  EXPECT_NE(session.find_inflight(1, Inflight::State::kAwaitingPubrec), nullptr);
}

TEST(Session, PacketIdsWrapAndNeverCollideWithTheOldestInflight) {
  Session session("c", 1);
  auto& stuck = session.start_inflight(delivery(2));  // never completed
  EXPECT_EQ(stuck.packet_id, 1);
  for (int i = 0; i < 65534; ++i) {
    ASSERT_TRUE(session.can_send(70000));
    auto& entry = session.start_inflight(delivery(1));
    session.finish_inflight(entry);
  }
  // The next id would be 1 again, which the stuck message still holds.
  EXPECT_FALSE(session.can_send(70000));
}

TEST(Session, AwaitingPubrel) {
  Session session("c", 1);
  session.add_awaiting_pubrel(7);
  session.add_awaiting_pubrel(7);
  EXPECT_TRUE(session.awaiting_pubrel(7));
  EXPECT_EQ(session.awaiting_pubrel_ids().size(), 1u);
  EXPECT_TRUE(session.remove_awaiting_pubrel(7));
  EXPECT_FALSE(session.remove_awaiting_pubrel(7));
}

}  // namespace
}  // namespace millet::mqtt
