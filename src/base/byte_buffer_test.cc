#include "base/byte_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace millet {
namespace {

std::string text_of(const ByteBuffer& buffer) { return std::string(as_text(buffer.readable())); }

TEST(ByteBuffer, StartsWithoutStorage) {
  ByteBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.capacity(), 0u);
}

TEST(ByteBuffer, AppendConsumeKeepsOrder) {
  ByteBuffer buffer;
  buffer.append(std::string_view("hello "));
  buffer.append(std::string_view("world"));
  EXPECT_EQ(text_of(buffer), "hello world");
  buffer.consume(6);
  EXPECT_EQ(text_of(buffer), "world");
  buffer.append(std::string_view("!"));
  EXPECT_EQ(text_of(buffer), "world!");
}

TEST(ByteBuffer, GrowsPastInitialCapacityAndReclaimsPrefix) {
  ByteBuffer buffer;
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    std::string piece = std::to_string(i) + ",";
    buffer.append(std::string_view(piece));
    expected += piece;
    if (i % 7 == 0) {
      buffer.consume(2);
      expected.erase(0, 2);
    }
  }
  EXPECT_EQ(text_of(buffer), expected);
}

TEST(ByteBuffer, PrepareCommitAndRelease) {
  ByteBuffer buffer;
  auto space = buffer.prepare(4);
  ASSERT_GE(space.size(), 4u);
  std::memcpy(space.data(), "abcd", 4);
  buffer.commit(4);
  EXPECT_EQ(text_of(buffer), "abcd");
  buffer.consume(4);
  buffer.release_if_empty();
  EXPECT_EQ(buffer.capacity(), 0u);
}

}  // namespace
}  // namespace millet

#include "base/ring_queue.h"

namespace millet {
namespace {

TEST(RingQueue, FifoAcrossGrowthAndWrap) {
  RingQueue<std::string> queue;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < round % 7 + 1; ++i) queue.push_back(std::to_string(next_in++));
    for (int i = 0; i < round % 5 && !queue.empty(); ++i) {
      EXPECT_EQ(queue.front(), std::to_string(next_out++));
      queue.pop_front();
    }
  }
  EXPECT_EQ(queue.size(), static_cast<std::size_t>(next_in - next_out));
  for (std::size_t i = 0; i < queue.size(); ++i) EXPECT_EQ(queue[i], std::to_string(next_out + static_cast<int>(i)));
}

TEST(RingQueue, PushFrontAndReleaseWhenEmpty) {
  RingQueue<int> queue;
  queue.push_back(2);
  queue.push_front(1);
  EXPECT_EQ(queue.front(), 1);
  EXPECT_EQ(queue.back(), 2);
  queue.pop_front();
  queue.pop_front();
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace millet
