// `millet login|user|home|room|device|rule|scene ...` against a running
// millet, through its API (docs/api.md). The token `millet login` gets is kept in
// $XDG_CONFIG_HOME/millet/credentials.json (mode 0600), per server.

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include <unistd.h>

#include "app/admin_commands.h"
#include "app/http_client.h"
#include "app/print.h"
#include "app/say_command.h"
#include "base/private_file.h"
#include "base/wall_clock.h"
#include "hub/registry.h"
#include "spec/value.h"

namespace millet::app {
namespace {

namespace json = boost::json;

int fail(const std::string& message) {
  fmt::print(stderr, "{}\n", message);
  return 1;
}

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : std::move(fallback);
}

std::filesystem::path credentials_path() {
  std::string base = env_or("XDG_CONFIG_HOME", "");
  if (base.empty()) base = env_or("HOME", ".") + "/.config";
  return std::filesystem::path(base) / "millet" / "credentials.json";
}

// A JSON object kept in a file of ours; {} if there is none or it is damaged.
json::object read_kept(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  return !error && value.is_object() ? value.get_object() : json::object{};
}

// Written readable by its owner only: credentials hold tokens, which are passwords.
Expected<void, std::string> write_kept(const std::filesystem::path& path, const json::object& kept) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  return write_private_file(path, json::serialize(kept) + "\n");
}

json::object read_credentials() { return read_kept(credentials_path()); }

Expected<void, std::string> write_credentials(const json::object& credentials) {
  return write_kept(credentials_path(), credentials);
}

std::string read_password(const AdminOptions& options) {
  std::string password = options.password;
  if (password.empty()) std::getline(std::cin, password);  // from a pipe: never in the shell's history
  return password;
}

// A value given on the command line: JSON if it parses (50, true, "x"), else text.
json::value parse_cli_value(std::string_view text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (!error && !value.is_object() && !value.is_array()) return value;
  return json::string(text);
}

Expected<json::object, std::string> parse_assignments(const std::vector<std::string>& values) {
  json::object out;
  for (const std::string& item : values) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return unexpected(fmt::format("'{}' is not property=value (e.g. light.brightness=50)", item));
    }
    out[item.substr(0, equals)] = parse_cli_value(std::string_view(item).substr(equals + 1));
  }
  return out;
}

// A rule's or scene's JSON document from a file, or from stdin for "-".
Expected<json::value, std::string> read_document(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file);
    if (!in) return unexpected(fmt::format("cannot read {}", file));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string where = file == "-" ? "stdin" : file;
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) return unexpected(fmt::format("{}: not JSON: {}", where, error.message()));
  if (!value.is_object()) return unexpected(fmt::format("{}: the document must be a JSON object", where));
  return value;
}

// A number given on the command line, all of it.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

class Remote {
 public:
  Remote(const CLI::App& app, const AdminOptions& options, HttpClient client)
      : app_(app), options_(options), client_(std::move(client)) {}

  int run() {
    if (parsed("login")) return login();
    if (parsed("user", "add")) return user_add();
    if (auto token = token_for_server(); !token.empty()) {
      client_.set_token(std::move(token));
    } else {
      return fail(fmt::format("not signed in to {}: run `millet login --user NAME` (or give --token)", client_.server()));
    }
    if (parsed("logout")) return logout();
    if (parsed("home", "add")) return home_add();
    if (parsed("home", "list")) return home_list();
    if (parsed("home", "share")) return home_share();
    if (parsed("room", "add")) return room_add();
    if (parsed("device", "add")) return device_add();
    if (parsed("device", "list")) return device_list();
    if (parsed("device", "get")) return device_get();
    if (parsed("device", "set")) return device_set();
    if (parsed("device", "call")) return device_call();
    if (parsed("device", "history")) return device_history();
    if (parsed("device", "rm")) return device_rm();
    if (parsed("home", "mode")) return home_mode();
    if (parsed("home", "locate")) return home_locate();
    if (parsed("rule", "add")) return rule_add();
    if (parsed("rule", "list")) return rule_list();
    if (parsed("rule", "show")) return rule_show();
    if (parsed("rule", "edit")) return rule_edit();
    if (parsed("rule", "rm")) return rule_rm();
    if (parsed("rule", "enable")) return rule_enable(true);
    if (parsed("rule", "disable")) return rule_enable(false);
    if (parsed("rule", "run")) return rule_run();
    if (parsed("rule", "trace")) return rule_trace();
    if (parsed("scene", "add")) return scene_add();
    if (parsed("scene", "list")) return scene_list();
    if (parsed("scene", "show")) return scene_show();
    if (parsed("scene", "rm")) return scene_rm();
    if (parsed("scene", "apply")) return scene_apply();
    if (parsed("scene", "capture")) return scene_capture();
    return fail("no command");
  }

