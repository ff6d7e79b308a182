#pragma once
// Wall-clock time as the platform keeps it in records and messages:
// milliseconds since the Unix epoch.

#include <chrono>
#include <cstdint>

namespace millet {

inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace millet
