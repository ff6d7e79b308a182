#pragma once
// Reactor: one event loop on one thread (DESIGN.md, "Threads and memory").
//
// Everything owned by a reactor — its streams, and the broker shard that runs on
// it — is touched only from its thread. Other threads talk to it with post().
//
// Work is batched per round: a round is the handlers that are ready at one time
// (say, every socket that became readable). Code that wants to act once the
// round's handlers are done — write the store, send batched messages to other
// reactors, write sockets — calls request_round_end(); the round-end hooks run
// once, in registration order, and then every stream marked for flushing writes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace millet::net {

class Stream;

class Reactor {
 public:
  explicit Reactor(std::size_t index);
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  std::size_t index() const { return index_; }
  boost::asio::io_context& io() { return io_; }

  // Runs `task` on this reactor's thread. Callable from any thread.
  void post(std::function<void()> task);

  // Reactor thread only.
  void add_round_end_hook(std::function<void()> hook);
  void request_round_end();
  void schedule_flush(Stream* stream);

  // Calls `tick` on this reactor's thread every `interval` until stop().
  void every(std::chrono::milliseconds interval, std::function<void()> tick);

  // Runs the loop on the calling thread until stop().
  void run();
  void stop();

 private:
  void end_round();
  void arm_tick(std::size_t which);

  std::size_t index_;
  boost::asio::io_context io_;
  std::vector<std::function<void()>> round_end_hooks_;
  std::vector<std::shared_ptr<Stream>> streams_to_flush_;
  bool round_end_pending_ = false;
  struct Tick {
    std::chrono::milliseconds interval;
    std::function<void()> fn;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  std::vector<Tick> ticks_;
  bool stopped_ = false;
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
