#pragma once
// Reactor: one event loop on one thread (DESIGN.md, "Threads and memory"),
// over Linux epoll.
//
// Everything owned by a reactor — its streams, and the broker shard that runs on
// it — is touched only from its thread. Other threads talk to it with post().
//
// One turn of the loop: wait for readiness (epoll, edge-triggered), let each
// ready stream read; run posted tasks; run due timers; then end the round: the
// round-end hooks run once, in registration order (the broker writes its store
// and sends batches to other reactors), and then every stream with output
// writes it — many packets for one connection cost one system call.
//
// A registered descriptor costs the reactor nothing but its epoll entry: the
// readiness a stream has not used up is kept in two flags of the stream itself.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace millet::net {

class Stream;

// Something registered with a reactor's epoll set.
class IoHandler {
 public:
  virtual ~IoHandler() = default;
  // `events` is the epoll event mask (EPOLLIN, EPOLLOUT, EPOLLERR, ...).
  virtual void on_io(std::uint32_t events) = 0;
};

class Reactor {
 public:
  using TimerId = std::uint64_t;

  explicit Reactor(std::size_t index);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  std::size_t index() const { return index_; }

  // Runs `task` on this reactor's thread, in this turn or the next. Callable
  // from any thread.
  void post(std::function<void()> task);

  // --- reactor thread only ---------------------------------------------------
  void add_round_end_hook(std::function<void()> hook);
  void request_round_end() { round_end_requested_ = true; }
  void schedule_flush(Stream* stream);
  // A stream that stopped reading before the kernel ran dry reads again next turn.
  void continue_reading(Stream* stream);
  // Keeps `object` alive until the end of this turn (a closed stream may still
  // have events in the batch being handled).
  void retire(std::shared_ptr<void> object) { retired_.push_back(std::move(object)); }

  // Registers `fd` (edge-triggered for `events`); false with errno on failure.
  bool add(int fd, std::uint32_t events, IoHandler* handler);
  void remove(int fd);

  // Calls `fn` every `interval`, or once after `delay`; on this reactor's thread.
  TimerId every(std::chrono::milliseconds interval, std::function<void()> fn);
  TimerId after(std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel(TimerId id);

  // Runs the loop on the calling thread until stop().
  void run();
  // Callable from any thread.
  void stop();

 private:
  struct Timer {
    TimerId id;
    std::chrono::steady_clock::time_point due;
    std::chrono::milliseconds interval;  // zero: once
    std::function<void()> fn;
  };
  class Waker;

  int next_timeout_ms();
  void run_posted();
  void run_timers();
  void end_round();

  std::size_t index_;
  int epoll_fd_ = -1;
  std::unique_ptr<Waker> waker_;
  std::atomic<bool> stopped_{false};

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> wake_pending_{false};

  std::vector<std::function<void()>> round_end_hooks_;
  std::vector<std::shared_ptr<Stream>> streams_to_flush_;
  std::vector<std::shared_ptr<Stream>> streams_to_read_;
  std::vector<std::shared_ptr<void>> retired_;
  bool round_end_requested_ = false;

  std::vector<Timer> timers_;
  TimerId next_timer_id_ = 1;
};

// The reactors of a process, one per thread.
class ReactorPool {
 public:
  explicit ReactorPool(std::size_t count);
  ~ReactorPool();

  std::size_t size() const { return reactors_.size(); }
  Reactor& at(std::size_t index) { return *reactors_[index]; }

  // Starts one thread per reactor; returns immediately.
  void start();
  // Stops every reactor and joins the threads.
  void stop_and_join();

 private:
  std::vector<std::unique_ptr<Reactor>> reactors_;
  std::vector<std::thread> threads_;
};

}  // namespace millet::net
