// An in-memory KvStore for tests: ordered maps behind one mutex.

#include <array>
#include <map>
#include <mutex>
#include <optional>

#include "store/kv_store.h"

namespace millet::store {
namespace {

class MemoryStore final : public KvStore {
 public:
  Status write(const WriteBatch& batch) override {
    std::lock_guard lock(mutex_);
    for (const auto& op : batch.operations()) {
      auto& records = spaces_[static_cast<int>(op.space)];
      if (op.erase) {
        records.erase(op.key);
      } else {
        records[op.key] = op.value;
      }
    }
    return {};
  }

  Status scan(Space space, std::string_view prefix, const Visitor& visit) override {
    // Copy the matching records so `visit` may call back into the store.
    std::vector<std::pair<std::string, std::string>> matches;
    {
      std::lock_guard lock(mutex_);
      const auto& records = spaces_[static_cast<int>(space)];
      for (auto it = records.lower_bound(std::string(prefix));
           it != records.end() && std::string_view(it->first).starts_with(prefix); ++it) {
        matches.emplace_back(*it);
      }
    }
    for (const auto& [key, value] : matches) {
      if (!visit(key, value)) break;
    }
    return {};
  }

  Status last_in_range(Space space, std::string_view begin, std::string_view end, const Visitor& visit) override {
    std::optional<std::pair<std::string, std::string>> last;
    {
      std::lock_guard lock(mutex_);
      const auto& records = spaces_[static_cast<int>(space)];
      auto it = records.lower_bound(end);
      if (it != records.begin() && std::string_view((--it)->first) >= begin) last = *it;
    }
    if (last) visit(last->first, last->second);
    return {};
  }

  Status scan_range(Space space, std::string_view begin, std::string_view end, const Visitor& visit) override {
    std::vector<std::pair<std::string, std::string>> matches;
    {
      std::lock_guard lock(mutex_);
      const auto& records = spaces_[static_cast<int>(space)];
      for (auto it = records.lower_bound(begin); it != records.end() && std::string_view(it->first) < end; ++it) {
        matches.emplace_back(*it);
      }
    }
    for (const auto& [key, value] : matches) {
      if (!visit(key, value)) break;
    }
    return {};
  }

 private:
  std::mutex mutex_;
  std::array<std::map<std::string, std::string, std::less<>>, kSpaceCount> spaces_;
};

}  // namespace

std::unique_ptr<KvStore> make_memory_store() { return std::make_unique<MemoryStore>(); }

}  // namespace millet::store
