#pragma once
// The event stream (DESIGN.md, "The data flow"): what happens to devices —
// accepted reports, desired values, command results, the events devices send,
// online and offline — for whoever listens: the API's WebSocket stream now,
// automations next.
//
// An event is made once, as the JSON the API sends (docs/api.md, "Events"),
// and shared by every listener. Nothing is made while nobody listens.
//
// Threads: publish() is called on reactor threads (a device's events on its
// shard's); listeners are called on the publishing thread, so they must be
// quick — hand the event to their own thread — and must not subscribe or
// unsubscribe from within.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace millet::hub {

struct DeviceEvent {
  std::string home_id;    // whose it is: listeners show it to people with a role there
  std::string device_id;
  std::string json;       // {"type": "report", "device": ..., "home": ..., "time": ..., ...}
};
using DeviceEventPtr = std::shared_ptr<const DeviceEvent>;

class EventBus {
 public:
  using Listener = std::function<void(const DeviceEventPtr&)>;

  // Returns an id for unsubscribe().
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);

  // Whether anyone listens: producers skip making events when nobody does.
  bool active() const { return listener_count_.load(std::memory_order_relaxed) > 0; }
  void publish(const DeviceEventPtr& event) const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::pair<std::uint64_t, Listener>> listeners_;
  std::uint64_t next_id_ = 1;
  std::atomic<std::size_t> listener_count_{0};
};

}  // namespace millet::hub
