#pragma once
// Api: millet's HTTP API (docs/api.md, docs/openapi.yaml) — REST over JSON for
// people and their apps, and a WebSocket stream of device events. It turns
// requests into hub and registry calls and their results into JSON; the rules
// (who may do what, which values are valid) live in the hub.
//
// Every request but login, sign-up and the health check carries a bearer
// token (`Authorization: Bearer mlt_...`; the event stream may pass it as
// `?token=`, which browsers' WebSocket cannot set as a header).
//
// Threads: requests are handled on their connection's reactor thread; password
// hashing (argon2id, about 0.1 s) runs on a worker thread of its own, so
// logging in never stalls a reactor.

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/http_connection.h"
#include "hub/hub.h"

namespace millet::api {

struct ApiOptions {
  // Whether anyone may create an account. Otherwise only the first account is
  // open to all; later ones are made by a signed-in user (or `millet user add`).
  bool open_signup = false;
  // How long a set or an action call waits for the device's answer, unless
  // the request says (`?wait=` in ms), and the most it may ask for.
  std::chrono::milliseconds default_wait{5000};
  std::chrono::milliseconds max_wait{30000};
};

class Api final : public RequestHandler {
 public:
  Api(hub::Hub& hub, ApiOptions options = {});
  ~Api() override;

  void handle(const Request& request, Responder responder) override;
  std::optional<Response> accept_websocket(const Request& request,
                                           const std::shared_ptr<HttpConnection>& connection) override;
  void adopt(std::shared_ptr<HttpConnection> connection) override;
  std::shared_ptr<HttpConnection> release(HttpConnection* connection) override;

 private:
  class Worker;
  struct Call;

  void route(Call& call);
  void route_homes(Call& call);
  void route_devices(Call& call);
  void login(Call& call);
  void sign_up(Call& call);

  hub::Hub& hub_;
  hub::Registry& registry_;
  ApiOptions options_;
  std::unique_ptr<Worker> worker_;
  std::mutex connections_mutex_;
  std::unordered_map<HttpConnection*, std::shared_ptr<HttpConnection>> connections_;
};

}  // namespace millet::api
