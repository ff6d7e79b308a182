#include "mqtt/retained_store.h"

#include <algorithm>

namespace millet::mqtt {

RetainedStore::Node* RetainedStore::find(std::string_view topic) const {
  const Node* node = &root_;
  for (std::size_t start = 0; node && start != std::string_view::npos;) {
    const TopicLevel level = level_at(topic, start);
    auto it = node->children.find(level.text);
    node = it == node->children.end() ? nullptr : it->second.get();
    start = level.next;
  }
  return const_cast<Node*>(node);
}

RetainedStore::Node& RetainedStore::find_or_create(std::string_view topic) {
  Node* node = &root_;
  for (std::size_t start = 0; start != std::string_view::npos;) {
    const TopicLevel level = level_at(topic, start);
    auto it = node->children.find(level.text);
    if (it == node->children.end()) {
      auto child = std::make_unique<Node>();
      child->parent = node;
      child->level = level.text;
      it = node->children.emplace(std::string(level.text), std::move(child)).first;
    }
    node = it->second.get();
    start = level.next;
  }
  return *node;
}

void RetainedStore::prune(Node* node) {
  while (node != &root_ && !node->message && node->sequence == 0 && node->children.empty()) {
    Node* parent = node->parent;
    const std::string level = node->level;  // the key must outlive the erased node
    parent->children.erase(level);
    node = parent;
  }
}

bool RetainedStore::apply(std::string_view topic, MessagePtr message, std::uint64_t sequence, WallTime now) {
  Node* existing = find(topic);
  if (existing && existing->sequence > sequence) return false;
  if (!message) {
    // A tombstone even where nothing was retained: an older set still in flight
    // from another shard must not take effect after this clear.
    Node& node = existing ? *existing : find_or_create(topic);
    if (node.message) --size_;
    node.message.reset();
    node.sequence = sequence;
    tombstones_.push_back({now, std::string(topic), sequence});
    return true;
  }
  Node& node = existing ? *existing : find_or_create(topic);
  if (!node.message) ++size_;
  node.message = std::move(message);
  node.sequence = sequence;
  return true;
}

void RetainedStore::prune_tombstones(WallTime cutoff) {
  auto kept = std::partition(tombstones_.begin(), tombstones_.end(),
                             [&](const Tombstone& t) { return t.cleared_at >= cutoff; });
  for (auto it = kept; it != tombstones_.end(); ++it) {
    Node* node = find(it->topic);
    // Only if nothing newer was applied since.
    if (node && !node->message && node->sequence == it->sequence) {
      node->sequence = 0;
      prune(node);
    }
  }
  tombstones_.erase(kept, tombstones_.end());
}

}  // namespace millet::mqtt
