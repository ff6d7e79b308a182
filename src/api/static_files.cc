#include "api/static_files.h"

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

namespace millet::api {

namespace fs = std::filesystem;

std::string_view content_type_for(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (name.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

Expected<StaticFiles, std::string> StaticFiles::load(const std::string& root, std::size_t max_bytes) {
  std::error_code error;
  if (!fs::is_regular_file(fs::path(root) / "index.html", error)) {
    return unexpected(fmt::format("{} has no index.html", root));
  }
  StaticFiles files;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    const std::string relative = fs::relative(it->path(), root, error).generic_string();
    if (error) break;
    std::ifstream in(it->path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return unexpected(fmt::format("cannot read {}", it->path().string()));
    files.total_bytes_ += body.size();
    if (files.total_bytes_ > max_bytes) {
      return unexpected(fmt::format("{} holds more than {} MiB; the web app is served from memory", root,
                                    max_bytes >> 20));
    }
    const bool immutable = relative.starts_with("assets/");
    files.files_.emplace(relative, File{std::move(body), std::string(content_type_for(relative)), immutable});
  }
  if (error) return unexpected(fmt::format("cannot read {}: {}", root, error.message()));
  return files;
}

const StaticFiles::File* StaticFiles::find(std::string_view path) const {
  auto it = files_.find(std::string(path));
  return it == files_.end() ? nullptr : &it->second;
}

Response StaticFiles::serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    Response response = error_response(405, "method_not_allowed", "the web app's files are read with GET");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  // The path is decoded already; only files loaded at start can be found, so ".." leads nowhere.
  std::string_view path = request.path;
  while (path.starts_with('/')) path.remove_prefix(1);
  const File* file = path.empty() ? find("index.html") : find(path);
  if (!file && path.ends_with('/')) file = find(std::string(path) + "index.html");
  if (!file) {
    const std::size_t slash = path.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (last.find('.') != std::string_view::npos) {
      return error_response(404, "not_found", fmt::format("no such file: /{}", path));
    }
    file = find("index.html");  // one of the app's own pages: it routes itself
  }
  Response response{200, file->body, file->content_type, {}, request.method == "HEAD"};
  response.headers.emplace_back("Cache-Control", file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file->content_type.starts_with("text/html")) {
    response.headers.emplace_back("Content-Security-Policy",
                                  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                                  "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  }
  return response;
}

}  // namespace millet::api