  // `millet say` against the server: one sentence, or one per line from stdin, in one conversation.
  int say(const SayOptions& say) {
    if (auto token = token_for_server(); !token.empty()) {
      client_.set_token(std::move(token));
    } else {
      return fail(fmt::format("not signed in to {}: run `millet login --user NAME` (or give --token)", client_.server()));
    }
    auto home = find_home(say.home);
    if (!home) return fail(home.error());
    const std::string home_id(str(*home, "id"));
    // A follow-up on the command line ("and the bedroom too") goes on with the last conversation.
    const std::string kept = fmt::format("{} {}", client_.server(), home_id);
    std::string conversation = say.conversation;
    if (conversation.empty() && !say.fresh) conversation = recent_conversation(kept);
    const bool interactive = say.text.empty() && isatty(STDIN_FILENO);
    const auto one = [&](const std::string& text) {
      json::object body{{"text", text}};
      if (!conversation.empty()) body["conversation"] = conversation;
      if (!say.here.empty()) body["here"] = say.here;
      const json::value value = body;
      auto answer = call("POST", fmt::format("/api/v1/homes/{}/assistant", home_id), &value);
      if (!answer) return fail(answer.error());
      conversation = str(answer->as_object(), "conversation");
      keep_conversation(kept, conversation);
      if (say.json) return print_json(*answer);
      fmt::print("{}\n", str(answer->as_object(), "reply"));
      return 0;
    };
    if (interactive) fmt::print("Talking to {} in {}. An empty line starts a new conversation; Ctrl-D ends.\n",
                                client_.server(), str(*home, "name"));
    std::fflush(stdout);
    return each_sentence(say, interactive, one, [&] { conversation.clear(); });
  }

 private:
  // Conversations the command line goes on with, per server and home: $XDG_CONFIG_HOME/millet/conversations.json.
  static constexpr std::int64_t kConversationKeptMs = 10 * 60 * 1000;

  static std::filesystem::path conversations_path() { return credentials_path().parent_path() / "conversations.json"; }

  static std::string recent_conversation(const std::string& key) {
    const json::object all = read_kept(conversations_path());
    const json::value* kept = all.if_contains(key);
    if (!kept || !kept->is_object()) return {};
    const json::value* time = kept->as_object().if_contains("time");
    if (!time || !time->is_int64() || wall_clock_ms() - time->get_int64() > kConversationKeptMs) return {};
    return std::string(str(kept->as_object(), "id"));
  }

  static void keep_conversation(const std::string& key, const std::string& id) {
    json::object all = read_kept(conversations_path());
    all[key] = json::object{{"id", id}, {"time", wall_clock_ms()}};
    (void)write_kept(conversations_path(), all);  // only a convenience: a failure costs the follow-up
  }
  bool parsed(const char* group, const char* command = nullptr) const {
    const CLI::App* g = app_.get_subcommand(group);
    return g->parsed() && (!command || g->get_subcommand(command)->parsed());
  }

  std::string token_for_server() const {
    if (!options_.token.empty()) return options_.token;
    if (auto token = env_or("MILLET_TOKEN", ""); !token.empty()) return token;
    return std::string(str(read_credentials(), client_.server()));
  }

  // A call whose answer must be 2xx; prints the error otherwise.
  Expected<json::value, std::string> call(std::string_view method, const std::string& target,
                                          const json::value* body = nullptr) const {
    auto result = client_.request(method, target, body);
    if (!result) return unexpected(result.error());
    if (result->status == 401) {
      return unexpected(error_text(*result) + " — sign in again: millet login --user NAME");
    }
    if (result->status < 200 || result->status >= 300) return unexpected(error_text(*result));
    return std::move(result->body);
  }

  int print_json(const json::value& value) const {
    fmt::print("{}\n", spec::json_text(value));
    return 0;
  }

