#include "app/serve_options.h"

#include <charconv>

namespace millet::app {

Port parse_port(const std::string& text) {
  if (text == "off") return Port{};
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 65535) {
    throw CLI::ValidationError("port", "'" + text + "' is not a port (0-65535, 0 = any free port) or off");
  }
  return Port{static_cast<std::uint16_t>(value)};
}

namespace {

// CLI11 reads config files on the main app only; this formatter files keys
// outside any [section] under `serve`, so a config file reads like the flags.
class ServeConfigFile : public CLI::ConfigTOML {
 public:
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    auto items = CLI::ConfigTOML::from_config(input);
    for (auto& item : items) {
      if (item.parents.empty() && item.name != "++" && item.name != "--") item.parents.push_back("serve");
    }
    return items;
  }
};

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& o) {
  CLI::App& command = *app.add_subcommand(
      "serve",
      "Run the server: the MQTT broker (TCP, WebSocket, TLS) with the device protocol, the HTTP API\n"
      "with its event stream, the automation engine (rules, scenes), and the embedded store.\n"
      "Every listener binds --bind; a port of 0 picks a free one and off disables it. Each listener\n"
      "logs the address it bound, then 'ready'. SIGINT or SIGTERM stops it cleanly.\n"
      "The options can also come from a file: millet serve --config FILE (TOML/INI, keys as below,\n"
      "e.g. mqtt-port = 1883); options given on the command line win.");
  command.fallthrough();  // --config belongs to the main app but reads naturally after `serve`
  app.set_config("--config", "", "Read `serve` options from a TOML/INI file (keys are the flag names, e.g. "
                                 "mqtt-port = 1883); flags on the command line win");
  app.config_formatter(std::make_shared<ServeConfigFile>());

  const auto port_check = CLI::Validator(
      [](std::string& text) {
        try {
          parse_port(text);
          return std::string();
        } catch (const CLI::ValidationError& e) {
          return std::string(e.what());
        }
      },
      "PORT|off");

  command.add_option("--data-dir", o.data_dir, "Directory for the embedded store (created if missing)")
      ->capture_default_str();
  command.add_option("--spec-dir", o.spec_dir, "Device catalog folder, checked at start (default: spec/ of this millet)");
  command.add_option("--web-dir", o.web_dir,
                     "The web app's built files, served on the HTTP port outside /api/ (default: web/dist of this "
                     "millet, if built; off: none)");
  command.add_flag("--demo", o.demo,
                   "A living demo: on a data directory without users, make the demo home (--demo-file: rooms, ~35 "
                   "devices, scenes, rules; user demo with a password made at random, kept in DATA_DIR/demo.json), "
                   "and on every start with --demo simulate its devices in this process (as `millet sim` does)");
  command.add_option("--demo-file", o.demo_file, "The demo home's description (default: demo/home.json of this millet)");
  command.add_option("--assistant-fallback", o.assistant_fallback,
                     "An OpenAI-compatible chat server (its base URL, e.g. http://127.0.0.1:8000/v1) the assistant asks to "
                     "rewrite sentences it does not understand; its API key, if any, from $MILLET_ASSISTANT_API_KEY "
                     "(default: none, no fallback)");
  command.add_option("--assistant-model", o.assistant_model, "The model the fallback asks for (default: the server's)");
  command.add_flag("--deny-anonymous", o.deny_anonymous,
                   "Refuse MQTT clients without credentials (devices always need theirs)");
  command.add_flag("--open-signup", o.open_signup,
                   "Let anyone create an account through the API (otherwise: the first account, then signed-in users)");
  command.add_option("--bind", o.bind, "Address every listener binds (0.0.0.0 or :: for all interfaces)")
      ->capture_default_str();
  command.add_option("--mqtt-port", o.mqtt_port, "MQTT over TCP; 0 picks a free port, off disables")
      ->check(port_check)
      ->capture_default_str();
  command.add_option("--ws-port", o.ws_port, "MQTT over WebSocket (path /mqtt); 0 = free port, off disables")
      ->check(port_check)
      ->capture_default_str();
  command.add_option("--http-port", o.http_port, "The HTTP API (/api/v1/..., docs/api.md) and /healthz; off disables")
      ->check(port_check)
      ->capture_default_str();
  command.add_option("--mqtts-port", o.mqtts_port, "MQTT over TLS (only with --tls-cert and --tls-key)")
      ->check(port_check)
      ->capture_default_str();
  command.add_option("--wss-port", o.wss_port, "MQTT over secure WebSocket (only with --tls-cert and --tls-key)")
      ->check(port_check)
      ->capture_default_str();
  command.add_option("--tls-cert", o.tls_cert, "PEM certificate chain for the TLS listeners")->check(CLI::ExistingFile);
  command.add_option("--tls-key", o.tls_key, "PEM private key for the TLS listeners")->check(CLI::ExistingFile);
  command.add_option("--threads", o.threads, "Reactor threads (0 = one per core, at most 64)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();

  auto& b = o.broker;
  command.add_option("--max-packet-size", b.max_packet_size, "Largest MQTT packet accepted, in bytes")
      ->check(CLI::Range(64u, 268435460u))
      ->capture_default_str();
  command.add_option("--connect-timeout", o.connect_timeout_seconds, "Seconds a new connection has to send CONNECT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command.add_option("--max-keepalive", b.max_keepalive, "Longest keep alive granted to v5 clients, in seconds")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  command.add_option("--receive-max", b.receive_maximum, "Unacknowledged QoS 1/2 messages a v5 client may send")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  command.add_option("--max-inflight", b.max_inflight, "Unacknowledged QoS 1/2 messages sent to one client")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  command.add_option("--max-queued", b.max_queued_messages, "Messages queued per session beyond those in flight")
      ->capture_default_str();
  command.add_option("--topic-alias-max", b.topic_alias_maximum, "Topic aliases a v5 client may set (0 = none)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  command.add_option("--max-session-expiry", b.max_session_expiry,
                     "Longest session expiry granted, in seconds, also for 3.1.1 sessions without clean "
                     "session (4294967295 = never)")
      ->capture_default_str();
  command.add_option("--log-level", o.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  return &command;
}

}  // namespace millet::app
