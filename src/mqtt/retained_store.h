#pragma once
// RetainedStore: one shard's replica of the retained messages, by topic.
//
// Every shard holds all retained messages (the messages themselves are shared,
// so a replica costs its trie nodes only) and answers a new subscription from
// its own copy. Updates from different shards can cross in flight; each carries
// a sequence number from one broker-wide counter and the highest number wins,
// so every replica ends in the same state. A cleared topic keeps its number for
// a while (a tombstone) so that an older update arriving late cannot revive it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqtt/message.h"
#include "mqtt/subscription_trie.h"

namespace millet::mqtt {

class RetainedStore {
 public:
  // Sets (message != nullptr) or clears the retained message of `topic`.
  // Returns false if a newer update for the topic is already applied.
  bool apply(std::string_view topic, MessagePtr message, std::uint64_t sequence, WallTime now);

  // Calls `visit(const MessagePtr&)` for each unexpired retained message whose
  // topic matches `filter`.
  template <class Visitor>
  void match(std::string_view filter, WallTime now, Visitor&& visit) const;

  // Forgets tombstones set before `cutoff`.
  void prune_tombstones(WallTime cutoff);

  std::size_t size() const { return size_; }

 private:
  struct Node {
    Node* parent = nullptr;
    std::string level;
    std::unordered_map<std::string, std::unique_ptr<Node>, SubscriptionTrie::StringHash, std::equal_to<>> children;
    MessagePtr message;
    std::uint64_t sequence = 0;  // of the last applied update; kept by a tombstone
  };

  Node* find(std::string_view topic) const;
  Node& find_or_create(std::string_view topic);
  void prune(Node* node);
  template <class Visitor>
  void match_from(const Node& node, std::string_view filter, std::size_t start, bool first_level, WallTime now,
                  Visitor& visit) const;
  template <class Visitor>
  void visit_subtree(const Node& node, bool skip_dollar_children, WallTime now, Visitor& visit) const;

  Node root_;
  std::size_t size_ = 0;
  struct Tombstone {
    WallTime cleared_at;
    std::string topic;
    std::uint64_t sequence;
  };
  std::vector<Tombstone> tombstones_;
};

template <class Visitor>
void RetainedStore::match(std::string_view filter, WallTime now, Visitor&& visit) const {
  match_from(root_, filter, 0, /*first_level=*/true, now, visit);
}

template <class Visitor>
void RetainedStore::visit_subtree(const Node& node, bool skip_dollar_children, WallTime now, Visitor& visit) const {
  if (node.message && !node.message->expired(now)) visit(node.message);
  for (const auto& [level, child] : node.children) {
    if (skip_dollar_children && !level.empty() && level.front() == '$') continue;
    visit_subtree(*child, false, now, visit);
  }
}

template <class Visitor>
void RetainedStore::match_from(const Node& node, std::string_view filter, std::size_t start, bool first_level,
                               WallTime now, Visitor& visit) const {
  if (start == std::string_view::npos) {
    if (node.message && !node.message->expired(now)) visit(node.message);
    return;
  }
  const auto [level, next] = level_at(filter, start);
  if (level == "#") {
    // Matches the parent level too; the root is not a topic.
    if (&node != &root_ && node.message && !node.message->expired(now)) visit(node.message);
    for (const auto& [child_level, child] : node.children) {
      if (first_level && !child_level.empty() && child_level.front() == '$') continue;
      visit_subtree(*child, false, now, visit);
    }
    return;
  }
  if (level == "+") {
    for (const auto& [child_level, child] : node.children) {
      if (first_level && !child_level.empty() && child_level.front() == '$') continue;
      match_from(*child, filter, next, false, now, visit);
    }
    return;
  }
  if (auto it = node.children.find(level); it != node.children.end()) {
    match_from(*it->second, filter, next, false, now, visit);
  }
}

}  // namespace millet::mqtt
