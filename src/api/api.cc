#include "api/api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "base/wall_clock.h"
#include "api/views.h"
#include "hub/credentials.h"
#include "spec/describe.h"
#include "spec/value.h"

namespace millet::api {
namespace {

namespace json = boost::json;
using hub::Error;

constexpr std::string_view kPrefix = "/api/v1";

int status_of(Error::Code code) {
  switch (code) {
    case Error::Code::kInvalid: return 400;
    case Error::Code::kUnauthorized: return 401;
    case Error::Code::kForbidden: return 403;
    case Error::Code::kNotFound: return 404;
    case Error::Code::kConflict: return 409;
    case Error::Code::kStorage: return 500;
  }
  return 500;
}

Response error_of(const Error& error) {
  return error_response(status_of(error.code), hub::error_code_name(error.code), error.message);
}

// Numbers as people write them (25.5, not 2.55E1): spec::json_text.
Response json_response(int status, const json::value& body) { return Response{status, spec::json_text(body) + "\n"}; }

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

json::object user_json(const hub::User& user) {
  return {{"id", user.id}, {"name", user.name}, {"created", user.created_ms}};
}

json::object room_json(const hub::Room& room) {
  json::array aliases(room.aliases.begin(), room.aliases.end());
  return {{"id", room.id}, {"name", room.name}, {"floor", room.floor}, {"aliases", std::move(aliases)}};
}

json::object home_json(const hub::Home& home, const hub::Registry& registry, std::string_view actor) {
  json::array rooms;
  for (const auto& room : home.rooms) rooms.push_back(room_json(room));
  json::array members;
  for (const auto& [user_id, role] : home.members) {
    auto user = registry.user(user_id);
    members.push_back(json::object{
        {"user", user_id}, {"name", user ? user->name : ""}, {"role", hub::role_name(role)}});
  }
  auto role = home.members.find(std::string(actor));
  return {{"id", home.id},
          {"name", home.name},
          {"role", role == home.members.end() ? "" : hub::role_name(role->second)},
          {"rooms", std::move(rooms)},
          {"members", std::move(members)},
          {"created", home.created_ms}};
}

// A command's answer: 200 when the device did it, 202 when it is on its way
// (sent, queued for an offline device, or no answer yet), 409 when the device
// refused or (actions) is offline, 504 when an action got no answer.
Response reply_response(const hub::CommandReply& reply, bool action) {
  json::object body{{"request", reply.request_id}, {"status", hub::status_name(reply.status)}};
  if (!reply.message.empty()) body["message"] = reply.message;
  if (action && reply.status == hub::CommandReply::Status::kOk) body["out"] = reply.out;
  switch (reply.status) {
    case hub::CommandReply::Status::kOk: return json_response(200, body);
    case hub::CommandReply::Status::kError:
      body["error"] = "device_refused";
      if (!body.contains("message")) body["message"] = "the device refused";
      return json_response(409, body);
    case hub::CommandReply::Status::kOffline:
      body["error"] = "offline";
      return json_response(409, body);
    case hub::CommandReply::Status::kTimeout:
      if (action) {
        body["error"] = "timeout";
        return json_response(504, body);
      }
      return json_response(202, body);
    default: return json_response(202, body);
  }
}

}  // namespace

// A request on its way through the routes.
struct Api::Call {
  const Request& request;
  Responder responder;
  std::vector<std::string_view> parts;  // path segments after /api/v1
  std::optional<hub::User> user;         // once authenticated

