#include "mqtt/subscription_trie.h"

#include <algorithm>

#include "mqtt/session.h"

namespace millet::mqtt {
namespace {

// Calls `fn(level)` for each '/'-separated level of `filter`.
template <class Fn>
void for_each_level(std::string_view filter, Fn&& fn) {
  for (std::size_t start = 0; start != std::string_view::npos;) {
    const TopicLevel level = level_at(filter, start);
    fn(level.text);
    start = level.next;
  }
}

bool set_bit(std::uint64_t& bits, std::size_t index, bool on) {
  const std::uint64_t mask = std::uint64_t{1} << index;
  const bool was = bits & mask;
  bits = on ? (bits | mask) : (bits & ~mask);
  return was != on;
}

// Replaces `session`'s entry or appends one. Returns true if the list was empty.
bool upsert(std::vector<SubscriptionTrie::Subscriber>& list, const SubscriptionTrie::Subscriber& subscriber) {
  for (auto& existing : list) {
    if (existing.session == subscriber.session) {
      existing = subscriber;
      return false;
    }
  }
  list.push_back(subscriber);
  return list.size() == 1;
}

// Removes `session`'s entry. Returns true if that left the list empty.
bool erase(std::vector<SubscriptionTrie::Subscriber>& list, const Session* session) {
  auto it = std::find_if(list.begin(), list.end(), [&](const auto& s) { return s.session == session; });
  if (it == list.end()) return false;
  *it = list.back();
  list.pop_back();
  return list.empty();
}

}  // namespace

bool SubscriptionTrie::SharedGroup::has_online_member() const {
  return std::any_of(members.begin(), members.end(), [](const Subscriber& m) { return m.session->online(); });
}

SubscriptionTrie::SharedGroup* SubscriptionTrie::Node::group(std::string_view name) {
  for (auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

SubscriptionTrie::Node& SubscriptionTrie::find_or_create(std::string_view filter) {
  Node* node = &root_;
  for_each_level(filter, [&](std::string_view level) {
    std::unique_ptr<Node>* slot;
    if (level == "+") {
      slot = &node->plus;
    } else if (level == "#") {
      slot = &node->hash;
    } else {
      auto it = node->children.find(level);
      if (it == node->children.end()) it = node->children.emplace(std::string(level), nullptr).first;
      slot = &it->second;
    }
    if (!*slot) {
      *slot = std::make_unique<Node>();
      (*slot)->parent = node;
      (*slot)->level = level;
      ++node_count_;
    }
    node = slot->get();
  });
  return *node;
}

SubscriptionTrie::Node* SubscriptionTrie::find(std::string_view filter) {
  Node* node = &root_;
  for_each_level(filter, [&](std::string_view level) {
    if (!node) return;
    if (level == "+") {
      node = node->plus.get();
    } else if (level == "#") {
      node = node->hash.get();
    } else {
      auto it = node->children.find(level);
      node = it == node->children.end() ? nullptr : it->second.get();
    }
  });
  return node;
}

void SubscriptionTrie::prune(Node* node) {
  while (node != &root_ && node->unused()) {
    Node* parent = node->parent;
    if (parent->plus.get() == node) {
      parent->plus.reset();
    } else if (parent->hash.get() == node) {
      parent->hash.reset();
    } else {
      const std::string level = node->level;  // the key must outlive the erased node
      parent->children.erase(level);
    }
    --node_count_;
    node = parent;
  }
}

bool SubscriptionTrie::add(std::string_view filter, const Subscriber& subscriber) {
  return upsert(find_or_create(filter).subscribers, subscriber);
}

bool SubscriptionTrie::remove(std::string_view filter, const Session* session) {
  Node* node = find(filter);
  if (!node) return false;
  const bool emptied = erase(node->subscribers, session);
  prune(node);
  return emptied;
}

bool SubscriptionTrie::add_shared(std::string_view group_name, std::string_view filter, const Subscriber& subscriber) {
  Node& node = find_or_create(filter);
  SharedGroup* group = node.group(group_name);
  if (!group) {
    node.groups.push_back(SharedGroup{std::string(group_name)});
    group = &node.groups.back();
  }
  return upsert(group->members, subscriber);
}

bool SubscriptionTrie::remove_shared(std::string_view group_name, std::string_view filter, const Session* session) {
  Node* node = find(filter);
  if (!node) return false;
  SharedGroup* group = node->group(group_name);
  if (!group) return false;
  const bool emptied = erase(group->members, session);
  if (group->members.empty() && group->remote_shards == 0) {
    std::erase_if(node->groups, [&](const SharedGroup& g) { return g.name == group_name; });
  }
  prune(node);
  return emptied;
}

void SubscriptionTrie::set_remote(std::string_view filter, std::size_t shard, bool interested) {
  if (interested) {
    set_bit(find_or_create(filter).remote_shards, shard, true);
    return;
  }
  if (Node* node = find(filter)) {
    set_bit(node->remote_shards, shard, false);
    prune(node);
  }
}

void SubscriptionTrie::set_remote_shared(std::string_view group_name, std::string_view filter, std::size_t shard,
                                         bool members, bool online) {
  Node* node = members ? &find_or_create(filter) : find(filter);
  if (!node) return;
  SharedGroup* group = node->group(group_name);
  if (!group) {
    if (!members) return;
    node->groups.push_back(SharedGroup{std::string(group_name)});
    group = &node->groups.back();
  }
  set_bit(group->remote_shards, shard, members);
  set_bit(group->remote_online, shard, members && online);
  if (group->members.empty() && group->remote_shards == 0) {
    std::erase_if(node->groups, [&](const SharedGroup& g) { return g.name == group_name; });
  }
  prune(node);
}

}  // namespace millet::mqtt
