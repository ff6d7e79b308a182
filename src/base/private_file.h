#pragma once
// Writes a file that holds secrets (a token, a password, devices' secrets): readable by
// its owner alone (0600), and replaced whole — written beside it, then renamed over it —
// so that a crash leaves the old file or the new one, never half of one.

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace millet {

inline Expected<void, std::string> write_private_file(const std::filesystem::path& file, std::string_view text) {
  const std::string temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return unexpected(fmt::format("cannot write {}", temporary));
    ::chmod(temporary.c_str(), 0600);
    out << text;
    if (!out.flush()) return unexpected(fmt::format("cannot write {}", temporary));
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) return unexpected(fmt::format("cannot write {}: {}", file.string(), error.message()));
  return {};
}

}  // namespace millet
