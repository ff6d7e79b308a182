#pragma once
// Automations as a running service: the engine (engine.h) on its own thread,
// fed by the device gateway (as its DeviceObserver) and by people's calls,
// acting through the hub.
//
// Threads: the engine runs on one thread of its own, which sleeps until the
// next timer or the next task. post() hands it a task from any thread. The
// gateway's calls come on the reactors' threads; they check Interest (one
// hash lookup) and post only what some rule listens for.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "automation/engine.h"
#include "automation/interest.h"
#include "hub/hub.h"

namespace millet::automation {

// Sends an outgoing webhook and reports how it went; `done` may run on any thread.
using WebhookSender = std::function<void(const std::string& method, const std::string& url, const std::string& body,
                                         std::function<void(Outcome)> done)>;

// The wall clock, or a clock tests set (see Automations::advance_to).
class SettableClock final : public Clock {
 public:
  explicit SettableClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_.load(); }
  void set(std::int64_t ms) { now_.store(ms); }

 private:
  std::atomic<std::int64_t> now_;
};

class Automations final : public hub::DeviceObserver {
 public:
  // With `clock` null, the wall clock drives the timers; with a clock, only
  // advance_to() moves time (tests).
  Automations(store::KvStore& store, hub::Hub& hub, WebhookSender webhooks, SettableClock* clock = nullptr);
  ~Automations() override;

  // Loads rules, scenes and paused runs, and starts the engine's thread. Once,
  // after the reactors have started (the engine asks the shards for values).
  Expected<void, std::string> start();
  // Stops the thread; what the engine keeps is in the store already.
  void stop();

  // Runs `task` on the engine's thread.
  void post(std::function<void(Engine&)> task);
  // Waits until every task posted before has run and the commands it made are handed to the hub.
  void sync();
  // Tests: moves the clock to `ms`, firing each timer due on the way at its own time.
  void advance_to(std::int64_t ms);

  // hub::DeviceObserver, on the reactors' threads.
  void reported(const hub::Device& device, std::span<const hub::CheckedProperty> values, std::int64_t time_ms) override;
  void event(const hub::Device& device, const std::string& event, const boost::json::object& arguments) override;
  void connection(const hub::Device& device, bool online) override;

 private:
  class HubEffects;
  class WallClock;
  void run();

  hub::Hub& hub_;
  SettableClock* test_clock_;
  std::unique_ptr<Clock> wall_clock_;
  std::unique_ptr<HubEffects> effects_;
  Interest interest_;
  std::unique_ptr<Engine> engine_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::function<void(Engine&)>> tasks_;
  std::vector<std::function<void()>> after_flush_;  // the engine's thread only: sync() and advance_to()
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace millet::automation
