#pragma once
// HistoryPruner: keeps history within its retention (docs/storage.md,
// "History"). Every interval it erases, for each device and each property its
// type reports, what is older than the property's `history-days` (raw values;
// default 30 days) and the rollups' retention (400 days of 5-minute, 10 years
// of hourly). It runs on a thread of its own: a first pass over a big history
// may erase millions of records, and no reactor should wait for that.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "hub/history.h"
#include "hub/registry.h"

namespace millet::hub {

class HistoryPruner {
 public:
  HistoryPruner(Registry& registry, History& history, store::KvStore& store)
      : registry_(registry), history_(history), store_(store) {}
  ~HistoryPruner() { stop(); }

  // Prunes after `first`, then every `interval`, until stop().
  void start(std::chrono::milliseconds first, std::chrono::milliseconds interval);
  void stop();

  // One pass, as of `now_ms`; returns how many records were erased.
  Expected<std::size_t, std::string> prune_once(std::int64_t now_ms);

 private:
  Registry& registry_;
  History& history_;
  store::KvStore& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace millet::hub
