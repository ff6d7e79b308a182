#include "net/reactor.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "base/assert.h"
#include "net/stream.h"

namespace millet::net {

Reactor::Reactor(std::size_t index) : index_(index), io_(1) {}

void Reactor::post(std::function<void()> task) { boost::asio::post(io_, std::move(task)); }

void Reactor::add_round_end_hook(std::function<void()> hook) { round_end_hooks_.push_back(std::move(hook)); }

void Reactor::request_round_end() {
  if (round_end_pending_) return;
  round_end_pending_ = true;
  // A handler posted now runs after the handlers that are already ready.
  boost::asio::post(io_, [this] { end_round(); });
}

void Reactor::schedule_flush(Stream* stream) {
  streams_to_flush_.push_back(stream->shared_from_this());
  request_round_end();
}

void Reactor::end_round() {
  round_end_pending_ = false;
  for (auto& hook : round_end_hooks_) hook();
  // Flushing may schedule more flushes (a stream that must write again); those
  // go to a fresh list for the next round.
  auto streams = std::move(streams_to_flush_);
  streams_to_flush_.clear();
  for (auto& stream : streams) stream->flush_now();
}

void Reactor::every(std::chrono::milliseconds interval, std::function<void()> tick) {
  ticks_.push_back({interval, std::move(tick), std::make_unique<boost::asio::steady_timer>(io_)});
  arm_tick(ticks_.size() - 1);
}

void Reactor::arm_tick(std::size_t which) {
  Tick& tick = ticks_[which];
  tick.timer->expires_after(tick.interval);
  tick.timer->async_wait([this, which](const boost::system::error_code& error) {
    if (error || stopped_) return;
    ticks_[which].fn();
    arm_tick(which);
  });
}

void Reactor::run() {
  auto work = boost::asio::make_work_guard(io_);
  io_.run();
}

void Reactor::stop() {
  boost::asio::post(io_, [this] {
    stopped_ = true;
    for (auto& tick : ticks_) tick.timer->cancel();
    io_.stop();
  });
}

ReactorPool::ReactorPool(std::size_t count) {
  MILLET_ASSERT(count > 0 && count <= 64, "between 1 and 64 reactors");
  for (std::size_t i = 0; i < count; ++i) reactors_.push_back(std::make_unique<Reactor>(i));
}

ReactorPool::~ReactorPool() { stop_and_join(); }

void ReactorPool::start() {
  for (auto& reactor : reactors_) {
    threads_.emplace_back([r = reactor.get()] { r->run(); });
  }
}

void ReactorPool::stop_and_join() {
  if (threads_.empty()) return;
  for (auto& reactor : reactors_) reactor->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace millet::net
