#include "hub/events.h"

#include <algorithm>
#include <mutex>

namespace millet::hub {

std::uint64_t EventBus::subscribe(Listener listener) {
  std::unique_lock lock(mutex_);
  const std::uint64_t id = next_id_++;
  listeners_.emplace_back(id, std::move(listener));
  listener_count_.store(listeners_.size(), std::memory_order_relaxed);
  return id;
}

void EventBus::unsubscribe(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
  listener_count_.store(listeners_.size(), std::memory_order_relaxed);
}

void EventBus::publish(const DeviceEventPtr& event) const {
  std::shared_lock lock(mutex_);
  for (const auto& [id, listener] : listeners_) listener(event);
}

}  // namespace millet::hub