  int login() {
    const json::value body = json::object{{"user", options_.user}, {"password", read_password(options_)}, {"label", "cli"}};
    auto answer = call("POST", "/api/v1/login", &body);
    if (!answer) return fail(answer.error());
    json::object credentials = read_credentials();
    credentials[client_.server()] = answer->at("token");
    if (auto written = write_credentials(credentials); !written) return fail(written.error());
    if (options_.json) return print_json(json::object{{"server", client_.server()}, {"user", options_.user}});
    fmt::print("signed in to {} as {} (token kept in {})\n", client_.server(), options_.user, credentials_path().string());
    return 0;
  }

  int logout() {
    auto answer = call("POST", "/api/v1/logout");
    json::object credentials = read_credentials();
    credentials.erase(client_.server());
    if (auto written = write_credentials(credentials); !written) return fail(written.error());
    if (!answer) return fail(answer.error());
    fmt::print("signed out of {}\n", client_.server());
    return 0;
  }

  int user_add() {
    if (auto token = token_for_server(); !token.empty()) client_.set_token(std::move(token));
    const json::value body = json::object{{"name", options_.name}, {"password", read_password(options_)}};
    auto answer = call("POST", "/api/v1/users", &body);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("user {} ({})\n", str(answer->as_object(), "name"), str(answer->as_object(), "id"));
    return 0;
  }

  // The home by id or name; the only one when `reference` is empty.
  Expected<json::object, std::string> find_home(const std::string& reference) const {
    auto answer = call("GET", "/api/v1/homes");
    if (!answer) return unexpected(answer.error());
    const json::array& homes = answer->at("homes").as_array();
    if (reference.empty()) {
      if (homes.size() == 1) return homes[0].as_object();
      return unexpected(fmt::format("you have {} homes; say which with --home", homes.size()));
    }
    for (const auto& home : homes) {
      if (str(home.as_object(), "id") == reference || str(home.as_object(), "name") == reference) return home.as_object();
    }
    return unexpected(fmt::format("you have no home '{}'", reference));
  }

  // A device id from an id or a name (or alias) in any of your homes.
  Expected<std::string, std::string> find_device(const std::string& reference) const {
    if (reference.starts_with("d-")) return reference;
    auto answer = call("GET", "/api/v1/devices");
    if (!answer) return unexpected(answer.error());
    std::vector<std::string> found;
    for (const auto& device : answer->at("devices").as_array()) {
      const auto& o = device.as_object();
      bool match = str(o, "name") == reference;
      for (const auto& alias : o.at("aliases").as_array()) match |= alias.as_string() == reference;
      if (match) found.emplace_back(str(o, "id"));
    }
    if (found.size() == 1) return found[0];
    if (found.empty()) return unexpected(fmt::format("you have no device '{}'", reference));
    return unexpected(fmt::format("{} devices are called '{}'; use the id", found.size(), reference));
  }

  int home_add() {
    const json::value body = json::object{{"name", options_.name}};
    auto answer = call("POST", "/api/v1/homes", &body);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("home {} ({})\n", str(answer->as_object(), "name"), str(answer->as_object(), "id"));
    return 0;
  }

  int home_list() {
    auto answer = call("GET", "/api/v1/homes");
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(answer->at("homes"));
    for (const auto& home : answer->at("homes").as_array()) {
      const auto& o = home.as_object();
      fmt::print("{} {} (you: {})\n", str(o, "id"), str(o, "name"), str(o, "role"));
      for (const auto& room : o.at("rooms").as_array()) {
        fmt::print("  room   {} {}\n", str(room.as_object(), "id"), str(room.as_object(), "name"));
      }
      for (const auto& member : o.at("members").as_array()) {
        fmt::print("  member {} {}\n", str(member.as_object(), "name"), str(member.as_object(), "role"));
      }
    }
    return 0;
  }

  int home_share() {
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    const json::value body = json::object{{"user", options_.target}, {"role", options_.role}};
    auto answer = call("POST", fmt::format("/api/v1/homes/{}/members", str(*home, "id")), &body);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("{} is now {} of {}\n", options_.target, options_.role == "owner" ? "an owner" : "a " + options_.role,
               str(*home, "name"));
    return 0;
  }

