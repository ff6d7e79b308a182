// The engine, case by case (testdata/engine/*.json): each case is a home with
// devices, scenes and rules, then steps — device reports, events, connections,
// clock steps, manual runs, webhooks, a restart — and what must follow: the
// commands the hub sends to devices and the runs' traces.
//
// Everything is real but the sockets and the clock: the registry, the broker's
// shards, the gateway (reports enter it as the broker hands them over), the
// hub and the store. Commands are read from the hub's event stream ("desired",
// "action", "notification", "mode"), which is what the API shows people. Time
// is a clock the test steps, so a five-minute delay takes no time.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "automation/parse.h"
#include "automation/service.h"
#include "hub/device_gateway.h"
#include "hub/hub.h"
#include "mqtt/broker.h"
#include "net/reactor.h"
#include "spec/value.h"

namespace millet::automation {
namespace {

namespace json = boost::json;

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(MILLET_AUTOMATION_TESTDATA "/engine")) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// `expected` is found in `actual`: objects by their keys (others may be there too),
// arrays element by element with the same length, "~text" as a part of a string.
bool contains(const json::value& actual, const json::value& expected, std::string& where) {
  if (expected.is_object()) {
    if (!actual.is_object()) return where = "not an object: " + json::serialize(actual), false;
    for (const auto& [key, value] : expected.as_object()) {
      const json::value* found = actual.as_object().if_contains(key);
      if (!found) return where = fmt::format("no \"{}\" in {}", std::string_view(key), json::serialize(actual)), false;
      if (!contains(*found, value, where)) return where = fmt::format("{}: {}", std::string_view(key), where), false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.as_array().size() != expected.as_array().size()) {
      return where = fmt::format("wanted {} items, got {}", expected.as_array().size(), json::serialize(actual)), false;
    }
    for (std::size_t i = 0; i < expected.as_array().size(); ++i) {
      if (!contains(actual.as_array()[i], expected.as_array()[i], where)) {
        return where = fmt::format("[{}]: {}", i, where), false;
      }
    }
    return true;
  }
  if (expected.is_string() && expected.as_string().starts_with("~")) {
    const std::string_view part = std::string_view(expected.as_string()).substr(1);
    if (actual.is_string() && std::string_view(actual.as_string()).find(part) != std::string_view::npos) return true;
    return where = fmt::format("'{}' is not in {}", part, json::serialize(actual)), false;
  }
  if (expected.is_number() && actual.is_number() && expected.to_number<double>() == actual.to_number<double>()) {
    return true;
  }
  if (expected == actual) return true;
  return where = fmt::format("wanted {}, got {}", json::serialize(expected), json::serialize(actual)), false;
}

class EngineCase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string path = std::string(MILLET_AUTOMATION_TESTDATA "/engine/") + GetParam() + ".json";
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    case_ = json::parse(text.str()).as_object();

    auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
    ASSERT_TRUE(catalog) << catalog.error();
    catalog_ = std::make_unique<spec::Catalog>(std::move(*catalog));
    registry_ = std::move(*hub::Registry::open(*store_, *catalog_, hub::PasswordHasher(hub::PasswordHasher::Cost::kFast)));
    alice_ = registry_->add_user("alice", "alice-password")->id;
    home_ = registry_->add_home(alice_, "Flat")->id;
    for (const auto& d : case_.at("devices").as_array()) {
      auto added = registry_->add_device(alice_, home_, std::string(d.at("name").as_string()),
                                         std::string(d.at("type").as_string()));
      ASSERT_TRUE(added) << added.error().message;
      devices_[std::string(d.at("name").as_string())] = added->device.id;
      names_[added->device.id] = std::string(d.at("name").as_string());
    }
    gateway_ = std::make_unique<hub::DeviceGateway>(*registry_, history_, *store_, 1);
    broker_ = std::make_unique<mqtt::Broker>(mqtt::BrokerConfig{}, reactors_, *store_);
    broker_->set_gateway(gateway_.get());
    gateway_->attach(*broker_);
    hub_ = std::make_unique<hub::Hub>(*registry_, history_, *gateway_, *broker_);
    gateway_->events().subscribe([this](const hub::DeviceEventPtr& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(json::parse(event->json).as_object());
    });
    reactors_.start();

