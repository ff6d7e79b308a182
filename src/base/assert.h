#pragma once
// Invariant checks that stay on in release builds. A failed check means a bug in
// millet, never bad input: bad input is answered with an error value instead.

#include <cstdio>
#include <cstdlib>

#define MILLET_ASSERT(condition, message)                                               \
  do {                                                                                 \
    if (!(condition)) [[unlikely]] {                                                   \
      std::fprintf(stderr, "millet: invariant broken at %s:%d: %s (%s)\n", __FILE__,   \
                   __LINE__, message, #condition);                                     \
      std::abort();                                                                    \
    }                                                                                  \
  } while (false)
