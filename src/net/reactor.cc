#include "net/reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/assert.h"
#include "base/thread_name.h"
#include "net/stream.h"

namespace millet::net {

namespace {
thread_local Reactor* current_reactor = nullptr;
constexpr int kMaxEvents = 256;
}  // namespace

// The eventfd other threads write to wake the loop for posted tasks.
class Reactor::Waker final : public IoHandler {
 public:
  Waker() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  }
  ~Waker() override { ::close(fd_); }
  int fd() const { return fd_; }
  void wake() {
    const std::uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void on_io(std::uint32_t) override {
    std::uint64_t count;
    (void)!::read(fd_, &count, sizeof count);
  }

 private:
  int fd_;
};

Reactor::Reactor(std::size_t index) : index_(index) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  waker_ = std::make_unique<Waker>();
  if (!add(waker_->fd(), EPOLLIN, waker_.get())) {
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
  }
}

Reactor::~Reactor() {
  streams_to_flush_.clear();
  streams_to_read_.clear();
  retired_.clear();
  ::close(epoll_fd_);
}

bool Reactor::add(int fd, std::uint32_t events, IoHandler* handler) {
  epoll_event event{};
  event.events = events | EPOLLET;
  event.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

void Reactor::remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void Reactor::post(std::function<void()> task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  // The loop checks its queue before it waits; only another thread must wake it.
  if (current_reactor != this && !wake_pending_.exchange(true)) waker_->wake();
}

void Reactor::add_round_end_hook(std::function<void()> hook) { round_end_hooks_.push_back(std::move(hook)); }

void Reactor::schedule_flush(Stream* stream) {
  streams_to_flush_.push_back(stream->shared_from_this());
  round_end_requested_ = true;
}

void Reactor::continue_reading(Stream* stream) { streams_to_read_.push_back(stream->shared_from_this()); }

Reactor::TimerId Reactor::every(std::chrono::milliseconds interval, std::function<void()> fn) {
  const TimerId id = next_timer_id_++;
  timers_.push_back({id, std::chrono::steady_clock::now() + interval, interval, std::move(fn)});
  return id;
}

Reactor::TimerId Reactor::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  const TimerId id = next_timer_id_++;
  timers_.push_back({id, std::chrono::steady_clock::now() + delay, std::chrono::milliseconds(0), std::move(fn)});
  return id;
}

void Reactor::cancel(TimerId id) {
  std::erase_if(timers_, [id](const Timer& t) { return t.id == id; });
}

int Reactor::next_timeout_ms() {
  if (round_end_requested_ || !streams_to_read_.empty()) return 0;
  {
    std::lock_guard lock(posted_mutex_);
    if (!posted_.empty()) return 0;
  }
  if (timers_.empty()) return -1;
  auto next = timers_.front().due;
  for (const Timer& t : timers_) next = std::min(next, t.due);
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - std::chrono::steady_clock::now()).count();
  return static_cast<int>(std::max<long>(0, wait));
}

void Reactor::run_posted() {
  wake_pending_.store(false);
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void Reactor::run_timers() {
  if (timers_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  // Collect first: a timer's function may add or cancel timers.
  std::vector<TimerId> due;
  for (const Timer& t : timers_) {
    if (t.due <= now) due.push_back(t.id);
  }
  for (TimerId id : due) {
    auto it = std::find_if(timers_.begin(), timers_.end(), [id](const Timer& t) { return t.id == id; });
    if (it == timers_.end()) continue;  // cancelled by an earlier one
    std::function<void()> fn = it->fn;
    if (it->interval.count() > 0) {
      it->due = now + it->interval;
    } else {
      timers_.erase(it);
    }
    fn();
  }
}

void Reactor::end_round() {
  round_end_requested_ = false;
  for (auto& hook : round_end_hooks_) hook();
  // Flushing may schedule more (a stream that must write again): those go to a
  // fresh list, for the next turn.
  auto streams = std::move(streams_to_flush_);
  streams_to_flush_.clear();
  for (auto& stream : streams) stream->flush_now();
}

void Reactor::run() {
  current_reactor = this;
  epoll_event events[kMaxEvents];
  while (!stopped_.load(std::memory_order_relaxed)) {
    const int count = epoll_wait(epoll_fd_, events, kMaxEvents, next_timeout_ms());
    if (count < 0 && errno != EINTR) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < count; ++i) static_cast<IoHandler*>(events[i].data.ptr)->on_io(events[i].events);
    if (!streams_to_read_.empty()) {
      auto streams = std::move(streams_to_read_);
      streams_to_read_.clear();
      for (auto& stream : streams) stream->continue_reading();
    }
    run_posted();
    run_timers();
    if (round_end_requested_) end_round();
    retired_.clear();
  }
  current_reactor = nullptr;
}

void Reactor::stop() {
  stopped_.store(true);
  waker_->wake();
}

ReactorPool::ReactorPool(std::size_t count) {
  MILLET_ASSERT(count > 0 && count <= 64, "between 1 and 64 reactors");
  for (std::size_t i = 0; i < count; ++i) reactors_.push_back(std::make_unique<Reactor>(i));
}

ReactorPool::~ReactorPool() { stop_and_join(); }

void ReactorPool::start() {
  for (auto& reactor : reactors_) {
    threads_.emplace_back([r = reactor.get()] {
      name_this_thread("reactor-" + std::to_string(r->index()));
      r->run();
    });
  }
}

void ReactorPool::stop_and_join() {
  if (threads_.empty()) return;
  for (auto& reactor : reactors_) reactor->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace millet::net
