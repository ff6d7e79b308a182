#pragma once
// The delay before reconnecting: it doubles from a minimum up to a maximum, and each
// delay is drawn from its upper half so that many devices cut off at once (a server
// restart) do not all come back in the same instant.

#include <algorithm>
#include <chrono>
#include <random>

namespace millet::device::detail {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(min), max_(max), step_(min), random_(std::random_device{}()) {}

  std::chrono::milliseconds next() {
    const std::chrono::milliseconds step = step_;
    step_ = std::min(max_, step_ * 2);
    std::uniform_int_distribution<std::chrono::milliseconds::rep> upper_half(step.count() / 2, step.count());
    return std::chrono::milliseconds(upper_half(random_));
  }

  void reset() { step_ = min_; }

 private:
  std::chrono::milliseconds min_, max_, step_;
  std::minstd_rand random_;
};

}  // namespace millet::device::detail
