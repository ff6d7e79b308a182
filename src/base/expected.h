#pragma once
// A minimal std::expected for C++20: either a value or an error, never both.
// Used where bad input is a normal outcome (the codec, configuration parsing).

#include <type_traits>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace millet {

template <class E>
struct Unexpected {
  E error;
};

template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& error) {
  return {std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  template <class U>
  Expected(Unexpected<U> error) : state_(std::in_place_index<1>, std::move(error.error)) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    MILLET_ASSERT(has_value(), "value() of an Expected holding an error");
    return *std::get_if<0>(&state_);
  }
  const T& value() const& {
    MILLET_ASSERT(has_value(), "value() of an Expected holding an error");
    return *std::get_if<0>(&state_);
  }
  T&& value() && { return std::move(value()); }
  const E& error() const {
    MILLET_ASSERT(!has_value(), "error() of an Expected holding a value");
    return *std::get_if<1>(&state_);
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(value()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> state_;
};

// Expected<void, E>: success carries nothing.
template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  Expected() = default;
  template <class U>
  Expected(Unexpected<U> error) : error_(std::move(error.error)), failed_(true) {}

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  const E& error() const {
    MILLET_ASSERT(failed_, "error() of a successful Expected");
    return error_;
  }

 private:
  E error_{};
  bool failed_ = false;
};

}  // namespace millet
