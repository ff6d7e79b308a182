#include "mqtt/topic.h"

#include <gtest/gtest.h>

namespace millet::mqtt {
namespace {

TEST(TopicName, Validity) {
  EXPECT_TRUE(is_valid_topic_name("a/b"));
  EXPECT_TRUE(is_valid_topic_name("/"));
  EXPECT_TRUE(is_valid_topic_name("$SYS/x"));
  EXPECT_FALSE(is_valid_topic_name(""));
  EXPECT_TRUE(is_valid_topic_name("", /*allow_empty=*/true));
  EXPECT_FALSE(is_valid_topic_name("a/+"));
  EXPECT_FALSE(is_valid_topic_name("a/#"));
  EXPECT_FALSE(is_valid_topic_name("a#"));
}

TEST(TopicFilter, Validity) {
  for (auto good : {"a", "a/b", "#", "+", "a/#", "+/+", "/+/", "a/+/b", "+/#", "$SYS/#", "a//b"}) {
    EXPECT_TRUE(is_valid_topic_filter(good)) << good;
  }
  for (auto bad : {"", "a/#/b", "#/a", "a#", "a+", "a/b+", "+a/b", "a/##", "a/#/"}) {
    EXPECT_FALSE(is_valid_topic_filter(bad)) << bad;
  }
}

TEST(SharedFilter, Parses) {
  auto parsed = parse_subscription_filter("$share/g1/a/+");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->share_group, "g1");
  EXPECT_EQ(parsed->filter, "a/+");
  auto plain = parse_subscription_filter("a/b");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->is_shared());
  for (auto bad : {"$share/", "$share/g", "$share//a", "$share/g/", "$share/g+/a", "$share/g/a/#/b"}) {
    EXPECT_FALSE(parse_subscription_filter(bad)) << bad;
  }
}

TEST(TopicMatches, SpecExamples) {
  // MQTT 5.0 section 4.7.1.2 and 4.7.1.3.
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
  EXPECT_TRUE(topic_matches("sport/#", "sport"));
  EXPECT_TRUE(topic_matches("#", "a/b/c"));
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player1"));
  EXPECT_FALSE(topic_matches("sport/tennis/+", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(topic_matches("sport/+", "sport"));
  EXPECT_TRUE(topic_matches("sport/+", "sport/"));
  EXPECT_TRUE(topic_matches("+/+", "/finance"));
  EXPECT_TRUE(topic_matches("/+", "/finance"));
  EXPECT_FALSE(topic_matches("+", "/finance"));
  EXPECT_TRUE(topic_matches("a//b", "a//b"));
  EXPECT_TRUE(topic_matches("a/+/b", "a//b"));
  EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
}

TEST(TopicMatches, DollarTopics) {
  // Section 4.7.2: wildcards at the first level do not match $-topics.
  EXPECT_FALSE(topic_matches("#", "$SYS/broker"));
  EXPECT_FALSE(topic_matches("+/broker", "$SYS/broker"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/broker"));
  EXPECT_TRUE(topic_matches("$SYS/+", "$SYS/broker"));
  EXPECT_TRUE(topic_matches("a/#", "a/$x"));
}

}  // namespace
}  // namespace millet::mqtt
