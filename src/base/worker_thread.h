#pragma once
// A thread of its own that runs posted jobs one at a time, in order: for slow
// work (password hashing, outgoing webhooks) that must never hold up a reactor.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>

#include "base/thread_name.h"

namespace millet {

class WorkerThread {
 public:
  // What the destructor does with jobs still waiting: run them, or drop them.
  enum class AtExit { kRunWaiting, kDropWaiting };

  // name: the thread's name (top -H, perf).
  explicit WorkerThread(std::string name, std::size_t max_waiting = std::numeric_limits<std::size_t>::max(),
                        AtExit at_exit = AtExit::kRunWaiting)
      : max_waiting_(max_waiting), at_exit_(at_exit), thread_([this, name = std::move(name)] {
          name_this_thread(name);
          run();
        }) {}
  ~WorkerThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      if (at_exit_ == AtExit::kDropWaiting) jobs_.clear();
    }
    wake_.notify_one();
    thread_.join();
  }
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // False, and the job is not kept, if max_waiting jobs wait already.
  bool post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      if (jobs_.size() >= max_waiting_) return false;
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and nothing left to run
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  const std::size_t max_waiting_;
  const AtExit at_exit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace millet
