// `millet serve`: open the store, restore the broker, listen, run until a signal.

#ifdef MILLET_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <future>
#include <thread>

#include "api/api.h"
#include "assistant/service.h"
#include "app/assistant_fallback.h"
#include "app/demo.h"
#include "app/paths.h"
#include "app/process.h"
#include "app/webhooks.h"
#include "automation/service.h"
#include "app/serve_options.h"
#include "app/spec_command.h"
#include "hub/device_gateway.h"
#include "hub/history.h"
#include "hub/history_pruner.h"
#include "hub/hub.h"
#include "hub/registry.h"
#include "mqtt/broker.h"
#include "net/listener.h"
#include "net/tls_layer.h"
#include "net/websocket_layer.h"
#include "spec/catalog.h"
#include "store/kv_store.h"

namespace millet::app {
namespace {

void set_up_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("millet");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

std::string allocator_name() {
#ifdef MILLET_JEMALLOC
  const char* version = nullptr;
  std::size_t size = sizeof version;
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version) return std::string("jemalloc ") + version;
  return "jemalloc";
#else
  return "the C library's malloc";
#endif
}

// The web app's files: from --web-dir (which must hold them), or from web/dist beside this
// millet when it has been built; null when there are none to serve.
Expected<std::shared_ptr<const api::StaticFiles>, std::string> load_web_app(const std::string& option) {
  if (option == "off") return std::shared_ptr<const api::StaticFiles>();
  const std::string directory = option.empty() ? in_this_millet("web/dist", "index.html", MILLET_SOURCE_WEB_DIR)
                                                : option;
  auto files = api::StaticFiles::load(directory);
  if (!files) {
    if (!option.empty()) return unexpected("--web-dir: " + files.error());
    spdlog::info("web app: not built ({}); the HTTP port serves the API alone", files.error());
    return std::shared_ptr<const api::StaticFiles>();
  }
  spdlog::info("web app: {} files, {} KiB, from {}", files->file_count(), files->total_bytes() / 1024, directory);
  return std::make_shared<const api::StaticFiles>(std::move(*files));
}

std::string url(std::string_view scheme, const net::Endpoint& endpoint, std::string_view path) {
  return std::string(scheme) + "://" + endpoint.to_string() + std::string(path);
}

struct ListenerPlan {
  std::string name;
  std::string scheme;
  std::string path;
  Port port;
  std::function<std::vector<std::unique_ptr<net::Layer>>()> make_layers;
  bool api = false;  // the HTTP API, not MQTT
};

// What the demo home is made in and simulated with.
struct DemoParts {
  hub::Registry& registry;
  automation::Automations& automations;
  hub::History& history;
  store::KvStore& store;
  const spec::Catalog& catalog;
};

// Makes the demo home on a data directory without users, or reads the one made before,
// and starts simulating its devices against our own MQTT listener. Null when there is no
// demo to run (said in the log); an error only when making or reading it failed.
Expected<std::unique_ptr<sim::Simulator>, std::string> start_demo(const ServeOptions& options,
                                                                  const net::Listener* mqtt, const DemoParts& parts,
                                                                  DemoHome& demo) {
  const auto saved = demo_file_in(options.data_dir);
  std::error_code error;
  if (std::filesystem::exists(saved, error)) {
    auto loaded = load_demo_home(saved);
    if (!loaded) return unexpected("--demo: " + loaded.error());
    demo = std::move(*loaded);
  } else if (parts.registry.user_count() == 0) {
    const std::string description = options.demo_file.empty() ? default_demo_file() : options.demo_file;
    auto made = make_demo_home(description, parts.registry, parts.automations);
    if (!made) return unexpected("--demo: " + made.error());
    demo = std::move(*made);
    if (auto kept = save_demo_home(saved, demo); !kept) return unexpected("--demo: " + kept.error());
    auto seeded = seed_demo_history(demo, parts.catalog, parts.history, parts.store, 7);
    if (!seeded) return unexpected("--demo: " + seeded.error());
    spdlog::info("demo: made the home '{}' with {} devices from {}, and {} values of the past week's history",
                 demo.home, demo.devices.size(), description, *seeded);
  } else {
    spdlog::warn("demo: this data directory has users and no demo home ({} is missing): none is made", saved.string());
    return std::unique_ptr<sim::Simulator>();
  }
  if (!mqtt) {
    spdlog::warn("demo: the MQTT listener is off (--mqtt-port): the demo devices are not simulated");
    return std::unique_ptr<sim::Simulator>();
  }
  sim::SimulatorOptions connect;
  const net::Endpoint& endpoint = mqtt->endpoint();
  connect.host = endpoint.address == "0.0.0.0" ? "127.0.0.1" : endpoint.address == "::" ? "::1" : endpoint.address;
  connect.port = endpoint.port;
  connect.on_problem = [](std::string_view device, std::string_view message) {
    spdlog::warn("demo device {}: {}", device, message);
  };
  auto simulator = sim::Simulator::create(parts.catalog, demo.devices, std::move(connect));
  if (!simulator) return unexpected("--demo: " + simulator.error());
  (*simulator)->start();
  return std::move(*simulator);
}

}  // namespace

