#pragma once
// FleetLoop: one thread that drives many MqttClients (a Fleet's devices) — epoll on their
// sockets, a timer per client for its next connection attempt or keep-alive round, and
// one eventfd through which publish() and request_stop() from other threads wake it.
// Each client holds its socket and the socket pair libmosquitto opens per client, and
// nothing of its own: no thread, no eventfd.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "device/detail/mqtt_client.h"

namespace millet::device::detail {

class FleetLoop final : public MqttClient::Waker {
 public:
  using OnEnded = std::function<void(const Status& why)>;

  FleetLoop();   // starts the thread
  ~FleetLoop();  // ends the runs still going on (each one's on_ended is called), then the thread
  FleetLoop(const FleetLoop&) = delete;
  FleetLoop& operator=(const FleetLoop&) = delete;

  // Begins a run of `client` on the loop's thread. `on_ended` is called there once the run
  // has ended (stopped or refused); the loop no longer touches the client after it.
  void add(MqttClient& client, OnEnded on_ended);
  void wake(MqttClient& client) override;
  // The clients whose run is going on.
  std::size_t size() const;

 private:
  struct Member {
    MqttClient* client;
    OnEnded on_ended;
    int fd = -1;  // registered with epoll
    std::uint32_t events = 0;
    std::chrono::steady_clock::time_point deadline{};  // the timer last set
  };
  struct Timer {
    std::chrono::steady_clock::time_point at;
    MqttClient* client;
    bool operator>(const Timer& other) const { return at > other.at; }
  };

  void run();
  void advance(Member& member, bool readable);
  void take_requests();
  void fire_timers();
  int next_timeout() const;

  const int epoll_fd_;
  const int wake_fd_;

  mutable std::mutex mutex_;
  std::vector<std::pair<MqttClient*, OnEnded>> joining_;  // guarded by mutex_
  std::unordered_set<MqttClient*> woken_;                 // guarded by mutex_
  bool stopping_ = false;                                 // guarded by mutex_
  std::size_t size_ = 0;                                  // guarded by mutex_

  // The loop's thread only.
  std::unordered_map<MqttClient*, std::unique_ptr<Member>> members_;
  std::vector<std::unique_ptr<Member>> ended_;  // kept until the events naming them are past
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;  // stale ones skipped
  std::thread thread_;
};

}  // namespace millet::device::detail