  int room_add() {
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    const json::value body = json::object{{"name", options_.name}, {"floor", options_.floor}};
    auto answer = call("POST", fmt::format("/api/v1/homes/{}/rooms", str(*home, "id")), &body);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("room {} ({}) in {}\n", str(answer->as_object(), "name"), str(answer->as_object(), "id"),
               str(*home, "name"));
    return 0;
  }

  int device_add() {
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    const std::string target = fmt::format("/api/v1/homes/{}/devices", str(*home, "id"));
    json::array made;
    const std::size_t count = options_.count ? options_.count : 1;
    for (std::size_t i = 1; i <= count; ++i) {
      const std::string name = options_.count ? fmt::format("{} {}", options_.name, i) : options_.name;
      const json::value body = json::object{{"name", name}, {"type", options_.type}, {"room", options_.room}};
      auto answer = call("POST", target, &body);
      if (!answer) return fail(answer.error());
      made.push_back(std::move(*answer));
    }
    if (options_.json) return print_json(options_.count ? json::value(made) : made[0]);
    if (options_.count) {
      for (const auto& d : made) {
        fmt::print("{} {} {}\n", str(d.as_object(), "id"), str(d.as_object(), "secret"), str(d.as_object(), "name"));
      }
      return 0;
    }
    const auto& d = made[0].as_object();
    fmt::print("device {} ({}, {})\nid:     {}\nsecret: {}\n", str(d, "name"), str(d, "type"), str(*home, "name"),
               str(d, "id"), str(d, "secret"));
    fmt::print("The secret is shown once. The device connects with client id and user name {} and this secret "
               "as password (docs/device-protocol.md).\n",
               str(d, "id"));
    return 0;
  }

  int device_list() {
    std::string home_id;
    if (!options_.home.empty()) {
      auto home = find_home(options_.home);
      if (!home) return fail(home.error());
      home_id = std::string(str(*home, "id"));
    }
    auto answer = call("GET", "/api/v1/devices");
    if (!answer) return fail(answer.error());
    json::array list;
    for (const auto& device : answer->at("devices").as_array()) {
      if (home_id.empty() || str(device.as_object(), "home") == home_id) list.push_back(device);
    }
    if (options_.json) return print_json(list);
    for (const auto& device : list) {
      const auto& o = device.as_object();
      fmt::print("{:<16} {:<24} {:<20}{}\n", str(o, "id"), str(o, "name"), str(o, "type"),
                 o.at("revoked").as_bool() ? "  (revoked)" : "");
    }
    return 0;
  }

  int device_get() {
    auto id = find_device(options_.name);
    if (!id) return fail(id.error());
    auto answer = call("GET", "/api/v1/devices/" + *id);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    print_state(answer->as_object());
    return 0;
  }

  std::string wait_query() const { return options_.wait_ms >= 0 ? fmt::format("?wait={}", options_.wait_ms) : ""; }

  // A command's answer: 200 done, 202 on its way; anything else is an error.
  int command_result(Expected<HttpResult, std::string> result, std::string_view what) {
    if (!result) return fail(result.error());
    if (options_.json && (result->status == 200 || result->status == 202)) return print_json(result->body);
    if (result->status != 200 && result->status != 202) return fail(error_text(*result));
    const auto& o = result->body.as_object();
    const std::string_view status = str(o, "status");
    if (status == "ok") {
      fmt::print("{}: done\n", what);
      if (const auto* out = o.if_contains("out"); out && !out->as_object().empty()) {
        for (const auto& [name, value] : out->as_object()) fmt::print("  {} = {}\n", std::string_view(name), spec::json_text(value));
      }
    } else if (status == "queued") {
      fmt::print("{}: the device is offline; it gets the values when it connects\n", what);
    } else if (status == "timeout") {
      fmt::print("{}: sent; the device has not answered yet (the values stay wanted)\n", what);
    } else {
      fmt::print("{}: sent\n", what);
    }
    return 0;
  }

  int device_set() {
    auto id = find_device(options_.name);
    if (!id) return fail(id.error());
    auto values = parse_assignments(options_.values);
    if (!values) return fail(values.error());
    const json::value body = *values;
    return command_result(client_.request("PUT", fmt::format("/api/v1/devices/{}/properties{}", *id, wait_query()), &body),
                          "set");
  }

