#include "device/detail/fleet_loop.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace millet::device::detail {

namespace {

int checked(int fd, const char* what) {
  if (fd < 0) throw std::runtime_error(std::string("device fleet: ") + what + " failed: " + std::strerror(errno));
  return fd;
}

}  // namespace

FleetLoop::FleetLoop()
    : epoll_fd_(checked(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_fd_(checked(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd")) {
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.ptr = nullptr;  // the one registration that is not a member's
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "device-fleet");  // as top -H shows it
    run();
  });
}

FleetLoop::~FleetLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void FleetLoop::add(MqttClient& client, OnEnded on_ended) {
  std::lock_guard lock(mutex_);
  joining_.emplace_back(&client, std::move(on_ended));
  ++size_;
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void FleetLoop::wake(MqttClient& client) {
  std::lock_guard lock(mutex_);
  if (!woken_.insert(&client).second) return;  // a wake-up is already pending
  if (woken_.size() == 1) {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
}

std::size_t FleetLoop::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

void FleetLoop::run() {
  std::vector<epoll_event> ready(256);
  bool stopping = false;
  while (!(stopping && members_.empty())) {
    const int count = ::epoll_wait(epoll_fd_, ready.data(), static_cast<int>(ready.size()), next_timeout());
    for (int i = 0; i < count; ++i) {
      if (ready[i].data.ptr == nullptr) {
        std::uint64_t wakeups;
        (void)!::read(wake_fd_, &wakeups, sizeof wakeups);
        continue;
      }
      auto& member = *static_cast<Member*>(ready[i].data.ptr);
      if (member.client) advance(member, ready[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP));
    }
    if (!stopping) {
      std::vector<std::pair<MqttClient*, OnEnded>> never_begun;
      {
        std::lock_guard lock(mutex_);
        stopping = stopping_;
        if (stopping) {
          never_begun.swap(joining_);
          size_ -= never_begun.size();
        }
      }
      for (auto& [client, on_ended] : never_begun) {
        client->set_waker(nullptr);
        on_ended(Status::ok());
      }
      // Every run ends: each stop comes back through wake(), and take_requests() ends the run.
      if (stopping) {
        for (auto& [client, member] : members_) client->request_stop();
      }
    }
    take_requests();
    fire_timers();
    ended_.clear();  // no event of this round names them any more
  }
}

void FleetLoop::take_requests() {
  std::vector<std::pair<MqttClient*, OnEnded>> joining;
  std::unordered_set<MqttClient*> woken;
  {
    std::lock_guard lock(mutex_);
    joining.swap(joining_);
    woken.swap(woken_);
  }
  for (MqttClient* client : woken) {
    if (auto it = members_.find(client); it != members_.end()) advance(*it->second, false);
  }
  for (auto& [client, on_ended] : joining) {
    auto member = std::make_unique<Member>(Member{client, std::move(on_ended)});
    Member& joined = *member;
    members_.emplace(client, std::move(member));
    client->begin();
    advance(joined, false);
  }
}

void FleetLoop::fire_timers() {
  const auto now = std::chrono::steady_clock::now();
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    auto it = members_.find(timer.client);
    if (it == members_.end() || it->second->deadline != timer.at) continue;  // a stale timer
    advance(*it->second, false);
  }
}

int FleetLoop::next_timeout() const {
  if (timers_.empty()) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(timers_.top().at - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

void FleetLoop::advance(Member& member, bool readable) {
  MqttClient& client = *member.client;
  if (!client.advance(readable)) {
    // The run ended and closed its socket, which left the epoll set with it.
    client.set_waker(nullptr);
    auto it = members_.find(&client);
    ended_.push_back(std::move(it->second));
    members_.erase(it);
    member.client = nullptr;
    {
      std::lock_guard lock(mutex_);
      --size_;
    }
    OnEnded on_ended = std::move(member.on_ended);
    on_ended(client.ended());
    return;
  }
  const int fd = client.socket();
  std::uint32_t events = EPOLLIN;
  if (client.wants_write()) events |= EPOLLOUT;
  if (fd != member.fd) {
    // A socket that changed was closed by libmosquitto, which took it out of the epoll set.
    if (fd >= 0) {
      epoll_event watch{};
      watch.events = events;
      watch.data.ptr = &member;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &watch);
    }
    member.fd = fd;
    member.events = events;
  } else if (fd >= 0 && events != member.events) {
    epoll_event watch{};
    watch.events = events;
    watch.data.ptr = &member;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &watch);
    member.events = events;
  }
  if (client.deadline() != member.deadline) {
    member.deadline = client.deadline();
    timers_.push({member.deadline, &client});
  }
}

}  // namespace millet::device::detail
