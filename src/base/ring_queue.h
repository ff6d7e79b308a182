#pragma once
// RingQueue: a FIFO over one growable array. Unlike std::deque it allocates
// nothing while empty, so an idle session's queues cost two words each.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "base/assert.h"

namespace millet {

template <class T>
class RingQueue {
 public:
  RingQueue() = default;
  RingQueue(RingQueue&& other) noexcept { *this = std::move(other); }
  RingQueue& operator=(RingQueue&& other) noexcept {
    clear();
    slots_ = std::move(other.slots_);
    capacity_ = std::exchange(other.capacity_, 0);
    head_ = std::exchange(other.head_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  ~RingQueue() { clear(); }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  T& operator[](std::size_t i) { return slot(i); }
  const T& operator[](std::size_t i) const { return const_cast<RingQueue*>(this)->slot(i); }
  T& front() { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }

  void push_back(T value) {
    if (size_ == capacity_) grow();
    new (&slot(size_)) T(std::move(value));
    ++size_;
  }
  void push_front(T value) {
    if (size_ == capacity_) grow();
    head_ = (head_ + capacity_ - 1) % capacity_;
    new (&slot(0)) T(std::move(value));
    ++size_;
  }
  void pop_front() {
    MILLET_ASSERT(size_ > 0, "pop_front of an empty queue");
    slot(0).~T();
    head_ = (head_ + 1) % capacity_;
    if (--size_ == 0) release();
  }
  void clear() {
    while (size_ > 0) pop_front();
    release();
  }

 private:
  T& slot(std::size_t i) { return reinterpret_cast<T*>(slots_.get())[(head_ + i) % capacity_]; }

  void grow() {
    const std::uint32_t new_capacity = capacity_ ? capacity_ * 2 : 4;
    auto grown = std::make_unique<Storage[]>(new_capacity);
    T* target = reinterpret_cast<T*>(grown.get());
    for (std::size_t i = 0; i < size_; ++i) {
      new (&target[i]) T(std::move(slot(i)));
      slot(i).~T();
    }
    slots_ = std::move(grown);
    capacity_ = new_capacity;
    head_ = 0;
  }
  void release() {
    slots_.reset();
    capacity_ = 0;
    head_ = 0;
  }

  struct alignas(T) Storage {
    std::byte bytes[sizeof(T)];
  };
  std::unique_ptr<Storage[]> slots_;
  std::uint32_t capacity_ = 0;
  std::uint32_t head_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace millet
