#include "hub/history_pruner.h"

#include <spdlog/spdlog.h>

#include "base/thread_name.h"
#include "base/wall_clock.h"

namespace millet::hub {

Expected<std::size_t, std::string> HistoryPruner::prune_once(std::int64_t now_ms) {
  std::size_t erased = 0;
  for (const Device& device : registry_.all_devices()) {
    const spec::DeviceType* type = registry_.catalog().find(device.type);
    if (!type) continue;
    store::WriteBatch batch;
    for (const spec::Service& service : type->services) {
      for (const spec::Property& property : service.properties) {
        if (!property.allows(spec::kNotify) && !property.allows(spec::kRead)) continue;
        Retention retention;
        if (property.history_days) retention.raw = std::chrono::hours(24 * property.history_days);
        auto pruned = history_.prune(batch, device.id,
                                     PropertyId{static_cast<std::uint16_t>(service.siid),
                                                static_cast<std::uint16_t>(property.piid)},
                                     now_ms, retention);
        if (!pruned) return unexpected(pruned.error());
        erased += *pruned;
      }
    }
    if (!batch.empty()) {
      if (auto written = store_.write(batch); !written) return unexpected(written.error());
    }
  }
  return erased;
}

void HistoryPruner::start(std::chrono::milliseconds first, std::chrono::milliseconds interval) {
  thread_ = std::thread([this, first, interval] {
    name_this_thread("history-pruner");
    std::chrono::milliseconds wait = first;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, wait, [this] { return stopping_; })) {
      lock.unlock();
      const std::int64_t now = wall_clock_ms();
      const auto started = std::chrono::steady_clock::now();
      auto erased = prune_once(now);
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      if (!erased) {
        spdlog::error("history: pruning failed: {}", erased.error());
      } else if (*erased) {
        spdlog::info("history: erased {} records past their retention in {} ms", *erased, took.count());
      }
      lock.lock();
      wait = interval;
    }
  });
}

void HistoryPruner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace millet::hub
