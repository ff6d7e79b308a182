#pragma once
// The options of `millet serve`: flags and config-file keys are the same names.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "mqtt/broker_config.h"

namespace millet::app {

// A listener's port: a number (0 picks a free one) or "off".
struct Port {
  std::optional<std::uint16_t> value;  // nullopt: disabled
};

struct ServeOptions {
  std::string data_dir = "data";
  std::string spec_dir;  // empty: default_spec_dir()
  std::string web_dir;   // empty: web/dist of this millet if built; "off": no web app
  std::string bind = "127.0.0.1";
  std::string mqtt_port = "1883";
  std::string ws_port = "8083";
  std::string http_port = "8080";
  std::string mqtts_port = "8883";
  std::string wss_port = "8084";
  std::string tls_cert;
  std::string tls_key;
  unsigned threads = 0;  // 0: one per core
  double connect_timeout_seconds = 10;
  std::string log_level = "info";
  bool deny_anonymous = false;  // refuse MQTT clients without credentials
  bool open_signup = false;     // anyone may create an account through the API
  bool demo = false;            // make the demo home on a new data dir, and simulate its devices
  std::string demo_file;        // empty: default_demo_file()
  std::string assistant_fallback;  // an OpenAI-compatible server's URL; empty: no fallback
  std::string assistant_model;     // the model to ask it for; empty: its default
  mqtt::BrokerConfig broker;
};

// Adds the `serve` subcommand and its flags to `app`, and --config, which reads
// the same keys from a TOML/INI file (top-level keys belong to `serve`).
CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);

// Parses a port option; throws CLI::ValidationError on a bad value.
Port parse_port(const std::string& text);

// Runs the server until SIGINT or SIGTERM. Returns the process exit code.
int serve(ServeOptions options);

}  // namespace millet::app
