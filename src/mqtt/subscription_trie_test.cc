#include "mqtt/subscription_trie.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "mqtt/session.h"
#include "mqtt/topic.h"

namespace millet::mqtt {
namespace {

// The filters whose nodes have local subscribers and match `topic`.
std::set<std::string> matching(SubscriptionTrie& trie, std::string_view topic,
                               const std::map<const Session*, std::string>& names) {
  std::set<std::string> out;
  trie.match(topic, [&](SubscriptionTrie::Node& node) {
    for (const auto& subscriber : node.subscribers) out.insert(names.at(subscriber.session));
  });
  return out;
}

class TrieTest : public ::testing::Test {
 protected:
  Session& subscribe(const std::string& filter) {
    sessions_.push_back(std::make_unique<Session>(filter, sessions_.size() + 1));
    Session& s = *sessions_.back();
    names_[&s] = filter;
    trie_.add(filter, {&s, {}, 0});
    return s;
  }
  std::set<std::string> match(std::string_view topic) { return matching(trie_, topic, names_); }

  SubscriptionTrie trie_;
  std::vector<std::unique_ptr<Session>> sessions_;
  std::map<const Session*, std::string> names_;
};

TEST_F(TrieTest, WildcardsAndDollarTopics) {
  for (auto filter : {"#", "+", "a/#", "a/+", "a/b", "+/b", "+/+", "a/+/c", "$SYS/#", "$SYS/+", "+/#", "/+"}) {
    subscribe(filter);
  }
  EXPECT_EQ(match("a"), (std::set<std::string>{"#", "+", "a/#", "+/#"}));
  EXPECT_EQ(match("a/b"), (std::set<std::string>{"#", "a/#", "a/+", "a/b", "+/b", "+/+", "+/#"}));
  EXPECT_EQ(match("a/x/c"), (std::set<std::string>{"#", "a/#", "a/+/c", "+/#"}));
  EXPECT_EQ(match("$SYS/load"), (std::set<std::string>{"$SYS/#", "$SYS/+"}));
  EXPECT_EQ(match("/x"), (std::set<std::string>{"#", "+/+", "+/#", "/+"}));
}

TEST_F(TrieTest, AgreesWithTheReferenceMatcherOnRandomFilters) {
  std::mt19937 random(7);
  const std::vector<std::string> levels = {"a", "b", "c", "", "$x"};
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  std::vector<std::string> filters;
  for (int i = 0; i < 300; ++i) {
    std::string filter;
    const int depth = 1 + pick(4);
    for (int d = 0; d < depth; ++d) {
      if (d) filter += '/';
      const int kind = pick(6);
      if (kind == 0) {
        filter += '+';
      } else if (kind == 1 && d == depth - 1) {
        filter += '#';
      } else {
        filter += levels[pick(4)];
      }
    }
    if (!is_valid_topic_filter(filter) || std::count(filters.begin(), filters.end(), filter)) {
      continue;
    }
    filters.push_back(filter);
    subscribe(filter);
  }
  for (int i = 0; i < 500; ++i) {
    std::string topic;
    const int depth = 1 + pick(4);
    for (int d = 0; d < depth; ++d) {
      if (d) topic += '/';
      topic += levels[pick(5)];
    }
    std::set<std::string> expected;
    for (const auto& filter : filters) {
      if (topic_matches(filter, topic)) expected.insert(filter);
    }
    EXPECT_EQ(match(topic), expected) << "topic '" << topic << "'";
  }
}

TEST_F(TrieTest, AddReportsFirstAndRemoveReportsLastAndPrunes) {
  Session one("one", 1), two("two", 2);
  const std::size_t empty = trie_.node_count();
  EXPECT_TRUE(trie_.add("x/y", {&one, {}, 0}));
  EXPECT_FALSE(trie_.add("x/y", {&two, {}, 0}));
  EXPECT_FALSE(trie_.add("x/y", {&one, {.qos = 2}, 0}));  // replaces, does not add
  EXPECT_EQ(trie_.find("x/y")->subscribers.size(), 2u);
  EXPECT_FALSE(trie_.remove("x/y", &one));
  EXPECT_TRUE(trie_.remove("x/y", &two));
  EXPECT_EQ(trie_.node_count(), empty);
  EXPECT_EQ(trie_.find("x/y"), nullptr);
}

TEST_F(TrieTest, RemoteInterestKeepsNodesAlive) {
  trie_.set_remote("r/#", 3, true);
  bool seen = false;
  trie_.match("r/s", [&](SubscriptionTrie::Node& node) { seen |= node.remote_shards == (1u << 3); });
  EXPECT_TRUE(seen);
  trie_.set_remote("r/#", 3, false);
  EXPECT_EQ(trie_.find("r/#"), nullptr);
}

TEST_F(TrieTest, SharedGroups) {
  Session one("one", 1), two("two", 2);
  EXPECT_TRUE(trie_.add_shared("g", "s/+", {&one, {}, 0}));
  EXPECT_FALSE(trie_.add_shared("g", "s/+", {&two, {}, 0}));
  EXPECT_TRUE(trie_.add_shared("h", "s/+", {&two, {}, 0}));
  auto* node = trie_.find("s/+");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->groups.size(), 2u);
  EXPECT_EQ(node->group("g")->members.size(), 2u);
  EXPECT_TRUE(node->subscribers.empty());
  trie_.remove_shared("g", "s/+", &one);
  EXPECT_TRUE(trie_.remove_shared("g", "s/+", &two));
  EXPECT_TRUE(trie_.remove_shared("h", "s/+", &two));
  EXPECT_EQ(trie_.find("s/+"), nullptr);
}

}  // namespace
}  // namespace millet::mqtt
