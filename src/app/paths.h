#pragma once
// Where this millet's own files are (the catalog, the web app, the demo home): beside its
// build folder (build/millet -> ./spec) when they are there, as in a clone that was
// built, else in the source tree the binary was built from.

#include <filesystem>
#include <string>

namespace millet::app {

// `relative` beside the build folder of this binary if `relative / must_hold` exists there
// (`must_hold` empty: `relative` itself), else `source`.
inline std::string in_this_millet(const std::filesystem::path& relative, const std::filesystem::path& must_hold,
                                  const std::string& source) {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const auto beside = exe.parent_path().parent_path() / relative;
    if (std::filesystem::exists(must_hold.empty() ? beside : beside / must_hold, error)) return beside.string();
  }
  return source;
}

}  // namespace millet::app