  int device_call() {
    auto id = find_device(options_.name);
    if (!id) return fail(id.error());
    auto arguments = parse_assignments(options_.values);
    if (!arguments) return fail(arguments.error());
    const json::value body = *arguments;
    return command_result(
        client_.request("POST", fmt::format("/api/v1/devices/{}/actions/{}{}", *id, url_encode(options_.target), wait_query()),
                        &body),
        options_.target);
  }

  int device_history() {
    auto id = find_device(options_.name);
    if (!id) return fail(id.error());
    auto answer = call("GET", fmt::format("/api/v1/devices/{}/history?property={}&from={}&to={}&level={}", *id,
                                          url_encode(options_.target), url_encode(options_.from),
                                          url_encode(options_.to), url_encode(options_.level)));
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    print_history(answer->as_object(), options_.name);
    return 0;
  }

  int device_rm() {
    auto id = find_device(options_.name);
    if (!id) return fail(id.error());
    auto answer = call("DELETE", "/api/v1/devices/" + *id);
    if (!answer) return fail(answer.error());
    fmt::print("removed device {}\n", *id);
    return 0;
  }

  // --- a home's settings ---------------------------------------------------------------

  int home_mode() {
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    const std::string target = fmt::format("/api/v1/homes/{}/settings", str(*home, "id"));
    const json::value body = json::object{{"mode", options_.target}};
    auto answer = options_.target.empty() ? call("GET", target) : call("PATCH", target, &body);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("{}: mode {}\n", str(*home, "name"), str(answer->as_object(), "mode"));
    return 0;
  }

  int home_locate() {
    const auto latitude = parse_number(options_.latitude);
    const auto longitude = parse_number(options_.longitude);
    if (!latitude || !longitude) {
      return fail(fmt::format("'{} {}' is not a place: give the latitude and the longitude in degrees, north and "
                              "east positive (millet home locate 52.52 13.405)",
                              options_.latitude, options_.longitude));
    }
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    json::object body{{"location", json::object{{"latitude", *latitude}, {"longitude", *longitude}}}};
    if (options_.time_zone) body["time_zone"] = *options_.time_zone;
    const json::value value = body;
    auto answer = call("PATCH", fmt::format("/api/v1/homes/{}/settings", str(*home, "id")), &value);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    const auto& settings = answer->as_object();
    const auto& location = settings.at("location").as_object();
    const std::string_view zone = str(settings, "time_zone");
    fmt::print("{}: at {}, {}; time zone {}\n", str(*home, "name"), spec::json_text(location.at("latitude")),
               spec::json_text(location.at("longitude")), zone.empty() ? "the server's" : zone);
    return 0;
  }

  // --- rules and scenes ----------------------------------------------------------------

  // Every rule (kind "rules") or scene ("scenes") of the home `home` names, or of
  // all your homes when it is empty; each with its home's name.
  Expected<std::vector<std::pair<json::object, std::string>>, std::string> list(std::string_view kind,
                                                                                const std::string& home) const {
    std::vector<json::object> homes;
    if (!home.empty()) {
      auto found = find_home(home);
      if (!found) return unexpected(found.error());
      homes.push_back(std::move(*found));
    } else {
      auto answer = call("GET", "/api/v1/homes");
      if (!answer) return unexpected(answer.error());
      for (const auto& h : answer->at("homes").as_array()) homes.push_back(h.as_object());
    }
    std::vector<std::pair<json::object, std::string>> found;
    for (const auto& h : homes) {
      auto answer = call("GET", fmt::format("/api/v1/homes/{}/{}", str(h, "id"), kind));
      if (!answer) return unexpected(answer.error());
      for (const auto& item : answer->at(kind).as_array()) found.emplace_back(item.as_object(), str(h, "name"));
    }
    return found;
  }

  // A rule or scene of any of your homes by id, or by name in any case (if only one has it).
  Expected<std::pair<json::object, std::string>, std::string> find(std::string_view kind,
                                                                   const std::string& reference) const {
    const std::string_view what = kind == "rules" ? "rule" : "scene";
    auto all = list(kind, "");
    if (!all) return unexpected(all.error());
    for (const auto& item : *all) {
      if (str(item.first, "id") == reference) return item;
    }
    std::vector<std::pair<json::object, std::string>> named;
    for (const auto& item : *all) {
      if (hub::same_name(str(item.first, "name"), reference)) named.push_back(item);
    }
    if (named.size() == 1) return named[0];
    if (named.empty()) return unexpected(fmt::format("you have no {} '{}'", what, reference));
    return unexpected(fmt::format("{} {}s are called '{}'; use the id", named.size(), what, reference));
  }

