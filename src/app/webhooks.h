#pragma once
// Outgoing HTTP: webhooks for automations (the `webhook` action) and the
// assistant's optional fallback. HTTP or HTTPS (certificates checked), each
// request given 10 s, sent one at a time from a thread of their own.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "automation/service.h"

namespace millet::app {

struct HttpAnswer {
  bool ok = false;       // a 2xx answer
  std::string status;    // "HTTP 200", or "error" when none came
  std::string message;   // the reason, or why none came
  std::string body;
};

// Sends one request and waits for its answer (at most `timeout`). Blocking: call it off the reactors.
HttpAnswer send_http(const std::string& method, const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     std::chrono::seconds timeout = std::chrono::seconds(10));

// A sender whose thread lives as long as the last copy of it.
automation::WebhookSender make_webhook_sender();

}  // namespace millet::app
