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
// logging in never stalls a reactor; rules, scenes and a home's settings are
// the automation engine's, and their calls run on its thread, which answers
// (Responder::send hands the answer to the connection's reactor).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/http_connection.h"
#include "api/static_files.h"
#include "base/worker_thread.h"
#include "assistant/service.h"
#include "automation/service.h"
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
  // The web app's files, served at every path outside /api/ (none: those paths are 404).
  std::shared_ptr<const StaticFiles> web;
  // The assistant (POST /homes/{home}/assistant); none: that route is 404.
  assistant::Service* assistant = nullptr;
};

class Api final : public RequestHandler {
 public:
  Api(hub::Hub& hub, automation::Automations& automations, ApiOptions options = {});
  ~Api() override;

  void handle(const Request& request, Responder responder) override;
  std::optional<Response> accept_websocket(const Request& request,
                                           const std::shared_ptr<HttpConnection>& connection) override;
  void adopt(std::shared_ptr<HttpConnection> connection) override;
  std::shared_ptr<HttpConnection> release(HttpConnection* connection) override;

 private:
  struct Call;

  void route(Call& call);
  void route_homes(Call& call);
  void route_devices(Call& call);
  // Automations (docs/api.md, "Automations, scenes and the home's settings"): the
  // engine's calls run on its thread (automation::Automations::post), never here.
  void route_home_automations(Call& call, const std::string& home_id);
  void route_rules(Call& call);
  void route_scenes(Call& call);
  void capture_scene(Call& call, const std::string& home_id);
  // The assistant and the commands for later it makes ("timers").
  void route_assistant(Call& call, const std::string& home_id);
  // Runs `task` on the engine's thread; the response it makes goes back to the caller.
  void on_engine(const Call& call, std::function<Response(automation::Engine&)> task);
  void login(Call& call);
  void sign_up(Call& call);

  hub::Hub& hub_;
  automation::Automations& automations_;
  hub::Registry& registry_;
  ApiOptions options_;
  std::unique_ptr<WorkerThread> worker_;  // password hashing and device removal, off the reactors
  std::mutex connections_mutex_;
  std::unordered_map<HttpConnection*, std::shared_ptr<HttpConnection>> connections_;
};

}  // namespace millet::api
