#pragma once
// Which devices the automation engine listens to. The gateway asks on every
// report, on the reactors' threads, so the answer is one hash lookup under a
// shared lock: devices no rule names cost nothing more, however many rules
// there are (docs/benchmarks.md, "Automations").
//
// Thread safety: wants() from any thread; add() and remove() from the engine's.

#include <array>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace millet::automation {

class Interest {
 public:
  enum class Kind : std::uint8_t { kReports, kEvents, kConnections };

  bool wants(std::string_view device_id, Kind kind) const {
    std::shared_lock lock(mutex_);
    auto it = counts_.find(device_id);
    return it != counts_.end() && it->second[index(kind)] > 0;
  }
  // Counted: each add() needs its remove().
  void add(const std::string& device_id, Kind kind) {
    std::unique_lock lock(mutex_);
    ++counts_[device_id][index(kind)];
  }
  void remove(const std::string& device_id, Kind kind) {
    std::unique_lock lock(mutex_);
    auto it = counts_.find(device_id);
    if (it == counts_.end() || it->second[index(kind)] == 0) return;
    --it->second[index(kind)];
    if (it->second == Counts{}) counts_.erase(it);
  }

 private:
  using Counts = std::array<std::uint32_t, 3>;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static std::size_t index(Kind kind) { return static_cast<std::size_t>(kind); }

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Counts, Hash, std::equal_to<>> counts_;
};

}  // namespace millet::automation