  int rule_add() {
    auto document = read_document(options_.file);
    if (!document) return fail(document.error());
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    auto answer = call("POST", fmt::format("/api/v1/homes/{}/rules", str(*home, "id")), &*document);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("rule {} ({}) in {}\n", str(answer->as_object(), "name"), str(answer->as_object(), "id"),
               str(*home, "name"));
    return 0;
  }

  int rule_list() {
    auto rules = list("rules", options_.home);
    if (!rules) return fail(rules.error());
    if (options_.json) {
      json::array out;
      for (const auto& [rule, home] : *rules) out.push_back(rule);
      return print_json(out);
    }
    for (const auto& [rule, home] : *rules) {
      const auto* last = rule.if_contains("last_run");
      const std::string_view problem = str(rule, "problem");
      fmt::print("{:<16} {:<32} {:<9} last run {:<19}  {}\n", str(rule, "id"), str(rule, "name"),
                 rule.at("enabled").as_bool() ? "enabled" : "disabled",
                 last && !last->is_null() ? format_time(last->to_number<std::int64_t>()) : "never", home);
      if (!problem.empty()) fmt::print("  problem: {}\n", problem);
    }
    return 0;
  }

  int rule_show() {
    auto rule = find("rules", options_.name);
    if (!rule) return fail(rule.error());
    if (options_.json) return print_json(rule->first);
    print_rule(rule->first, rule->second);
    return 0;
  }

  int rule_edit() {
    auto document = read_document(options_.file);
    if (!document) return fail(document.error());
    auto rule = find("rules", options_.name);
    if (!rule) return fail(rule.error());
    auto answer = call("PUT", fmt::format("/api/v1/rules/{}", str(rule->first, "id")), &*document);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("rule {} ({}) changed\n", str(answer->as_object(), "name"), str(answer->as_object(), "id"));
    return 0;
  }

  int rule_rm() {
    auto rule = find("rules", options_.name);
    if (!rule) return fail(rule.error());
    auto answer = call("DELETE", fmt::format("/api/v1/rules/{}", str(rule->first, "id")));
    if (!answer) return fail(answer.error());
    fmt::print("removed rule {} ({})\n", str(rule->first, "name"), str(rule->first, "id"));
    return 0;
  }

  int rule_enable(bool enable) {
    auto rule = find("rules", options_.name);
    if (!rule) return fail(rule.error());
    auto answer = call("POST", fmt::format("/api/v1/rules/{}/{}", str(rule->first, "id"), enable ? "enable" : "disable"));
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("rule {} {}\n", str(answer->as_object(), "name"), enable ? "enabled" : "disabled");
    return 0;
  }

  int rule_run() {
    auto rule = find("rules", options_.name);
    if (!rule) return fail(rule.error());
    auto answer = call("POST", fmt::format("/api/v1/rules/{}/run", str(rule->first, "id")));
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    const auto& o = answer->as_object();
    if (o.at("run").is_null()) {
      fmt::print("rule {}: {}\n", str(rule->first, "name"), str(o, "message"));
    } else {
      fmt::print("rule {}: run {} started (millet rule trace {} shows what it did)\n", str(rule->first, "name"),
                 o.at("run").to_number<std::uint64_t>(), str(rule->first, "id"));
    }
    return 0;
  }

  int rule_trace() {
    auto rule = find("rules", options_.name);
    if (!rule) return fail(rule.error());
    auto answer = call("GET", fmt::format("/api/v1/rules/{}/traces", str(rule->first, "id")));
    if (!answer) return fail(answer.error());
    json::array traces = answer->at("traces").as_array();
    if (traces.size() > options_.last) traces.erase(traces.begin() + static_cast<std::ptrdiff_t>(options_.last), traces.end());
    if (options_.json) return print_json(traces);
    if (traces.empty()) fmt::print("rule {} has not run yet\n", str(rule->first, "name"));
    for (std::size_t i = 0; i < traces.size(); ++i) {
      if (i > 0) fmt::print("\n");
      print_trace(traces[i].as_object());
    }
    return 0;
  }

