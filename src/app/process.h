#pragma once
// What the long-running commands (`serve`, `sim`) set up in their process first.

#include <signal.h>
#include <sys/resource.h>

#include <optional>

namespace millet::app {

// Blocks SIGINT and SIGTERM in the calling thread — and so in every thread it starts
// afterwards — for the command to take them with sigwait() / sigtimedwait(); ignores
// SIGPIPE (a peer that closes is seen as a failed write). Returns the two signals.
inline sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return signals;
}

// Raises the open-file limit to the most the process may have (sockets count against it).
// Returns the limit now (RLIM_INFINITY for none), or nullopt when it cannot be read.
inline std::optional<rlim_t> raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  }
  return limit.rlim_cur;
}

}  // namespace millet::app
