// `millet login|user|home|room|device ...` against a running millet, through
// its API (docs/api.md). The token `millet login` gets is kept in
// $XDG_CONFIG_HOME/millet/credentials.json (mode 0600), per server.

#include <boost/json.hpp>
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/admin_commands.h"
#include "app/http_client.h"
#include "app/print.h"
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

json::object read_credentials() {
  std::ifstream in(credentials_path());
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  return !error && value.is_object() ? value.get_object() : json::object{};
}

Expected<void, std::string> write_credentials(const json::object& credentials) {
  const auto path = credentials_path();
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return unexpected(fmt::format("cannot write {}", temporary));
    ::chmod(temporary.c_str(), 0600);  // a token is a password
    out << json::serialize(credentials) << "\n";
  }
  std::filesystem::rename(temporary, path, error);
  if (error) return unexpected(fmt::format("cannot write {}: {}", path.string(), error.message()));
  return {};
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
    return fail("no command");
  }

 private:
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

  const CLI::App& app_;
  const AdminOptions& options_;
  HttpClient client_;
};

}  // namespace

int run_remote_command(const CLI::App& app, const AdminOptions& options) {
  const std::string server = !options.server.empty() ? options.server : env_or("MILLET_SERVER", "http://127.0.0.1:8080");
  auto client = HttpClient::for_server(server);
  if (!client) return fail(client.error());
  return Remote(app, options, std::move(*client)).run();
}

}  // namespace millet::app