  int scene_add() {
    auto document = read_document(options_.file);
    if (!document) return fail(document.error());
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    auto answer = call("POST", fmt::format("/api/v1/homes/{}/scenes", str(*home, "id")), &*document);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("scene {} ({}) in {}\n", str(answer->as_object(), "name"), str(answer->as_object(), "id"),
               str(*home, "name"));
    return 0;
  }

  // How many devices a scene sets.
  static std::size_t devices_of(const json::object& scene) {
    const auto* document = scene.at("document").if_object();
    const auto* states = document ? document->if_contains("states") : nullptr;
    return states && states->is_array() ? states->get_array().size() : 0;
  }

  int scene_list() {
    auto scenes = list("scenes", options_.home);
    if (!scenes) return fail(scenes.error());
    if (options_.json) {
      json::array out;
      for (const auto& [scene, home] : *scenes) out.push_back(scene);
      return print_json(out);
    }
    for (const auto& [scene, home] : *scenes) {
      fmt::print("{:<16} {:<32} {:>3} device(s)  {}\n", str(scene, "id"), str(scene, "name"), devices_of(scene), home);
    }
    return 0;
  }

  int scene_show() {
    auto scene = find("scenes", options_.name);
    if (!scene) return fail(scene.error());
    if (options_.json) return print_json(scene->first);
    fmt::print("{} ({}) in {}\n{}\n", str(scene->first, "name"), str(scene->first, "id"), scene->second,
               pretty_json(scene->first.at("document")));
    return 0;
  }

  int scene_rm() {
    auto scene = find("scenes", options_.name);
    if (!scene) return fail(scene.error());
    auto answer = call("DELETE", fmt::format("/api/v1/scenes/{}", str(scene->first, "id")));
    if (!answer) return fail(answer.error());
    fmt::print("removed scene {} ({})\n", str(scene->first, "name"), str(scene->first, "id"));
    return 0;
  }

  int scene_apply() {
    auto scene = find("scenes", options_.name);
    if (!scene) return fail(scene.error());
    auto answer = call("POST", fmt::format("/api/v1/scenes/{}/apply", str(scene->first, "id")));
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    fmt::print("scene {}: sent to {} device(s)\n", str(scene->first, "name"),
               answer->at("devices").to_number<std::int64_t>());
    return 0;
  }

  int scene_capture() {
    auto home = find_home(options_.home);
    if (!home) return fail(home.error());
    json::object body{{"name", options_.name}};
    if (!options_.values.empty()) body["devices"] = json::array(options_.values.begin(), options_.values.end());
    const json::value value = body;
    auto answer = call("POST", fmt::format("/api/v1/homes/{}/scenes/capture", str(*home, "id")), &value);
    if (!answer) return fail(answer.error());
    if (options_.json) return print_json(*answer);
    const auto& scene = answer->as_object();
    fmt::print("scene {} ({}) in {}: {} device(s)\n", str(scene, "name"), str(scene, "id"), str(*home, "name"),
               devices_of(scene));
    for (const auto& state : scene.at("document").at("states").as_array()) {
      std::string line = fmt::format("  {}:", str(state.as_object(), "device"));
      for (const auto& [property, v] : state.at("properties").as_object()) {
        line += fmt::format(" {}={}", std::string_view(property), spec::json_text(v));
      }
      fmt::print("{}\n", line);
    }
    return 0;
  }

  const CLI::App& app_;
  const AdminOptions& options_;
  HttpClient client_;
};

}  // namespace

int say_to_server(const CLI::App& command, const SayOptions& say) {
  const std::string server = !say.server.empty() ? say.server : env_or("MILLET_SERVER", "http://127.0.0.1:8080");
  auto client = HttpClient::for_server(server);
  if (!client) return fail(client.error());
  AdminOptions options;
  options.token = say.token;
  return Remote(command, options, std::move(*client)).say(say);
}

int run_remote_command(const CLI::App& app, const AdminOptions& options) {
  const std::string server = !options.server.empty() ? options.server : env_or("MILLET_SERVER", "http://127.0.0.1:8080");
  auto client = HttpClient::for_server(server);
  if (!client) return fail(client.error());
  return Remote(app, options, std::move(*client)).run();
}

}  // namespace millet::app