  void send(Response response) const { responder.send(std::move(response)); }
  void fail(const Error& error) const { send(error_of(error)); }
  void fail(int status, std::string_view code, std::string_view message) const {
    send(error_response(status, code, message));
  }
  bool is(std::string_view method) const { return request.method == method; }
  // The body as a JSON object; on failure answers 400 and returns nothing.
  std::optional<json::object> body() const {
    if (request.body.empty()) {
      fail(400, "bad_json", "the request needs a JSON object as its body");
      return std::nullopt;
    }
    boost::system::error_code error;
    json::value value = json::parse(request.body, error);
    if (error) {
      fail(400, "bad_json", fmt::format("the body is not valid JSON: {}", error.message()));
      return std::nullopt;
    }
    if (!value.is_object()) {
      fail(400, "bad_json", "the body must be a JSON object");
      return std::nullopt;
    }
    return std::move(value.get_object());
  }
  void method_not_allowed(std::string_view allowed) const {
    Response response = error_response(405, "method_not_allowed",
                                       fmt::format("{} {} is not supported; use {}", request.method, request.path, allowed));
    response.headers.emplace_back("Allow", std::string(allowed));
    send(std::move(response));
  }
};

namespace {

// A room of the home by id, or by name in any case ("hall" is "Hall"); the
// reference itself when neither matches (the registry then says it is unknown).
std::string room_id(const hub::Registry& registry, std::string_view actor, std::string_view home_id,
                    std::string_view reference) {
  if (reference.empty()) return {};
  auto home = registry.home(actor, home_id);
  if (!home) return std::string(reference);
  for (const auto& room : home->rooms) {
    if (room.id == reference) return room.id;
  }
  for (const auto& room : home->rooms) {
    if (hub::same_name(room.name, reference)) return room.id;
  }
  return std::string(reference);
}

// A string member of a body, or `fallback`; nullopt (and a 400 sent) if it is there but not a string.
std::optional<std::string> string_field(const json::object& body, std::string_view name, const auto& call,
                                        bool required, std::string fallback = {}) {
  const json::value* value = body.if_contains(name);
  if (!value) {
    if (required) {
      call.fail(400, "invalid", fmt::format("\"{}\" is required", name));
      return std::nullopt;
    }
    return fallback;
  }
  if (!value->is_string()) {
    call.fail(400, "invalid", fmt::format("\"{}\" must be a string", name));
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<std::vector<std::string>> aliases_field(const json::object& body, const auto& call) {
  std::vector<std::string> aliases;
  const json::value* value = body.if_contains("aliases");
  if (!value) return aliases;
  if (!value->is_array()) {
    call.fail(400, "invalid", "\"aliases\" must be an array of strings");
    return std::nullopt;
  }
  for (const auto& alias : value->get_array()) {
    if (!alias.is_string()) {
      call.fail(400, "invalid", "\"aliases\" must be an array of strings");
      return std::nullopt;
    }
    aliases.emplace_back(alias.get_string());
  }
  return aliases;
}

}  // namespace

Api::Api(hub::Hub& hub, automation::Automations& automations, ApiOptions options)
    : hub_(hub),
      automations_(automations),
      registry_(hub.registry()),
      options_(options),
      worker_(std::make_unique<WorkerThread>("api-worker")) {}

// Connections still open when the server stops are destroyed with the Api,
// after the reactors have stopped; their event-stream subscriptions end first.
Api::~Api() {
  std::lock_guard lock(connections_mutex_);
  for (auto& [raw, connection] : connections_) connection->abandon();
  connections_.clear();
}

void Api::adopt(std::shared_ptr<HttpConnection> connection) {
  std::lock_guard lock(connections_mutex_);
  HttpConnection* raw = connection.get();
  connections_.emplace(raw, std::move(connection));
}

std::shared_ptr<HttpConnection> Api::release(HttpConnection* connection) {
  std::lock_guard lock(connections_mutex_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return nullptr;
  auto owned = std::move(it->second);
  connections_.erase(it);
  return owned;
}

void Api::handle(const Request& request, Responder responder) {
  if (request.path == "/healthz") {
    if (request.method != "GET") {
      Response response = error_response(405, "method_not_allowed", "use GET");
      response.headers.emplace_back("Allow", "GET");
      return responder.send(std::move(response));
    }
    return responder.send(Response{200, "{\"status\":\"ok\"}\n"});
  }
  if (request.path != kPrefix && !request.path.starts_with(std::string(kPrefix) + "/")) {
    if (options_.web && request.path != "/api" && !request.path.starts_with("/api/")) {
      return responder.send(options_.web->serve(request));
    }
    return responder.send(error_response(404, "not_found",
                                         fmt::format("no such resource: {} (the API is under {}/)", request.path, kPrefix)));
  }
  if (request.path == std::string(kPrefix) + "/events") {
    Response response = error_response(426, "upgrade_required",
                                       "the event stream is a WebSocket: connect with an Upgrade: websocket request");
    response.headers.emplace_back("Upgrade", "websocket");
    return responder.send(std::move(response));
  }
  Call call{request, std::move(responder), split_path(std::string_view(request.path).substr(kPrefix.size()))};
  route(call);
}

void Api::route(Call& call) {
  const auto& parts = call.parts;
  // Without a token.
  if (parts.size() == 1 && parts[0] == "login") {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    return login(call);
  }
  if (parts.size() == 1 && parts[0] == "users" && call.is("POST")) return sign_up(call);

  const std::string_view header = call.request.authorization;
  if (!header.starts_with("Bearer ")) {
    Response response = error_response(401, "unauthorized",
                                       "sign in first: POST /api/v1/login, then send \"Authorization: Bearer <token>\"");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return call.send(std::move(response));
  }
  const std::string_view token = header.substr(7);
  auto user = registry_.user_for_token(token);
  if (!user) return call.fail(user.error());
  call.user = std::move(*user);

  if (parts.empty()) return call.fail(404, "not_found", "see docs/api.md for the resources");
  if (parts[0] == "me" && parts.size() == 1) {
    if (!call.is("GET")) return call.method_not_allowed("GET");
    return call.send(json_response(200, user_json(*call.user)));
  }
  if (parts[0] == "logout" && parts.size() == 1) {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    if (auto revoked = registry_.revoke_token_value(token); !revoked) return call.fail(revoked.error());
    return call.send(Response{204, ""});
  }
  if (parts[0] == "users" && parts.size() == 1) return call.method_not_allowed("POST");
  if (parts[0] == "spec") {
    const auto& catalog = registry_.catalog();
    if (!call.is("GET")) return call.method_not_allowed("GET");
    if (parts.size() == 2 && parts[1] == "types") {
      json::array types;
      for (const auto& type : catalog.device_types()) types.push_back(spec::summarize(type));
      return call.send(json_response(200, json::object{{"types", std::move(types)}}));
    }
    if (parts.size() == 3 && parts[1] == "types") {
      const spec::DeviceType* type = catalog.find(parts[2]);
      if (!type) return call.fail(404, "not_found", fmt::format("the catalog has no device type '{}'", parts[2]));
      return call.send(json_response(200, spec::describe(*type)));
    }
    return call.fail(404, "not_found", "spec resources: /spec/types, /spec/types/{name}");
  }
  if (parts[0] == "homes") return route_homes(call);
  if (parts[0] == "devices") return route_devices(call);
  if (parts[0] == "rules") return route_rules(call);
  if (parts[0] == "scenes") return route_scenes(call);
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

void Api::login(Call& call) {
  auto body = call.body();
  if (!body) return;
  auto name = string_field(*body, "user", call, true);
  if (!name) return;
  auto password = string_field(*body, "password", call, true);
  if (!password) return;
  auto label = string_field(*body, "label", call, false, "api");
  if (!label) return;
  worker_->post([this, responder = call.responder, name = std::move(*name), password = std::move(*password),
                 label = std::move(*label)] {
    auto user = registry_.authenticate_user(name, password);
    if (!user) return responder.send(error_of(user.error()));
    auto token = registry_.issue_token(user->id, label);
    if (!token) return responder.send(error_of(token.error()));
    responder.send(json_response(201, json::object{{"token", token->token}, {"id", token->id}, {"user", user_json(*user)}}));
  });
}

void Api::sign_up(Call& call) {
  // Who may make an account: anyone for the first, or with --open-signup; else a signed-in user.
  const bool open = options_.open_signup || registry_.user_count() == 0;
  if (!open) {
    const std::string_view header = call.request.authorization;
    if (!header.starts_with("Bearer ") || !registry_.user_for_token(header.substr(7))) {
      return call.fail(401, "unauthorized",
                       "new accounts are made by a signed-in user (or run millet with --open-signup)");
    }
  }
  auto body = call.body();
  if (!body) return;
  auto name = string_field(*body, "name", call, true);
  if (!name) return;
  auto password = string_field(*body, "password", call, true);
  if (!password) return;
  worker_->post([this, responder = call.responder, name = std::move(*name), password = std::move(*password)] {
    auto user = registry_.add_user(name, password);
    if (!user) return responder.send(error_of(user.error()));
    responder.send(json_response(201, user_json(*user)));
  });
}

void Api::route_homes(Call& call) {
  const auto& parts = call.parts;
  const std::string& actor = call.user->id;
  if (parts.size() == 1) {
    if (call.is("GET")) {
      json::array homes;
      for (const auto& home : registry_.homes_of(actor)) homes.push_back(home_json(home, registry_, actor));
      return call.send(json_response(200, json::object{{"homes", std::move(homes)}}));
    }
    if (!call.is("POST")) return call.method_not_allowed("GET, POST");
    auto body = call.body();
    if (!body) return;
    auto name = string_field(*body, "name", call, true);
    if (!name) return;
    auto home = registry_.add_home(actor, *name);
    if (!home) return call.fail(home.error());
    return call.send(json_response(201, home_json(*home, registry_, actor)));
  }
  const std::string home_id(parts[1]);
  if (parts.size() == 2) {
    if (!call.is("GET")) return call.method_not_allowed("GET");
    auto home = registry_.home(actor, home_id);
    if (!home) return call.fail(home.error());
    return call.send(json_response(200, home_json(*home, registry_, actor)));
  }
  const std::string_view what = parts[2];
  if (what == "rooms" && parts.size() == 3) {
    if (call.is("GET")) {
      auto home = registry_.home(actor, home_id);
      if (!home) return call.fail(home.error());
      json::array rooms;
      for (const auto& room : home->rooms) rooms.push_back(room_json(room));
      return call.send(json_response(200, json::object{{"rooms", std::move(rooms)}}));
    }
    if (!call.is("POST")) return call.method_not_allowed("GET, POST");
    auto body = call.body();
    if (!body) return;
    auto name = string_field(*body, "name", call, true);
    if (!name) return;
    auto floor = string_field(*body, "floor", call, false);
    if (!floor) return;
    auto aliases = aliases_field(*body, call);
    if (!aliases) return;
    auto room = registry_.add_room(actor, home_id, *name, *floor, std::move(*aliases));
    if (!room) return call.fail(room.error());
    return call.send(json_response(201, room_json(*room)));
  }
  if (what == "rooms" && parts.size() == 4) {
    if (!call.is("DELETE")) return call.method_not_allowed("DELETE");
    if (auto removed = registry_.remove_room(actor, home_id, parts[3]); !removed) return call.fail(removed.error());
    return call.send(Response{204, ""});
  }
  if (what == "members" && parts.size() == 3) {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    auto body = call.body();
    if (!body) return;
    auto user = string_field(*body, "user", call, true);
    if (!user) return;
    auto role_text = string_field(*body, "role", call, false, "member");
    if (!role_text) return;
    auto role = hub::parse_role(*role_text);
    if (!role) return call.fail(400, "invalid", fmt::format("role '{}' is not owner, member or guest", *role_text));
    if (auto shared = registry_.share_home(actor, home_id, *user, *role); !shared) return call.fail(shared.error());
    auto home = registry_.home(actor, home_id);
    if (!home) return call.fail(home.error());
    return call.send(json_response(200, home_json(*home, registry_, actor)));
  }
  if (what == "members" && parts.size() == 4) {
    if (!call.is("DELETE")) return call.method_not_allowed("DELETE");
    // The member by user id (as listed in the home) or by login name.
    std::string user_id(parts[3]);
    if (auto by_name = registry_.user_by_name(user_id); by_name && !user_id.starts_with("u-")) user_id = by_name->id;
    if (auto removed = registry_.unshare_home(actor, home_id, user_id); !removed) return call.fail(removed.error());
    return call.send(Response{204, ""});
  }
  if (what == "rules" || what == "scenes" || what == "settings" || what == "hooks") {
    return route_home_automations(call, home_id);
  }
  if (what == "assistant" || what == "timers") return route_assistant(call, home_id);
  if (what == "devices" && parts.size() == 3) {
    if (call.is("GET")) {
      auto devices = registry_.devices_in(actor, home_id);
      if (!devices) return call.fail(devices.error());
      json::array list;
      for (const auto& device : *devices) list.push_back(device_json(device));
      return call.send(json_response(200, json::object{{"devices", std::move(list)}}));
    }
    if (!call.is("POST")) return call.method_not_allowed("GET, POST");
    auto body = call.body();
    if (!body) return;
    auto name = string_field(*body, "name", call, true);
    if (!name) return;
    auto type = string_field(*body, "type", call, true);
    if (!type) return;
    auto room = string_field(*body, "room", call, false);
    if (!room) return;
    auto aliases = aliases_field(*body, call);
    if (!aliases) return;
    *room = room_id(registry_, actor, home_id, *room);
    auto made = registry_.add_device(actor, home_id, *name, *type, *room, std::move(*aliases));
    if (!made) return call.fail(made.error());
    json::object out = device_json(made->device);
    out["secret"] = made->secret;
    return call.send(json_response(201, out));
  }
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

void Api::route_devices(Call& call) {
  const auto& parts = call.parts;
  const std::string& actor = call.user->id;
  if (parts.size() == 1) {
    if (!call.is("GET")) return call.method_not_allowed("GET");
    json::array list;
    for (const auto& home : registry_.homes_of(actor)) {
      auto devices = registry_.devices_in(actor, home.id);
      if (!devices) continue;
      for (const auto& device : *devices) list.push_back(device_json(device));
    }
    return call.send(json_response(200, json::object{{"devices", std::move(list)}}));
  }
  const std::string device_id(parts[1]);
  const auto state_reply = [responder = call.responder](hub::Result<hub::DeviceState> state) {
    if (!state) return responder.send(error_of(state.error()));
    responder.send(json_response(200, state_json(*state)));
  };
  if (parts.size() == 2) {
    if (call.is("GET")) return hub_.state(actor, device_id, state_reply);
    if (call.is("DELETE")) {
      // Erasing a long history takes a while: not on a reactor.
      worker_->post([this, responder = call.responder, actor, device_id] {
        auto removed = hub_.remove_device(actor, device_id);
        responder.send(removed ? Response{204, ""} : error_of(removed.error()));
      });
      return;
    }
    if (!call.is("PATCH")) return call.method_not_allowed("GET, PATCH, DELETE");
    auto body = call.body();
    if (!body) return;
    std::optional<std::string> name, room;
    std::optional<std::vector<std::string>> aliases;
    if (body->contains("name")) {
      name = string_field(*body, "name", call, true);
      if (!name) return;
    }
    if (body->contains("room")) {
      room = string_field(*body, "room", call, true);
      if (!room) return;
      if (auto device = registry_.device(actor, device_id)) *room = room_id(registry_, actor, device->home_id, *room);
    }
    if (body->contains("aliases")) {
      aliases = aliases_field(*body, call);
      if (!aliases) return;
    }
    auto updated = registry_.update_device(actor, device_id, std::move(name), std::move(room), std::move(aliases));
    if (!updated) return call.fail(updated.error());
    return call.send(json_response(200, device_json(*updated)));
  }
  const std::string_view what = parts[2];
  // How long a command waits for the device's answer: ?wait=ms.
  const auto wait_for = [&call, this]() -> std::optional<std::chrono::milliseconds> {
    const std::string_view text = call.request.param("wait");
    if (text.empty()) return options_.default_wait;
    std::int64_t ms = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (error != std::errc() || end != text.data() + text.size() || ms < 0) {
      call.fail(400, "invalid", "\"wait\" is a number of milliseconds");
      return std::nullopt;
    }
    return std::min(std::chrono::milliseconds(ms), options_.max_wait);
  };
  if (what == "properties" && parts.size() == 3) {
    if (call.is("GET")) return hub_.state(actor, device_id, state_reply);
    if (!call.is("PUT") && !call.is("PATCH") && !call.is("POST")) return call.method_not_allowed("GET, PUT, PATCH, POST");
    auto body = call.body();
    if (!body) return;
    const auto wait = wait_for();
    if (!wait) return;
    return hub_.set(actor, device_id, *body, *wait, [responder = call.responder](hub::Result<hub::CommandReply> reply) {
      if (!reply) return responder.send(error_of(reply.error()));
      responder.send(reply_response(*reply, false));
    });
  }
  if (what == "actions" && parts.size() == 4) {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    const auto wait = wait_for();
    if (!wait) return;
    json::object in;
    if (!call.request.body.empty()) {
      auto body = call.body();
      if (!body) return;
      in = std::move(*body);
    }
    return hub_.call(actor, device_id, parts[3], in, *wait, [responder = call.responder](hub::Result<hub::CommandReply> reply) {
      if (!reply) return responder.send(error_of(reply.error()));
      responder.send(reply_response(*reply, true));
    });
  }
  if (what == "history" && parts.size() == 3) {
    if (!call.is("GET")) return call.method_not_allowed("GET");
    const std::string_view property = call.request.param("property");
    if (property.empty()) return call.fail(400, "invalid", "say which property: ?property=light.brightness");
    const std::int64_t now = wall_clock_ms();
    auto to = parse_time(call.request.param("to", "now"), now);
    auto from = to ? parse_time(call.request.param("from", "-24h"), now) : std::nullopt;
    if (!from || !to) {
      return call.fail(400, "invalid", "\"from\" and \"to\" are ms since the epoch, \"now\", or relative: -24h, -7d, -30m");
    }
    std::optional<hub::HistoryLevel> level;
    if (auto text = call.request.param("level"); !text.empty() && text != "auto") {
      level = hub::parse_level(text);
      if (!level) return call.fail(400, "invalid", "\"level\" is raw, 5m, 1h or auto");
    }
    std::size_t limit = 100'000;
    if (auto text = call.request.param("limit"); !text.empty()) {
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (error != std::errc() || end != text.data() + text.size() || limit == 0) {
        return call.fail(400, "invalid", "\"limit\" is a positive number");
      }
    }
    auto history = hub_.history(actor, device_id, property, *from, *to, level, limit);
    if (!history) return call.fail(history.error());
    std::string out = history_json(device_id, *history, *from, *to);
    return call.send(Response{200, std::move(out)});
  }
  if (what == "secret" && parts.size() == 3) {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    auto secret = registry_.rotate_secret(actor, device_id);
    if (!secret) return call.fail(secret.error());
    return call.send(json_response(200, json::object{{"id", device_id}, {"secret", *secret}}));
  }
  if (what == "revoke" && parts.size() == 3) {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    if (auto revoked = registry_.revoke_device(actor, device_id); !revoked) return call.fail(revoked.error());
    return call.send(Response{204, ""});
  }
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

// --- automations -------------------------------------------------------------------------

namespace {

// The engine's answer: `show(value)` with `status`, or the error.
template <class T, class Show>
Response answer(const hub::Result<T>& result, int status, Show show) {
  if (!result) return error_of(result.error());
  return json_response(status, show(*result));
}

json::object rules_json(const std::vector<automation::RuleView>& rules) {
  json::array list;
  for (const auto& rule : rules) list.push_back(rule_json(rule));
  return {{"rules", std::move(list)}};
}

json::object scenes_json(const std::vector<automation::SceneView>& scenes) {
  json::array list;
  for (const auto& scene : scenes) list.push_back(scene_json(scene));
  return {{"scenes", std::move(list)}};
}

// The body of PATCH /homes/{home}/settings; nullopt (and a 400 sent) if a field is wrong.
struct SettingsChange {
  std::optional<std::string> mode;
  std::optional<std::optional<automation::GeoLocation>> location;  // null: remove it
  std::optional<std::string> time_zone;
};

std::optional<SettingsChange> settings_change(const json::object& body, const auto& call) {
  SettingsChange change;
  for (const auto& [key, value] : body) {
    if (key != "mode" && key != "location" && key != "time_zone") {
      call.fail(400, "invalid", fmt::format("\"{}\" is not a setting: mode, location, time_zone", std::string_view(key)));
      return std::nullopt;
    }
  }
  if (body.contains("mode")) {
    change.mode = string_field(body, "mode", call, true);
    if (!change.mode) return std::nullopt;
  }
  if (body.contains("time_zone")) {
    change.time_zone = string_field(body, "time_zone", call, true);
    if (!change.time_zone) return std::nullopt;
  }
  if (const json::value* location = body.if_contains("location"); location && location->is_null()) {
    change.location = std::optional<automation::GeoLocation>();
  } else if (location) {
    const json::object* o = location->if_object();
    const json::value* latitude = o ? o->if_contains("latitude") : nullptr;
    const json::value* longitude = o ? o->if_contains("longitude") : nullptr;
    if (!latitude || !longitude || !latitude->is_number() || !longitude->is_number() || o->size() != 2) {
      call.fail(400, "invalid",
                "\"location\" is {\"latitude\": degrees (north positive), \"longitude\": degrees (east positive)}, "
                "or null to remove it");
      return std::nullopt;
    }
    change.location = automation::GeoLocation{latitude->to_number<double>(), longitude->to_number<double>()};
  }
  return change;
}

// The devices a capture names (ids, names or aliases, any case), or all of the home's.
std::optional<std::vector<hub::Device>> devices_to_capture(const json::object& body, std::vector<hub::Device> home,
                                                           const auto& call) {
  const json::value* list = body.if_contains("devices");
  if (!list) return home;
  if (!list->is_array()) {
    call.fail(400, "invalid", "\"devices\" must be an array of device ids or names");
    return std::nullopt;
  }
  std::vector<hub::Device> chosen;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& item = list->get_array()[i];
    if (!item.is_string()) {
      call.fail(400, "invalid", fmt::format("devices[{}] must be a device id or name", i));
      return std::nullopt;
    }
    const std::string_view reference = item.get_string();
    std::size_t named = 0;
    const hub::Device* found = hub::find_named(std::span<const hub::Device>(home), reference, &named);
    if (!found) {
      call.fail(400, "invalid", named > 1 ? fmt::format("devices[{}]: {} devices are called '{}'; use the id", i, named, reference)
                                          : fmt::format("devices[{}]: no device '{}' in this home", i, reference));
      return std::nullopt;
    }
    const bool already = std::any_of(chosen.begin(), chosen.end(), [&](const auto& d) { return d.id == found->id; });
    if (!already) chosen.push_back(*found);
  }
  return chosen;
}

// A device's reported values that can be set (access has write), by name; a scene's state.
json::object writable_values(const hub::DeviceState& state, const spec::Catalog& catalog) {
  json::object properties;
  const spec::DeviceType* type = catalog.find(state.device.type);
  if (!type) return properties;
  for (const auto& reported : state.reported) {
    auto found = type->find_property(reported.name);
    if (found && found->member->allows(spec::kWrite)) properties[reported.name] = spec::to_json(reported.value);
  }
  return properties;
}

}  // namespace

void Api::on_engine(const Call& call, std::function<Response(automation::Engine&)> task) {
  automations_.post([responder = call.responder, task = std::move(task)](automation::Engine& engine) {
    responder.send(task(engine));
  });
}

namespace {

json::object timer_json(const automation::DelayedView& timer) {
  return json::object{{"id", timer.id},       {"due", timer.due_ms},          {"text", timer.text},
                      {"user", timer.user_id}, {"operations", timer.operations}};
}

}  // namespace

void Api::route_assistant(Call& call, const std::string& home_id) {
  const auto& parts = call.parts;
  const std::string actor = call.user->id;
  if (parts[2] == "assistant" && parts.size() == 3) {
    if (!options_.assistant) return call.fail(404, "not_found", "this millet runs no assistant");
    if (!call.is("POST")) return call.method_not_allowed("POST");
    auto body = call.body();
    if (!body) return;
    assistant::SayRequest request;
    auto text = string_field(*body, "text", call, true);
    if (!text) return;
    auto conversation = string_field(*body, "conversation", call, false);
    if (!conversation) return;
    auto here = string_field(*body, "here", call, false);
    if (!here) return;
    request.text = std::move(*text);
    request.conversation = std::move(*conversation);
    request.here = std::move(*here);
    return options_.assistant->say(actor, home_id, std::move(request),
                                   [responder = call.responder](hub::Result<json::object> turn) {
                                     responder.send(answer(turn, 200, [](json::object o) { return o; }));
                                   });
  }
  if (parts[2] == "timers" && parts.size() == 3) {
    if (!call.is("GET")) return call.method_not_allowed("GET");
    return on_engine(call, [actor, home_id](automation::Engine& engine) {
      return answer(engine.delayed(actor, home_id), 200, [](const std::vector<automation::DelayedView>& timers) {
        json::array list;
        for (const auto& timer : timers) list.push_back(timer_json(timer));
        return json::object{{"timers", std::move(list)}};
      });
    });
  }
  if (parts[2] == "timers" && parts.size() == 4) {
    if (!call.is("DELETE")) return call.method_not_allowed("DELETE");
    std::uint64_t id = 0;
    const std::string_view given = parts[3];
    if (std::from_chars(given.data(), given.data() + given.size(), id).ptr != given.data() + given.size() || id == 0) {
      return call.fail(404, "not_found", fmt::format("no timer '{}' in this home", given));
    }
    return on_engine(call, [actor, home_id, id](automation::Engine& engine) {
      auto cancelled = engine.cancel_delayed(actor, home_id, id);
      return cancelled ? Response{204, ""} : error_of(cancelled.error());
    });
  }
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

void Api::route_home_automations(Call& call, const std::string& home_id) {
  const auto& parts = call.parts;
  const std::string actor = call.user->id;
  const std::string_view what = parts[2];
  if (what == "rules" && parts.size() == 3) {
    if (call.is("GET")) {
      return on_engine(call, [actor, home_id](automation::Engine& engine) {
        return answer(engine.rules(actor, home_id), 200, rules_json);
      });
    }
    if (!call.is("POST")) return call.method_not_allowed("GET, POST");
    auto body = call.body();
    if (!body) return;
    return on_engine(call, [actor, home_id, document = json::value(std::move(*body))](automation::Engine& engine) {
      return answer(engine.add_rule(actor, home_id, document), 201, rule_json);
    });
  }
  if (what == "scenes" && parts.size() == 3) {
    if (call.is("GET")) {
      return on_engine(call, [actor, home_id](automation::Engine& engine) {
        return answer(engine.scenes(actor, home_id), 200, scenes_json);
      });
    }
    if (!call.is("POST")) return call.method_not_allowed("GET, POST");
    auto body = call.body();
    if (!body) return;
    return on_engine(call, [actor, home_id, document = json::value(std::move(*body))](automation::Engine& engine) {
      return answer(engine.add_scene(actor, home_id, document), 201, scene_json);
    });
  }
  if (what == "scenes" && parts.size() == 4 && parts[3] == "capture") {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    return capture_scene(call, home_id);
  }
  if (what == "settings" && parts.size() == 3) {
    if (call.is("GET")) {
      return on_engine(call, [actor, home_id](automation::Engine& engine) {
        return answer(engine.settings(actor, home_id), 200, settings_json);
      });
    }
    if (!call.is("PATCH")) return call.method_not_allowed("GET, PATCH");
    auto body = call.body();
    if (!body) return;
    auto change = settings_change(*body, call);
    if (!change) return;
    return on_engine(call, [actor, home_id, change = std::move(*change)](automation::Engine& engine) {
      return answer(engine.change_settings(actor, home_id, change.mode, change.location, change.time_zone), 200,
                    settings_json);
    });
  }
  if (what == "hooks" && parts.size() == 4) {
    // An incoming webhook: the body, if any, is not read.
    if (!call.is("POST")) return call.method_not_allowed("POST");
    return on_engine(call, [actor, home_id, hook = std::string(parts[3])](automation::Engine& engine) {
      return answer(engine.webhook(actor, home_id, hook), 200,
                    [](std::size_t fired) { return json::object{{"fired", fired}}; });
    });
  }
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

void Api::route_rules(Call& call) {
  const auto& parts = call.parts;
  const std::string actor = call.user->id;
  if (parts.size() < 2 || parts.size() > 3) {
    return call.fail(404, "not_found", fmt::format("no such resource: {} (rules are listed per home: "
                                                   "/homes/{{home}}/rules)", call.request.path));
  }
  const std::string rule_id(parts[1]);
  if (parts.size() == 2) {
    if (call.is("GET")) {
      return on_engine(call, [actor, rule_id](automation::Engine& engine) {
        return answer(engine.rule(actor, rule_id), 200, rule_json);
      });
    }
    if (call.is("DELETE")) {
      return on_engine(call, [actor, rule_id](automation::Engine& engine) {
        auto removed = engine.remove_rule(actor, rule_id);
        return removed ? Response{204, ""} : error_of(removed.error());
      });
    }
    if (!call.is("PUT")) return call.method_not_allowed("GET, PUT, DELETE");
    auto body = call.body();
    if (!body) return;
    return on_engine(call, [actor, rule_id, document = json::value(std::move(*body))](automation::Engine& engine) {
      return answer(engine.replace_rule(actor, rule_id, document), 200, rule_json);
    });
  }
  const std::string_view what = parts[2];
  if (what == "enable" || what == "disable") {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    return on_engine(call, [actor, rule_id, enabled = what == "enable"](automation::Engine& engine) {
      return answer(engine.enable_rule(actor, rule_id, enabled), 200, rule_json);
    });
  }
  if (what == "run") {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    return on_engine(call, [actor, rule_id](automation::Engine& engine) {
      auto fired = engine.run_rule(actor, rule_id);
      if (!fired) return error_of(fired.error());
      json::object out{{"run", fired->run ? json::value(fired->run) : json::value(nullptr)}};
      if (!fired->run) out["message"] = fired->note;
      return json_response(202, out);
    });
  }
  if (what == "traces") {
    if (!call.is("GET")) return call.method_not_allowed("GET");
    return on_engine(call, [actor, rule_id](automation::Engine& engine) {
      return answer(engine.traces(actor, rule_id), 200,
                    [](const json::array& traces) { return json::object{{"traces", traces}}; });
    });
  }
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

void Api::route_scenes(Call& call) {
  const auto& parts = call.parts;
  const std::string actor = call.user->id;
  if (parts.size() < 2 || parts.size() > 3) {
    return call.fail(404, "not_found", fmt::format("no such resource: {} (scenes are listed per home: "
                                                   "/homes/{{home}}/scenes)", call.request.path));
  }
  const std::string scene_id(parts[1]);
  if (parts.size() == 2) {
    if (call.is("GET")) {
      return on_engine(call, [actor, scene_id](automation::Engine& engine) {
        return answer(engine.scene(actor, scene_id), 200, scene_json);
      });
    }
    if (call.is("DELETE")) {
      return on_engine(call, [actor, scene_id](automation::Engine& engine) {
        auto removed = engine.remove_scene(actor, scene_id);
        return removed ? Response{204, ""} : error_of(removed.error());
      });
    }
    if (!call.is("PUT")) return call.method_not_allowed("GET, PUT, DELETE");
    auto body = call.body();
    if (!body) return;
    return on_engine(call, [actor, scene_id, document = json::value(std::move(*body))](automation::Engine& engine) {
      return answer(engine.replace_scene(actor, scene_id, document), 200, scene_json);
    });
  }
  if (parts[2] == "apply") {
    if (!call.is("POST")) return call.method_not_allowed("POST");
    return on_engine(call, [actor, scene_id](automation::Engine& engine) {
      auto scene = engine.scene(actor, scene_id);
      if (!scene) return error_of(scene.error());
      return answer(engine.apply_scene(actor, scene->home_id, scene_id), 200,
                    [](std::size_t devices) { return json::object{{"devices", devices}}; });
    });
  }
  return call.fail(404, "not_found", fmt::format("no such resource: {}", call.request.path));
}

// Each device's state is read on its shard, all at once; the last answer to
// arrive builds the scene and hands it to the engine.
void Api::capture_scene(Call& call, const std::string& home_id) {
  const std::string actor = call.user->id;
  auto body = call.body();
  if (!body) return;
  auto name = string_field(*body, "name", call, true);
  if (!name) return;
  auto in_home = registry_.devices_in(actor, home_id);
  if (!in_home) return call.fail(in_home.error());
  auto devices = devices_to_capture(*body, std::move(*in_home), call);
  if (!devices) return;
  if (devices->empty()) return call.fail(409, "conflict", "the home has no devices to capture");

  struct Capture {
    std::mutex mutex;
    std::size_t left;
    std::vector<json::object> states;  // per device, in the order asked; empty: nothing to keep
  };
  auto capture = std::make_shared<Capture>();
  capture->left = devices->size();
  capture->states.resize(devices->size());
  const spec::Catalog& catalog = registry_.catalog();
  const auto finish = [this, responder = call.responder, actor, home_id, name = *name, capture] {
    json::array states;
    for (auto& state : capture->states) {
      if (!state.empty()) states.push_back(std::move(state));
    }
    if (states.empty()) {
      return responder.send(error_response(409, "conflict",
                                           "none of the devices has reported a value that can be set (a scene keeps "
                                           "writable values, such as light.on); nothing to capture"));
    }
    json::value document = json::object{{"name", name}, {"states", std::move(states)}};
    automations_.post([responder, actor, home_id, document = std::move(document)](automation::Engine& engine) {
      responder.send(answer(engine.add_scene(actor, home_id, document), 201, scene_json));
    });
  };
  for (std::size_t i = 0; i < devices->size(); ++i) {
    hub_.state(actor, (*devices)[i].id, [i, capture, &catalog, finish](hub::Result<hub::DeviceState> state) {
      json::object properties;
      if (state) properties = writable_values(*state, catalog);  // a device removed meanwhile is left out
      bool last = false;
      {
        std::lock_guard lock(capture->mutex);
        if (!properties.empty()) {
          capture->states[i] = json::object{{"device", state->device.id}, {"properties", std::move(properties)}};
        }
        last = --capture->left == 0;
      }
      if (last) finish();
    });
  }
}

std::optional<Response> Api::accept_websocket(const Request& request,
                                              const std::shared_ptr<HttpConnection>& connection) {
  if (request.path != std::string(kPrefix) + "/events") {
    return error_response(404, "not_found", "WebSocket connections are taken at /api/v1/events");
  }
  std::string_view token = request.param("token");
  if (request.authorization.starts_with("Bearer ")) token = std::string_view(request.authorization).substr(7);
  auto user = registry_.user_for_token(token);
  if (!user) return error_of(user.error());
  // Optional filters: one home, one device.
  const std::string home(request.param("home"));
  const std::string device(request.param("device"));
  if (!home.empty() && !registry_.role_of(user->id, home)) {
    return error_response(404, "not_found", fmt::format("no home '{}'", home));
  }
  if (!device.empty() && !registry_.device(user->id, device)) {
    return error_response(404, "not_found", fmt::format("no device '{}'", device));
  }
  hub::EventBus& events = hub_.events();
  std::weak_ptr<HttpConnection> weak = connection;
  net::Reactor& reactor = connection->reactor();
  const std::uint64_t id = events.subscribe(
      [this, weak, &reactor, user_id = user->id, token_hash = hub::hash_secret(token), home,
       device](const hub::DeviceEventPtr& event) {
        if (!home.empty() && event->home_id != home) return;
        if (!device.empty() && event->device_id != device) return;
        // Checked per event, so a person removed from a home, or signed out, stops seeing it at once.
        if (!registry_.role_of(user_id, event->home_id) || !registry_.token_hash_valid(token_hash)) return;
        reactor.post([weak, event] {
          if (auto alive = weak.lock()) alive->send_text_frame(event->json);
        });
      });
  connection->on_close([&events, id] { events.unsubscribe(id); });
  spdlog::debug("api: event stream opened for {}", user->name);
  return std::nullopt;
}

}  // namespace millet::api
