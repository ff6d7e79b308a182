#pragma once
// SubscriptionTrie: one reactor's view of who is subscribed to what.
//
// Each broker shard (one per reactor) keeps its own trie, touched only by its
// thread — no lock on the publish path. A node holds:
//   - the shard's own sessions subscribed to the node's filter, and its share
//     groups ($share/<group>/<filter>) with their local members;
//   - which *other* shards have subscribers to the same filter (a bit per shard),
//     kept up to date by interest messages between shards, so a publish is sent
//     only to the shards that want it.
// Filters are split on '/'; '+' and '#' have their own child slots.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqtt/packet.h"
#include "mqtt/topic.h"

namespace millet::mqtt {

class Session;

class SubscriptionTrie {
 public:
  struct Subscriber {
    Session* session = nullptr;
    SubscriptionOptions options;
    std::uint32_t identifier = 0;  // subscription identifier (v5), 0 for none
  };

  struct SharedGroup {
    std::string name;
    std::vector<Subscriber> members;  // this shard's members
    std::uint64_t remote_shards = 0;  // other shards with members
    std::uint64_t remote_online = 0;  // other shards with connected members
    std::size_t next_member = 0;      // round-robin among local members
    std::size_t next_shard = 0;       // round-robin among shards
    bool has_online_member() const;
  };

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  struct Node {
    Node* parent = nullptr;
    std::string level;
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
    std::unique_ptr<Node> plus;  // the '+' child
    std::unique_ptr<Node> hash;  // the '#' child
    std::vector<Subscriber> subscribers;
    std::vector<SharedGroup> groups;
    std::uint64_t remote_shards = 0;  // other shards with (non-shared) subscribers

    bool unused() const {
      return children.empty() && !plus && !hash && subscribers.empty() && groups.empty() && remote_shards == 0;
    }
    SharedGroup* group(std::string_view name);
  };

  SubscriptionTrie() = default;
  SubscriptionTrie(const SubscriptionTrie&) = delete;
  SubscriptionTrie& operator=(const SubscriptionTrie&) = delete;

  // Adds `subscriber`, replacing the same session's earlier subscription to the
  // same filter. Returns true when the filter gained its first local subscriber
  // (the other shards must learn of the interest).
  bool add(std::string_view filter, const Subscriber& subscriber);
  // Returns true when the filter lost its last local subscriber.
  bool remove(std::string_view filter, const Session* session);

  // The same for a share group's members.
  bool add_shared(std::string_view group, std::string_view filter, const Subscriber& subscriber);
  bool remove_shared(std::string_view group, std::string_view filter, const Session* session);

  // Records whether shard `shard` has subscribers to `filter`; for a share
  // group, whether it has members and whether any of them is connected.
  void set_remote(std::string_view filter, std::size_t shard, bool interested);
  void set_remote_shared(std::string_view group, std::string_view filter, std::size_t shard, bool members,
                         bool online);

  // Calls `visit(Node&)` for every node whose filter matches `topic` (MQTT 5.0
  // section 4.7, including the rule that '#' and '+' at the first level do not
  // match a topic starting with '$').
  template <class Visitor>
  void match(std::string_view topic, Visitor&& visit);

  // The node of exactly this filter, or nullptr.
  Node* find(std::string_view filter);

  std::size_t node_count() const { return node_count_; }

 private:
  Node& find_or_create(std::string_view filter);
  void prune(Node* node);
  template <class Visitor>
  void match_from(Node& node, std::string_view topic, std::size_t start, bool first_level, bool dollar,
                  Visitor& visit);

  Node root_;
  std::size_t node_count_ = 1;
};

template <class Visitor>
void SubscriptionTrie::match(std::string_view topic, Visitor&& visit) {
  const bool dollar = !topic.empty() && topic.front() == '$';
  match_from(root_, topic, 0, /*first_level=*/true, dollar, visit);
}

template <class Visitor>
void SubscriptionTrie::match_from(Node& node, std::string_view topic, std::size_t start, bool first_level,
                                  bool dollar, Visitor& visit) {
  const bool wildcards_allowed = !(first_level && dollar);
  // '#' matches the remaining levels, and also the parent level itself ("a/#" matches "a").
  if (node.hash && wildcards_allowed) visit(*node.hash);
  if (start == std::string_view::npos) {
    visit(node);
    return;
  }
  const TopicLevel level = level_at(topic, start);
  if (auto it = node.children.find(level.text); it != node.children.end()) {
    match_from(*it->second, topic, level.next, false, dollar, visit);
  }
  if (node.plus && wildcards_allowed) match_from(*node.plus, topic, level.next, false, dollar, visit);
}

}  // namespace millet::mqtt