    // The clock starts at the case's "start", in the home's time zone.
    const json::object& home = case_.at("home").as_object();
    const std::string zone_name = home.contains("time_zone") ? std::string(home.at("time_zone").as_string()) : "UTC";
    auto zone = TimeZone::named(zone_name);
    ASSERT_TRUE(zone) << zone.error();
    zone_ = std::make_unique<TimeZone>(*zone);
    clock_.set(parse_time(std::string(case_.at("start").as_string())));
    start_engine();

    // Devices are online unless the case says otherwise.
    for (const auto& d : case_.at("devices").as_array()) {
      if (const auto* online = d.as_object().if_contains("online"); online && !online->as_bool()) continue;
      on_shard([this, id = devices_.at(std::string(d.at("name").as_string()))] {
        gateway_->on_connected(0, mqtt::ClientRole::kDevice, id);
      });
    }
    std::optional<std::string> mode;
    std::optional<GeoLocation> location;
    if (const auto* m = home.if_contains("mode")) mode = std::string(m->as_string());
    if (const auto* l = home.if_contains("location")) {
      location = GeoLocation{l->as_array().at(0).to_number<double>(), l->as_array().at(1).to_number<double>()};
    }
    engine([&](Engine& e) {
      auto changed = e.change_settings(alice_, home_, mode, location, zone_name);
      ASSERT_TRUE(changed) << changed.error().message;
    });
    if (const auto* scenes = case_.if_contains("scenes")) {
      for (const auto& scene : scenes->as_array()) {
        engine([&](Engine& e) {
          auto added = e.add_scene(alice_, home_, scene);
          ASSERT_TRUE(added) << added.error().message;
        });
      }
    }
    for (const auto& rule : case_.at("rules").as_array()) {
      engine([&](Engine& e) {
        auto added = e.add_rule(alice_, home_, rule);
        ASSERT_TRUE(added) << added.error().message;
      });
    }
    settle();
    take_commands();
  }

  void TearDown() override {
    if (automations_) automations_->stop();
    reactors_.stop_and_join();
  }

  void start_engine() {
    automations_ = std::make_unique<Automations>(*store_, *hub_, nullptr, &clock_);
    gateway_->observe(automations_.get());
    auto started = automations_->start();
    ASSERT_TRUE(started) << started.error();
  }
  void restart_engine() {
    automations_->stop();
    gateway_->observe(nullptr);
    automations_.reset();
    start_engine();
  }

  // "2026-11-21 18:30" in the home's zone.
  std::int64_t parse_time(const std::string& text) {
    int year, month, day, hour, minute;
    EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &year, &month, &day, &hour, &minute), 5) << text;
    return zone_->to_epoch_ms(year, month, day, hour * 60 + minute);
  }

  // Runs `task` on the shard's thread and waits for it.
  void on_shard(std::function<void()> task) {
    std::promise<void> done;
    reactors_.at(0).post([&] {
      task();
      done.set_value();
    });
    done.get_future().wait();
  }
  void engine(std::function<void(Engine&)> task) {
    std::promise<void> done;
    automations_->post([&](Engine& e) {
      task(e);
      done.set_value();
    });
    done.get_future().wait();
  }
  // Lets what is under way finish: engine → hub → shard → engine, a few times over.
  void settle() {
    for (int i = 0; i < 4; ++i) {
      automations_->sync();
      on_shard([] {});
    }
  }

  void publish(const std::string& device, const std::string& rest, const json::value& payload) {
    on_shard([&] {
      mqtt::Message message;
      message.topic = "$device/" + devices_.at(device) + "/" + rest;
      message.payload = json::serialize(payload);
      message.qos = 1;
      store::WriteBatch batch;
      auto verdict = gateway_->on_message(0, mqtt::ClientRole::kDevice, devices_.at(device), message, batch);
      EXPECT_EQ(verdict.kind, mqtt::Verdict::Kind::kConsumed) << message.payload << ": " << verdict.why;
      ASSERT_TRUE(store_->write(batch));
    });
  }

  // The commands and home events since the last call, in the case's words.
  json::array take_commands() {
    std::vector<json::object> events;
    {
      std::lock_guard lock(mutex_);
      events.swap(events_);
    }
    json::array commands;
    for (const auto& e : events) {
      const std::string_view type = e.at("type").as_string();
      const auto name = [&] { return names_.at(std::string(e.at("device").as_string())); };
      if (type == "desired") {
        commands.push_back(json::object{{"set", name()}, {"properties", e.at("properties")}});
      } else if (type == "action") {
        commands.push_back(json::object{{"call", name()}, {"action", e.at("action")}, {"in", e.at("in")}});
      } else if (type == "notification") {
        commands.push_back(json::object{{"notify", e.at("message")}});
      } else if (type == "mode") {
        commands.push_back(json::object{{"mode", e.at("mode")}});
      }
    }
    return commands;
  }

  std::string rule_id(std::string_view name) {
    std::string id;
    engine([&](Engine& e) {
      const auto views = e.rules(alice_, home_);
      for (const auto& view : *views) {
        if (view.document.at("name").as_string() == name) id = view.id;
      }
    });
    EXPECT_FALSE(id.empty()) << "no rule '" << name << "'";
    return id;
  }

  void run_step(const json::object& step, const std::string& where) {
    SCOPED_TRACE(where + ": " + json::serialize(step));
    if (const auto* report = step.if_contains("report")) {
      publish(std::string(report->at("device").as_string()), "report",
              json::object{{"properties", report->at("properties")}, {"time", clock_.now_ms()}});
    } else if (const auto* event = step.if_contains("event")) {
      json::object payload{{"event", event->at("event")}};
      if (const auto* arguments = event->as_object().if_contains("arguments")) payload["arguments"] = *arguments;
      publish(std::string(event->at("device").as_string()), "event", payload);
    } else if (const auto* online = step.if_contains("online")) {
      on_shard([&] { gateway_->on_connected(0, mqtt::ClientRole::kDevice, devices_.at(std::string(online->as_string()))); });
    } else if (const auto* offline = step.if_contains("offline")) {
      on_shard([&] { gateway_->on_disconnected(0, mqtt::ClientRole::kDevice, devices_.at(std::string(offline->as_string()))); });
    } else if (const auto* advance = step.if_contains("advance")) {
      auto duration = parse_duration(advance->as_string());
      ASSERT_TRUE(duration) << duration.error();
      settle();
      automations_->advance_to(clock_.now_ms() + duration->count());
    } else if (const auto* at = step.if_contains("at")) {
      settle();
      automations_->advance_to(parse_time(std::string(at->as_string())));
    } else if (const auto* run = step.if_contains("run")) {
      const std::string id = rule_id(run->as_string());
      engine([&](Engine& e) { ASSERT_TRUE(e.run_rule(alice_, id)); });
    } else if (const auto* hook = step.if_contains("webhook")) {
      engine([&](Engine& e) {
        auto fired = e.webhook(alice_, home_, hook->as_string());
        ASSERT_TRUE(fired) << fired.error().message;
      });
    } else if (const auto* scene = step.if_contains("apply_scene")) {
      engine([&](Engine& e) { ASSERT_TRUE(e.apply_scene(alice_, home_, scene->as_string())); });
    } else if (const auto* mode = step.if_contains("mode")) {
      engine([&](Engine& e) {
        ASSERT_TRUE(e.change_settings(alice_, home_, std::string(mode->as_string()), std::nullopt, std::nullopt));
      });
    } else if (const auto* rule = step.if_contains("add_rule")) {
      engine([&](Engine& e) {
        auto added = e.add_rule(alice_, home_, *rule);
        if (const auto* error = step.if_contains("error")) {
          ASSERT_FALSE(added) << "the rule was taken";
          std::string why;
          EXPECT_TRUE(contains(json::value(added.error().message), *error, why)) << why;
        } else {
          ASSERT_TRUE(added) << added.error().message;
        }
      });
    } else if (const auto* scene = step.if_contains("remove_scene")) {
      engine([&](Engine& e) {
        const auto views = e.scenes(alice_, home_);
        std::string id;
        for (const auto& view : *views) {
          if (view.document.at("name").as_string() == scene->as_string()) id = view.id;
        }
        ASSERT_FALSE(id.empty()) << "no scene " << json::serialize(*scene);
        auto removed = e.remove_scene(alice_, id);
        if (const auto* error = step.if_contains("error")) {
          ASSERT_FALSE(removed) << "the scene was removed";
          std::string why;
          EXPECT_TRUE(contains(json::value(removed.error().message), *error, why)) << why;
        } else {
          ASSERT_TRUE(removed) << removed.error().message;
        }
      });
    } else if (const auto* enable = step.if_contains("enable")) {
      const std::string id = rule_id(enable->as_string());
      engine([&](Engine& e) { ASSERT_TRUE(e.enable_rule(alice_, id, true)); });
    } else if (const auto* disable = step.if_contains("disable")) {
      const std::string id = rule_id(disable->as_string());
      engine([&](Engine& e) { ASSERT_TRUE(e.enable_rule(alice_, id, false)); });
    } else if (const auto* repeat = step.if_contains("repeat")) {
      for (std::int64_t n = 0; n < repeat->at("times").to_number<std::int64_t>() && !HasFatalFailure(); ++n) {
        for (const auto& inner : repeat->at("steps").as_array()) run_step(inner.as_object(), fmt::format("{} #{}", where, n));
      }
    } else if (step.contains("restart")) {
      settle();
      restart_engine();
    } else if (const auto* expect = step.if_contains("expect")) {
      settle();
      check(expect->as_object());
    } else {
      FAIL() << "unknown step";
    }
  }

  void check(const json::object& expect) {
    std::string why;
    if (const auto* commands = expect.if_contains("commands")) {
      json::array actual = take_commands();
      json::array wanted = commands->as_array();
      // Rules that fire on the same news run in no set order: "unordered" compares them sorted.
      if (expect.contains("unordered")) {
        const auto by_text = [](const json::value& a, const json::value& b) { return json::serialize(a) < json::serialize(b); };
        std::sort(actual.begin(), actual.end(), by_text);
        std::sort(wanted.begin(), wanted.end(), by_text);
      }
      EXPECT_TRUE(contains(actual, wanted, why)) << why << "\n  commands: " << json::serialize(actual);
    }
    if (const auto* trace = expect.if_contains("trace")) {
      const std::string id = rule_id(trace->at("rule").as_string());
      json::array traces;
      engine([&](Engine& e) { traces = *e.traces(alice_, id); });
      const std::size_t index = trace->as_object().contains("run") ? trace->at("run").to_number<std::size_t>() : 0;
      ASSERT_LT(index, traces.size()) << "runs: " << json::serialize(traces);
      EXPECT_TRUE(contains(traces[index], trace->at("is"), why)) << why << "\n  trace: " << json::serialize(traces[index]);
    }
    if (const auto* runs = expect.if_contains("runs")) {
      const std::string id = rule_id(runs->at("rule").as_string());
      json::array traces;
      engine([&](Engine& e) { traces = *e.traces(alice_, id); });
      EXPECT_EQ(traces.size(), runs->at("count").to_number<std::size_t>()) << json::serialize(traces);
    }
    if (const auto* rule = expect.if_contains("rule")) {
      const std::string id = rule_id(rule->at("name").as_string());
      json::object view;
      engine([&](Engine& e) {
        auto found = *e.rule(alice_, id);
        view = json::object{{"enabled", found.enabled}, {"problem", found.problem}, {"running", found.running}};
      });
      EXPECT_TRUE(contains(view, rule->at("is"), why)) << why;
    }
    if (const auto* mode = expect.if_contains("mode")) {
      engine([&](Engine& e) { EXPECT_EQ(e.settings(alice_, home_)->mode, std::string_view(mode->as_string())); });
    }
  }

  json::object case_;
  std::unique_ptr<store::KvStore> store_ = store::make_memory_store();
  std::unique_ptr<spec::Catalog> catalog_;
  std::unique_ptr<hub::Registry> registry_;
  hub::History history_{*store_};
  net::ReactorPool reactors_{1};
  std::unique_ptr<hub::DeviceGateway> gateway_;
  std::unique_ptr<mqtt::Broker> broker_;
  std::unique_ptr<hub::Hub> hub_;
  SettableClock clock_{0};
  std::unique_ptr<TimeZone> zone_;
  std::unique_ptr<Automations> automations_;
  std::string alice_, home_;
  std::map<std::string, std::string> devices_;  // name -> id
  std::map<std::string, std::string> names_;    // id -> name
  std::mutex mutex_;
  std::vector<json::object> events_;
};

TEST_P(EngineCase, Runs) {
  const json::array& steps = case_.at("steps").as_array();
  for (std::size_t i = 0; i < steps.size() && !HasFatalFailure(); ++i) {
    run_step(steps[i].as_object(), fmt::format("steps[{}]", i));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, EngineCase, ::testing::ValuesIn(case_names()),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace millet::automation
