#pragma once
// ByteBuffer: a growable byte queue — append at the back, consume from the front.
// Used for socket input that holds a partial packet and for output waiting to be
// written. It allocates nothing until the first byte arrives and can give its
// memory back when drained, so an idle connection costs no buffer memory.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "base/assert.h"

namespace millet {

using ByteSpan = std::span<const std::byte>;

inline ByteSpan as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}
inline std::string_view as_text(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(ByteBuffer&&) noexcept = default;
  ByteBuffer& operator=(ByteBuffer&&) noexcept = default;

  // The bytes not yet consumed.
  ByteSpan readable() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::size_t capacity() const { return capacity_; }

  void consume(std::size_t count) {
    MILLET_ASSERT(count <= size(), "consume beyond the readable bytes");
    begin_ += static_cast<std::uint32_t>(count);
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

  // Frees the storage if the buffer is empty; keeps idle connections small.
  void release_if_empty() {
    if (empty()) {
      data_.reset();
      capacity_ = 0;
    }
  }

  // Returns space for at least `count` bytes at the back; commit() what was written.
  std::span<std::byte> prepare(std::size_t count) {
    reserve_tail(count);
    return {data_.get() + end_, capacity_ - end_};
  }
  void commit(std::size_t count) {
    MILLET_ASSERT(end_ + count <= capacity_, "commit beyond prepared space");
    end_ += static_cast<std::uint32_t>(count);
  }

  void append(ByteSpan bytes) {
    if (bytes.empty()) return;
    reserve_tail(bytes.size());
    std::memcpy(data_.get() + end_, bytes.data(), bytes.size());
    end_ += static_cast<std::uint32_t>(bytes.size());
  }
  void append(std::string_view text) { append(as_bytes(text)); }
  void push_back(std::byte value) {
    reserve_tail(1);
    data_[end_++] = value;
  }
  // Direct access to already-written bytes, for patching a length in place.
  std::byte* writable_data() { return data_.get() + begin_; }

 private:
  void reserve_tail(std::size_t count) {
    if (capacity_ - end_ >= count) return;
    const std::size_t live = end_ - begin_;
    MILLET_ASSERT(live + count < (std::size_t{1} << 32) / 2, "a ByteBuffer holds less than 2 GiB");
    if (begin_ > 0 && capacity_ - live >= count && begin_ >= live) {
      // Enough room once the consumed prefix is reclaimed; move the live bytes down.
      std::memmove(data_.get(), data_.get() + begin_, live);
      begin_ = 0;
      end_ = static_cast<std::uint32_t>(live);
      return;
    }
    std::size_t new_capacity = capacity_ < 256 ? 256 : capacity_;
    while (new_capacity < live + count) new_capacity *= 2;
    auto grown = std::make_unique_for_overwrite<std::byte[]>(new_capacity);
    if (live) std::memcpy(grown.get(), data_.get() + begin_, live);
    data_ = std::move(grown);
    capacity_ = static_cast<std::uint32_t>(new_capacity);
    begin_ = 0;
    end_ = static_cast<std::uint32_t>(live);
  }

  // 32-bit offsets: a buffer holds at most one packet of up to 256 MiB plus
  // what follows it, and an idle connection carries two of these.
  std::unique_ptr<std::byte[]> data_;
  std::uint32_t capacity_ = 0;
  std::uint32_t begin_ = 0;
  std::uint32_t end_ = 0;
};

}  // namespace millet