int serve(ServeOptions options) {
  set_up_logging(options.log_level);

  // Signals are taken by sigwait below; every thread inherits this mask.
  sigset_t signals = block_stop_signals();
  // Connections and store files share the open-file limit: take all we may.
  if (const auto limit = raise_open_file_limit()) {
    spdlog::debug("open-file limit: {} (about that many connections at most)", *limit);
  }
  spdlog::debug("memory allocator: {}", allocator_name());

  if (options.tls_cert.empty() != options.tls_key.empty()) {
    spdlog::error("TLS needs both --tls-cert and --tls-key");
    return 2;
  }
  std::shared_ptr<net::TlsContext> tls;
  if (!options.tls_cert.empty()) {
    auto loaded = net::TlsContext::load(options.tls_cert, options.tls_key);
    if (!loaded) {
      spdlog::error("{}", loaded.error());
      return 1;
    }
    tls = *loaded;
  }

  const std::string spec_dir = options.spec_dir.empty() ? default_spec_dir() : options.spec_dir;
  auto catalog = spec::Catalog::load(spec_dir);
  if (!catalog) {
    spdlog::error("the device catalog in {} does not load:\n{}", spec_dir, catalog.error());
    return 1;
  }
  spdlog::info("catalog: {} device types, {} services from {}", catalog->device_types().size(),
               catalog->services().size(), spec_dir);

  std::error_code filesystem_error;
  std::filesystem::create_directories(options.data_dir, filesystem_error);
  if (filesystem_error) {
    spdlog::error("cannot create the data directory {}: {}", options.data_dir, filesystem_error.message());
    return 1;
  }
  const std::string store_directory = (std::filesystem::path(options.data_dir) / "store").string();
  auto opened = store::open_rocksdb_store(store_directory);
  if (!opened) {
    spdlog::error("{}", opened.error());
    return 1;
  }
  std::unique_ptr<store::KvStore> store = std::move(*opened);

  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (threads > 64) {
    spdlog::warn("using 64 reactor threads, the most millet runs");
    threads = 64;
  }
  options.broker.connect_timeout =
      std::chrono::milliseconds(static_cast<long>(options.connect_timeout_seconds * 1000));
  net::ReactorPool reactors(threads);
  mqtt::Broker broker(options.broker, reactors, *store);
  if (auto restored = broker.restore(); !restored) {
    spdlog::error("cannot restore from {}: {}", store_directory, restored.error());
    return 1;
  }

  // The hub: the registry, and the device protocol as the broker's gateway.
  auto registry = hub::Registry::open(*store, *catalog);
  if (!registry) {
    spdlog::error("cannot read the registry from {}: {}", store_directory, registry.error());
    return 1;
  }
  hub::History history(*store);
  hub::DeviceGateway gateway(**registry, history, *store, threads, {.allow_anonymous = !options.deny_anonymous});
  if (auto loaded = hub::ShadowTable::load(*store, [&](std::string_view device_id) -> hub::ShadowTable& {
        return gateway.shadows(broker.home_shard(device_id).index());
      });
      !loaded) {
    spdlog::error("cannot read the device shadows from {}: {}", store_directory, loaded.error());
    return 1;
  }
  broker.set_gateway(&gateway);
  gateway.attach(broker);
  hub::Hub hub(**registry, history, gateway, broker);
  automation::Automations automations(*store, hub, make_webhook_sender());
  gateway.observe(&automations);
  auto web = load_web_app(options.web_dir);
  if (!web) {
    spdlog::error("{}", web.error());
    return 1;
  }
  const bool serving_web = *web != nullptr;
  assistant::Rewriter fallback;
  if (!options.assistant_fallback.empty()) {
    if (!options.assistant_fallback.starts_with("http://") && !options.assistant_fallback.starts_with("https://")) {
      spdlog::error("--assistant-fallback {}: give the chat server's http:// or https:// URL", options.assistant_fallback);
      return 2;
    }
    const char* key = std::getenv("MILLET_ASSISTANT_API_KEY");
    fallback = make_fallback({options.assistant_fallback, options.assistant_model, key ? key : ""});
    spdlog::info("assistant: sentences it does not understand go to {}", options.assistant_fallback);
  }
  assistant::Service assistant(hub, automations, std::chrono::seconds(3), std::move(fallback));
  api::Api api(hub, automations, {.open_signup = options.open_signup, .web = std::move(*web), .assistant = &assistant});
  hub::HistoryPruner pruner(**registry, history, *store);
  pruner.start(std::chrono::minutes(1), std::chrono::hours(1));
  (*registry)->on_credentials_withdrawn([&broker](const std::string& device_id) {
    broker.disconnect_client(device_id, mqtt::ReasonCode::kNotAuthorized, "the device's credentials were withdrawn");
  });

  const std::uint64_t max_frame = std::uint64_t{options.broker.max_packet_size} + 1024;
  auto websocket = [max_frame](bool health) {
    return std::make_unique<net::WebSocketLayer>(
        net::WebSocketOptions{.path = "/mqtt", .serve_health = health, .max_frame_size = max_frame});
  };
  std::vector<ListenerPlan> plans;
  plans.push_back({"mqtt", "mqtt", "", parse_port(options.mqtt_port), {}});
  plans.push_back({"ws", "ws", "/mqtt", parse_port(options.ws_port), [websocket] {
                     std::vector<std::unique_ptr<net::Layer>> layers;
                     layers.push_back(websocket(false));
                     return layers;
                   }});
  plans.push_back({"http", "http", "/api/v1/", parse_port(options.http_port), {}, true});
  if (tls) {
    plans.push_back({"mqtts", "mqtts", "", parse_port(options.mqtts_port), [tls] {
                       std::vector<std::unique_ptr<net::Layer>> layers;
                       layers.push_back(std::make_unique<net::TlsLayer>(tls));
                       return layers;
                     }});
    plans.push_back({"wss", "wss", "/mqtt", parse_port(options.wss_port), [tls, websocket] {
                       std::vector<std::unique_ptr<net::Layer>> layers;
                       layers.push_back(std::make_unique<net::TlsLayer>(tls));
                       layers.push_back(websocket(false));
                       return layers;
                     }});
  }

  std::vector<std::unique_ptr<net::Listener>> listeners;
  std::vector<std::string> urls;
  for (auto& plan : plans) {
    if (!plan.port.value) continue;
    net::Reactor& home = reactors.at(listeners.size() % reactors.size());
    auto listener = net::Listener::open(
        reactors, home, {.name = plan.name, .bind_address = options.bind, .port = *plan.port.value,
                         .make_layers = plan.make_layers},
        plan.api ? net::Listener::AcceptHandler(
                       [&api](std::shared_ptr<net::Stream> stream) { api::HttpConnection::start(std::move(stream), api); })
                 : [&broker](std::shared_ptr<net::Stream> stream) { broker.accept(std::move(stream)); });
    if (!listener) {
      spdlog::error("{}", listener.error());
      return 1;
    }
    urls.push_back(url(plan.scheme, (*listener)->endpoint(), plan.path));
    listeners.push_back(std::move(*listener));
  }

  reactors.start();
  // The engine asks the shards for the values its rules read: after the reactors start.
  if (auto started = automations.start(); !started) {
    spdlog::error("cannot start the automations: {}", started.error());
    reactors.stop_and_join();
    return 1;
  }
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    listeners[i]->start();
    spdlog::info("listening {} on {}", listeners[i]->options().name, urls[i]);
  }
  spdlog::info("{} reactor threads, data in {}", threads, options.data_dir);
  const auto listener_named = [&listeners](std::string_view name) -> const net::Listener* {
    for (const auto& listener : listeners) {
      if (listener->options().name == name) return listener.get();
    }
    return nullptr;
  };
  const net::Listener* mqtt = listener_named("mqtt");
  const net::Listener* http = listener_named("http");
  if (mqtt) spdlog::info("try: mosquitto_sub -h {} -p {} -t '#' -v", mqtt->endpoint().address, mqtt->endpoint().port);
  if (http && serving_web) spdlog::info("open the web app: {}", url("http", http->endpoint(), "/"));
  spdlog::info("ready");

  DemoHome demo;
  std::unique_ptr<sim::Simulator> demo_devices;
  if (options.demo) {
    auto started = start_demo(options, mqtt, {**registry, automations, history, *store, *catalog}, demo);
    if (!started) {
      spdlog::error("{}", started.error());
    } else if ((demo_devices = std::move(*started))) {
      // The sign-in goes last, where it is seen; the devices have a few seconds to connect.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (demo_devices->counts().online < demo.devices.size() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      spdlog::info("demo: {} of {} devices of '{}' simulated and online", demo_devices->counts().online,
                   demo.devices.size(), demo.home);
    }
    if (http && !demo.user.empty()) {
      spdlog::info("demo: sign in at {} as {} with password {} (kept in {})", url("http", http->endpoint(), "/"),
                   demo.user, demo.password, demo_file_in(options.data_dir).string());
    }
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("{}: shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  if (demo_devices) demo_devices->stop();  // they leave before the broker goes
  for (auto& listener : listeners) listener->stop();
  pruner.stop();
  std::promise<void> finished;
  broker.shut_down([&finished] { finished.set_value(); });
  if (finished.get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    spdlog::warn("shutdown took longer than 10 s; stopping anyway");
  }
  // After the broker: requests still open are answered until the reactors stop.
  automations.stop();
  reactors.stop_and_join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace millet::app
