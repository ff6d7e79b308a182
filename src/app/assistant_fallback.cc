#include "app/assistant_fallback.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/webhooks.h"
#include "base/worker_thread.h"

namespace millet::app {
namespace {

namespace json = boost::json;

constexpr std::size_t kMostWaiting = 100;

constexpr std::string_view kInstructions =
    "You rewrite what a person said to a smart-home assistant as one short, plain command or question that a "
    "simple assistant understands, in the same language (English or Simplified Chinese). Use only the rooms, "
    "devices and scenes listed, by the names given. Examples: \"turn on the kitchen light\", \"set the bedroom fan "
    "to level 2\", \"what is the temperature in the bedroom\", \"turn off the heater in 10 minutes\", "
    "\"打开客厅的灯\", \"把空调调到26度\". If it is not about the home's devices, answer exactly NONE. "
    "Answer with the command only.";

std::string endpoint_of(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  if (!url.ends_with("/chat/completions")) url += "/chat/completions";
  return url;
}

// The answer's text, if it is a rewrite: choices[0].message.content, trimmed, not NONE.
std::optional<std::string> rewrite_in(const std::string& body) {
  boost::system::error_code error;
  json::value answer = json::parse(body, error);
  if (error || !answer.is_object()) return std::nullopt;
  const auto* choices = answer.as_object().if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty()) return std::nullopt;
  const json::value* message = choices->as_array()[0].as_object().if_contains("message");
  const json::value* content = message && message->is_object() ? message->as_object().if_contains("content") : nullptr;
  if (!content || !content->is_string()) return std::nullopt;
  std::string text(content->as_string());
  const auto first = text.find_first_not_of(" \t\r\n\"'“”「」");
  const auto last = text.find_last_not_of(" \t\r\n\"'“”「」");
  if (first == std::string::npos) return std::nullopt;
  text = text.substr(first, last - first + 1);
  if (const auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  if (text == "NONE" || text.size() > assistant::Service::kMaxText) return std::nullopt;
  return text;
}

}  // namespace

assistant::Rewriter make_fallback(FallbackOptions options) {
  auto worker = std::make_shared<WorkerThread>("fallback", kMostWaiting, WorkerThread::AtExit::kDropWaiting);
  const std::string endpoint = endpoint_of(options.url);
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (!options.api_key.empty()) headers.emplace_back("Authorization", "Bearer " + options.api_key);
  return [worker, endpoint, headers, model = options.model](std::string text, std::string names,
                                                            std::function<void(std::optional<std::string>)> done) {
    json::object body{{"temperature", 0},
                      {"messages", json::array{json::object{{"role", "system"}, {"content", kInstructions}},
                                               json::object{{"role", "user"},
                                                            {"content", fmt::format("{}\nSaid: {}", names, text)}}}}};
    if (!model.empty()) body["model"] = model;
    auto job = [endpoint, headers, request = json::serialize(body), done] {
      HttpAnswer answer = send_http("POST", endpoint, request, headers);
      if (!answer.ok) {
        spdlog::warn("assistant fallback {}: {} {}", endpoint, answer.status, answer.message);
        return done(std::nullopt);
      }
      done(rewrite_in(answer.body));
    };
    if (!worker->post(std::move(job))) done(std::nullopt);
  };
}

}  // namespace millet::app
