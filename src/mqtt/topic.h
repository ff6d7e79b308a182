#pragma once
// Topic names, topic filters and shared subscriptions (MQTT 5.0 section 4.7, 4.8).

#include <optional>
#include <string_view>

namespace millet::mqtt {

// A topic name has no wildcards. The empty name is valid only where a v5 topic
// alias stands in for it, hence `allow_empty`.
bool is_valid_topic_name(std::string_view topic, bool allow_empty = false);

// A topic filter is non-empty; `+` and `#` occupy a whole level and `#` is last.
bool is_valid_topic_filter(std::string_view filter);

// A subscription's filter split into its share group (empty if not shared) and
// the filter proper. "$share/group/a/b" → {"group", "a/b"}.
struct SubscriptionFilter {
  std::string_view share_group;
  std::string_view filter;
  bool is_shared() const { return !share_group.empty(); }
};

// Parses and validates a subscription's filter; nullopt if invalid (bad wildcard
// use, or a "$share/" prefix without a valid group and filter).
std::optional<SubscriptionFilter> parse_subscription_filter(std::string_view text);

// One '/'-separated level of a topic or filter: the level that starts at
// `start`, and where the next one starts (npos after the last level).
struct TopicLevel {
  std::string_view text;
  std::size_t next;
};
inline TopicLevel level_at(std::string_view topic, std::size_t start) {
  const std::size_t slash = topic.find('/', start);
  if (slash == std::string_view::npos) return {topic.substr(start), std::string_view::npos};
  return {topic.substr(start, slash - start), slash + 1};
}

// Whether `topic` matches `filter` (section 4.7): `+` matches one level, `#`
// the rest including the parent level, and a leading wildcard does not match a
// topic that begins with `$`. The reference for the subscription trie.
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace millet::mqtt
