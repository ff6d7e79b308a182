#pragma once
// StaticFiles: the web app's files (web/, built into web/dist), served by the HTTP
// port beside the API. Read into memory once, at start — the bundle is small, and a
// reactor then never waits for the disk, nor follows a link out of the folder.
//
// GET and HEAD only. `/` is index.html; a path without a file extension that names no
// file is index.html too (the app's own routes: /homes/h-1), so a reload works; a
// missing file with an extension is 404. Files under assets/ carry a content hash in
// their names (the bundler's), so they may be cached for good; the rest are revalidated.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/http_connection.h"
#include "base/expected.h"

namespace millet::api {

class StaticFiles {
 public:
  // Reads every regular file under `root` (at most `max_bytes` in all). An error says
  // what could not be read; a folder without index.html is an error too.
  static Expected<StaticFiles, std::string> load(const std::string& root, std::size_t max_bytes = 64u << 20);

  // The answer to a request for `request.path` (not under /api/).
  Response serve(const Request& request) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }

 private:
  struct File {
    std::string body;
    std::string content_type;
    bool immutable = false;  // under assets/: named by its content
  };
  const File* find(std::string_view path) const;

  std::unordered_map<std::string, File> files_;  // by path from the root: "index.html", "assets/app-1a2b.js"
  std::size_t total_bytes_ = 0;
};

// The MIME type for a file name, by its extension ("application/octet-stream" if unknown).
std::string_view content_type_for(std::string_view name);

}  // namespace millet::api
