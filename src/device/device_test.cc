// The device library against a real mosquitto, with a second client playing millet's
// side of docs/device-protocol.md. Mosquitto does not check reports the way millet does,
// but it does check credentials (password file), topics (ACL file), and it logs what
// each CONNECT carried, which is how the client id, user name and will are checked.

#include "device/device.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "device/test_support.h"

namespace millet::device {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::Login;
using testing::MilletSide;
using testing::Mosquitto;
using Kind = ConnectionEvent::Kind;

constexpr const char* kId = "d-0123456789ab";
constexpr const char* kSecret = "s3cret-s3cret-s3cret";

std::string topic(const std::string& rest) { return std::string("$device/") + kId + "/" + rest; }

// The connection events a device went through, to wait on.
class EventLog {
 public:
  ConnectionHandler handler() {
    return [this](const ConnectionEvent& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    };
  }
  // The `count`th event of `kind`, within 5 s.
  std::optional<ConnectionEvent> wait_for(Kind kind, int count = 1) {
    std::unique_lock lock(mutex_);
    std::optional<ConnectionEvent> found;
    changed_.wait_for(lock, 5s, [&] {
      int seen = 0;
      for (const ConnectionEvent& event : events_) {
        if (event.kind == kind && ++seen == count) found = event;
      }
      return found.has_value();
    });
    return found;
  }
  int count(Kind kind) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(events_.begin(), events_.end(), [&](auto& e) { return e.kind == kind; }));
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ConnectionEvent> events_;
};

// A Delivery to wait for.
struct AwaitedDelivery {
  std::promise<Delivery> promise;
  std::future<Delivery> future = promise.get_future();
  DeliveryHandler handler() {
    return [this](const Delivery& delivery) { promise.set_value(delivery); };
  }
  std::optional<Delivery> get() {
    if (future.wait_for(5s) != std::future_status::ready) return std::nullopt;
    return future.get();
  }
};

json::value payload_of(const std::optional<testing::Received>& message) {
  if (!message) return "(nothing arrived)";
  return json::parse(message->payload);
}

class DeviceTest : public ::testing::Test {
 protected:
  Options options() {
    Options options;
    options.port = broker_.port();
    options.id = kId;
    options.secret = kSecret;
    options.reconnect_delay_min = 50ms;
    options.reconnect_delay_max = 400ms;
    options.log = [](LogLevel level, std::string_view message) {
      if (level >= LogLevel::kWarning) std::fprintf(stderr, "device: %.*s\n", int(message.size()), message.data());
    };
    return options;
  }

  // Starts the device and waits until mosquitto has granted its subscriptions, so
  // that what millet's side publishes next reaches it.
  void start_and_wait_until_subscribed(Device& device, int connection = 1) {
    device.start();
    ASSERT_TRUE(events_.wait_for(Kind::kConnected, connection)) << broker_.log();
    ASSERT_TRUE(broker_.wait_for_log(std::string("Sending SUBACK to ") + kId, connection)) << broker_.log();
  }

  // The device reports, through millet's side, what each set changes.
  void add_light_handlers(Device& device) {
    device.on_set("light.on", [this](const json::value& value) {
      applied("light.on", value);
      return Status::ok();
    });
    device.on_set("light.brightness", [this](const json::value& value) {
      if (value.to_number<int>() > 90) return Status::error("the lamp is too hot to go brighter");
      applied("light.brightness", value);
      return Status::ok();
    });
  }

  void applied(const std::string& property, const json::value& value) {
    std::lock_guard lock(applied_mutex_);
    applied_.push_back(property + "=" + json::serialize(value));
  }
  std::vector<std::string> applied_values() {
    std::lock_guard lock(applied_mutex_);
    return applied_;
  }

  Mosquitto broker_;
  EventLog events_;
  std::mutex applied_mutex_;
  std::vector<std::string> applied_;
};

TEST_F(DeviceTest, ConnectsWithItsIdAsClientIdAndUserNameItsSecretAsPasswordAndAWill) {
  broker_.add_user(kId, kSecret);
  broker_.start("password_file " + broker_.password_file() + "\n");
  Device device(options());
  device.on_connection(events_.handler());
  start_and_wait_until_subscribed(device);

  const std::string log = broker_.log();
  // Client id, protocol 5, clean start 0, keep-alive 30 s, user name.
  EXPECT_NE(log.find(std::string("as ") + kId + " (p5, c0, k30, u'" + kId + "')"), std::string::npos) << log;
  EXPECT_NE(log.find("Will message specified (7 bytes) (r0, q1).\n"), std::string::npos) << log;
  EXPECT_NE(log.find("\t" + topic("status") + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("\t" + topic("set") + " (QoS 1)"), std::string::npos) << log;
  EXPECT_NE(log.find("\t" + topic("action") + " (QoS 1)"), std::string::npos) << log;
  EXPECT_TRUE(device.connected());
  EXPECT_TRUE(device.stop().is_ok());
  EXPECT_FALSE(device.running());
}

// mosquitto answers a wrong password "not authorized" (0x87, 3.1.1: 5) where millet
// answers 0x86 / 4; detail/protocol_test.cc checks the words for each.
TEST_F(DeviceTest, AWrongSecretIsRefusedOnceAndEndsTheRunWithAClearError) {
  broker_.add_user(kId, kSecret);
  broker_.start("password_file " + broker_.password_file() + "\n");
  for (Protocol protocol : {Protocol::kMqtt5, Protocol::kMqtt311}) {
    Options wrong = options();
    wrong.secret = "not-the-secret";
    wrong.protocol = protocol;
    Device device(wrong);
    EventLog events;
    device.on_connection(events.handler());
    auto run = std::async(std::launch::async, [&] { return device.run(); });
    ASSERT_EQ(run.wait_for(5s), std::future_status::ready) << "the device kept trying";
    const Status ended = run.get();
    EXPECT_FALSE(ended.is_ok());
    EXPECT_TRUE(ended.message().starts_with("not authorized: ")) << ended.message();
    auto refused = events.wait_for(Kind::kRefused);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->reason_code, protocol == Protocol::kMqtt5 ? 0x87 : 5);
    EXPECT_EQ(refused->message, ended.message());
    EXPECT_EQ(events.count(Kind::kConnected) + events.count(Kind::kDisconnected), 0);
    EXPECT_FALSE(device.running());
    EXPECT_EQ(device.stop().message(), ended.message());  // what ended the run
  }
}

TEST_F(DeviceTest, AReportArrivesAsTheDocumentedJsonAndItsAcknowledgementIsPassedOn) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("report"));
  Device device(options());
  device.on_connection(events_.handler());
  start_and_wait_until_subscribed(device);

  AwaitedDelivery timed, untimed;
  const auto read_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1789999200000));
  ASSERT_TRUE(device.report({{"light.on", true}, {"light.brightness", 80}}, read_at, timed.handler()).is_ok());
  ASSERT_TRUE(device.report({{"light.on", false}}, untimed.handler()).is_ok());

  EXPECT_EQ(payload_of(millet.next_on(topic("report"))),
            json::parse(R"({"properties": {"light.on": true, "light.brightness": 80}, "time": 1789999200000})"));
  EXPECT_EQ(payload_of(millet.next_on(topic("report"))), json::parse(R"({"properties": {"light.on": false}})"));
  for (AwaitedDelivery* awaited : {&timed, &untimed}) {
    auto delivery = awaited->get();
    ASSERT_TRUE(delivery) << "no PUBACK was passed on";
    EXPECT_TRUE(delivery->accepted());
    EXPECT_EQ(delivery->reason_code, 0);
  }
}

TEST_F(DeviceTest, AnEventArrivesAsTheDocumentedJson) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("event"));
  Device device(options());
  device.on_connection(events_.handler());
  start_and_wait_until_subscribed(device);

  AwaitedDelivery delivered;
  ASSERT_TRUE(device.event("motion-sensor.motion-detected", {{"motion-sensor.illumination", 120}},
                           delivered.handler()).is_ok());
  EXPECT_EQ(payload_of(millet.next_on(topic("event"))),
            json::parse(R"({"event": "motion-sensor.motion-detected", "arguments": {"motion-sensor.illumination": 120}})"));
  auto delivery = delivered.get();
  ASSERT_TRUE(delivery);
  EXPECT_TRUE(delivery->accepted());
}

TEST_F(DeviceTest, ASetRunsTheHandlersThenReportsTheNewValuesThenAnswersOkAndCanComeTwice) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("#"));
  Device device(options());
  device.on_connection(events_.handler());
  add_light_handlers(device);
  start_and_wait_until_subscribed(device);

  for (int time = 1; time <= 2; ++time) {  // the same values twice, as after a reconnection
    const std::string id = "s-" + std::to_string(time);
    millet.publish(topic("set"), R"({"id": ")" + id + R"(", "properties": {"light.on": true, "light.brightness": 50}})");
    EXPECT_EQ(payload_of(millet.next_on(topic("set"))).at("id"), json::value(id));  // our own, echoed
    EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"properties": {"light.on": true, "light.brightness": 50}})"));
    EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": ")" + id + R"(", "status": "ok"})"));
  }
  EXPECT_EQ(applied_values(), (std::vector<std::string>{"light.on=true", "light.brightness=50", "light.on=true",
                                                        "light.brightness=50"}));
}

TEST_F(DeviceTest, AFailingHandlerAnswersErrorWithItsMessageAfterReportingWhatWasApplied) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("report"));
  millet.subscribe(topic("set/result"));
  Device device(options());
  device.on_connection(events_.handler());
  add_light_handlers(device);
  start_and_wait_until_subscribed(device);

  millet.publish(topic("set"), R"({"id": "s-hot", "properties": {"light.on": true, "light.brightness": 100}})");
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"properties": {"light.on": true}})"));
  EXPECT_EQ(payload_of(millet.next()),
            json::parse(R"({"id": "s-hot", "status": "error", "message": "the lamp is too hot to go brighter"})"));

  // A property the device has no handler for, and a set that is not one.
  millet.publish(topic("set"), R"({"id": "s-mode", "properties": {"light.mode": 2}})");
  EXPECT_EQ(payload_of(millet.next()),
            json::parse(R"({"id": "s-mode", "status": "error",
                            "message": "the device has no handler for property 'light.mode'"})"));
  millet.publish(topic("set"), R"({"id": "s-bad", "properties": [1]})");
  EXPECT_EQ(payload_of(millet.next()),
            json::parse(R"({"id": "s-bad", "status": "error", "message": "the set has no \"properties\" object"})"));
  EXPECT_EQ(millet.next(300ms).has_value(), false) << "nothing else is sent";
}

TEST_F(DeviceTest, TheCatchAllSetHandlerTakesPropertiesWithoutTheirOwn) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("set/result"));
  Device device(options());
  device.on_connection(events_.handler());
  device.on_set("light.on", [](const json::value&) { return Status::ok(); });
  device.on_set_any([this](std::string_view property, const json::value& value) {
    applied(std::string(property), value);
    return Status::ok();
  });
  start_and_wait_until_subscribed(device);

  millet.publish(topic("set"), R"({"id": "s-1", "properties": {"light.on": false, "light.mode": 2}})");
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "s-1", "status": "ok"})"));
  EXPECT_EQ(applied_values(), std::vector<std::string>{"light.mode=2"});
}

TEST_F(DeviceTest, AnActionIsAnsweredWithItsOutputOrItsError) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("action/result"));
  Device device(options());
  device.on_connection(events_.handler());
  device.on_action("speaker.play-text", [](const json::object& in) -> ActionResult {
    const json::value* text = in.if_contains("speaker.text");
    if (!text || !text->is_string()) return ActionResult::error("nothing to say");
    return json::object{{"speaker.duration", static_cast<int>(text->get_string().size()) / 5}};
  });
  device.on_action("speaker.explode", [](const json::object&) -> ActionResult { throw std::runtime_error("boom"); });
  start_and_wait_until_subscribed(device);

  millet.publish(topic("action"),
                 R"({"id": "a-1", "action": "speaker.play-text", "in": {"speaker.text": "Dinner is ready"}})");
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "a-1", "status": "ok", "out": {"speaker.duration": 3}})"));
  millet.publish(topic("action"), R"({"id": "a-2", "action": "speaker.play-text"})");
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "a-2", "status": "error", "message": "nothing to say"})"));
  millet.publish(topic("action"), R"({"id": "a-3", "action": "speaker.stop", "in": {}})");
  EXPECT_EQ(payload_of(millet.next()),
            json::parse(R"({"id": "a-3", "status": "error", "message": "the device has no handler for action 'speaker.stop'"})"));
  millet.publish(topic("action"), R"({"id": "a-4", "action": "speaker.explode", "in": {}})");
  EXPECT_EQ(payload_of(millet.next()),
            json::parse(R"({"id": "a-4", "status": "error", "message": "the device's handler failed: boom"})"));
}

TEST_F(DeviceTest, ItReconnectsAfterTheBrokerRestartsSubscribesAgainAndSendsWhatWaited) {
  broker_.start();
  Device device(options());
  device.on_connection(events_.handler());
  add_light_handlers(device);
  start_and_wait_until_subscribed(device);

  broker_.stop();
  auto lost = events_.wait_for(Kind::kDisconnected);
  ASSERT_TRUE(lost);
  EXPECT_FALSE(device.connected());
  EXPECT_LE(lost->retry_in, 400ms);
  AwaitedDelivery waited;
  ASSERT_TRUE(device.report({{"light.on", true}}, waited.handler()).is_ok());  // while millet is away

  broker_.start();  // same port, no memory of the session: the device must subscribe again
  start_and_wait_until_subscribed(device, 2);
  auto again = events_.wait_for(Kind::kConnected, 2);
  EXPECT_FALSE(again->session_present);
  auto delivery = waited.get();
  ASSERT_TRUE(delivery) << "the report made while disconnected was not sent";
  EXPECT_TRUE(delivery->accepted());

  MilletSide millet(broker_.port());
  millet.subscribe(topic("set/result"));
  millet.publish(topic("set"), R"({"id": "s-after", "properties": {"light.on": false}})");
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "s-after", "status": "ok"})"));
}

TEST_F(DeviceTest, ASetSentWhileTheDeviceWasStoppedWaitsInItsSession) {
  broker_.start();
  Device device(options());
  device.on_connection(events_.handler());
  add_light_handlers(device);
  start_and_wait_until_subscribed(device);
  ASSERT_TRUE(device.stop().is_ok());

  MilletSide millet(broker_.port());
  millet.subscribe(topic("set/result"));
  millet.publish(topic("set"), R"({"id": "s-away", "properties": {"light.brightness": 20}})");
  ASSERT_TRUE(broker_.wait_for_log("Received PUBLISH from millet"));
  device.start();
  auto back = events_.wait_for(Kind::kConnected, 2);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->session_present);
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "s-away", "status": "ok"})"));
  EXPECT_EQ(applied_values(), std::vector<std::string>{"light.brightness=20"});
}

TEST_F(DeviceTest, TheWillSaysOfflineWhenTheConnectionIsTakenFromTheDevice) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("status"));
  Options slow_to_return = options();
  slow_to_return.reconnect_delay_min = 2s;  // leaves the id to the intruder for the test's length
  slow_to_return.reconnect_delay_max = 2s;
  Device device(slow_to_return);
  device.on_connection(events_.handler());
  start_and_wait_until_subscribed(device);

  // A client taking the device's id ends the device's connection without a DISCONNECT
  // from the device: mosquitto publishes the will.
  MilletSide intruder(broker_.port(), Login{.client_id = kId});
  auto status = millet.next_on(topic("status"));
  ASSERT_TRUE(status) << broker_.log();
  EXPECT_EQ(status->payload, "offline");
  auto lost = events_.wait_for(Kind::kDisconnected);
  ASSERT_TRUE(lost);
  EXPECT_FALSE(lost->message.empty());
}

TEST_F(DeviceTest, AReportMilletRefusesIsToldWithItsReasonButASetItFollowsIsStillDone) {
  broker_.add_user(kId, kSecret);
  broker_.add_user("millet", "millet-password");
  // The device may not publish reports: the broker answers them 0x87, as millet answers
  // a report that breaks the spec 0x99.
  const std::string acl = broker_.write_file(
      "acl", std::string("user ") + kId + "\n" + "topic read " + topic("set") + "\n" + "topic write " +
                 topic("set/result") + "\n" + "user millet\ntopic readwrite $device/#\n");
  broker_.start("password_file " + broker_.password_file() + "\nacl_file " + acl + "\n");
  MilletSide millet(broker_.port(), Login{.user = "millet", .password = "millet-password"});
  millet.subscribe(topic("set/result"));
  Device device(options());
  device.on_connection(events_.handler());
  add_light_handlers(device);
  start_and_wait_until_subscribed(device);

  AwaitedDelivery refused;
  ASSERT_TRUE(device.report({{"light.on", true}}, refused.handler()).is_ok());
  auto delivery = refused.get();
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->outcome, Delivery::Outcome::kRefused);
  EXPECT_EQ(delivery->reason_code, 0x87);

  // As a write-only property's value is refused in a report: the set was still applied.
  millet.publish(topic("set"), R"({"id": "s-1", "properties": {"light.on": true}})");
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "s-1", "status": "ok"})"));
  EXPECT_EQ(applied_values(), std::vector<std::string>{"light.on=true"});
}

TEST_F(DeviceTest, SpeaksMqtt311Too) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("#"));
  Options options311 = options();
  options311.protocol = Protocol::kMqtt311;
  Device device(options311);
  device.on_connection(events_.handler());
  add_light_handlers(device);
  start_and_wait_until_subscribed(device);
  EXPECT_NE(broker_.log().find(std::string("as ") + kId + " (p2, c0, k30, u'" + kId + "')"), std::string::npos);

  millet.publish(topic("set"), R"({"id": "s-1", "properties": {"light.on": true}})");
  EXPECT_TRUE(millet.next_on(topic("set")));
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"properties": {"light.on": true}})"));
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "s-1", "status": "ok"})"));
}

TEST_F(DeviceTest, ConnectsOverTlsCheckingTheServerAgainstTheCaFile) {
  const std::string dir = broker_.directory().string();
  const std::string make_certificates =
      "cd '" + dir + "' && { printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt "
      "-subj /CN=test-ca -days 1 && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr "
      "-subj /CN=127.0.0.1 && "
      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 "
      "-extfile san.ext && "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other.key -out other.crt "
      "-subj /CN=other-ca -days 1; } > openssl.log 2>&1";
  ASSERT_EQ(std::system(make_certificates.c_str()), 0) << "openssl failed; see " << dir << "/openssl.log";
  broker_.start("cafile " + dir + "/ca.crt\ncertfile " + dir + "/server.crt\nkeyfile " + dir + "/server.key\n");

  Options tls = options();
  tls.tls_ca_file = dir + "/ca.crt";
  Device device(tls);
  device.on_connection(events_.handler());
  start_and_wait_until_subscribed(device);
  device.stop();

  Options wrong_ca = options();
  wrong_ca.tls_ca_file = dir + "/other.crt";
  Device doubtful(wrong_ca);
  EventLog events;
  doubtful.on_connection(events.handler());
  doubtful.start();
  auto failed = events.wait_for(Kind::kDisconnected);
  ASSERT_TRUE(failed);
  EXPECT_NE(failed->message.find("TLS"), std::string::npos) << failed->message;
  EXPECT_EQ(events.count(Kind::kConnected), 0);
}

TEST_F(DeviceTest, RunEndsWhenAHandlerStopsTheDeviceAndItsAnswerStillGoesOut) {
  broker_.start();
  MilletSide millet(broker_.port());
  millet.subscribe(topic("action/result"));
  Device device(options());
  device.on_connection(events_.handler());
  device.on_action("device.power-off", [&device](const json::object&) {
    EXPECT_TRUE(device.stop().is_ok());  // returns at once: this is the network thread
    return ActionResult();
  });
  auto run = std::async(std::launch::async, [&] { return device.run(); });
  ASSERT_TRUE(events_.wait_for(Kind::kConnected));
  ASSERT_TRUE(broker_.wait_for_log(std::string("Sending SUBACK to ") + kId));
  EXPECT_TRUE(device.running());
  EXPECT_FALSE(device.run().is_ok()) << "a second run at the same time";

  millet.publish(topic("action"), R"({"id": "a-off", "action": "device.power-off", "in": {}})");
  ASSERT_EQ(run.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(run.get().is_ok());
  EXPECT_FALSE(device.running());
  // What was queued before the run ended is sent before the DISCONNECT.
  EXPECT_EQ(payload_of(millet.next()), json::parse(R"({"id": "a-off", "status": "ok", "out": {}})"));
  EXPECT_TRUE(broker_.wait_for_log(std::string("Received DISCONNECT from ") + kId));
}

int threads_of_this_process() {
  int count = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) ++count;
  return count;
}

int open_descriptors() {
  int count = 0;
  for ([[maybe_unused]] const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

// Many devices on one fleet: each connects, reports, and obeys a set, all on one thread.
TEST_F(DeviceTest, AFleetRunsManyDevicesOnOneThreadEachWithItsOwnConnection) {
  broker_.start("max_connections -1\n");
  MilletSide millet(broker_.port());
  millet.subscribe("$device/+/set/result");
  constexpr int kDevices = 300;
  const int threads_before = threads_of_this_process();
  const int descriptors_before = open_descriptors();
  std::vector<std::unique_ptr<Device>> devices;
  std::atomic<int> connected{0}, reported{0}, applied{0};
  Fleet fleet;
  for (int i = 0; i < kDevices; ++i) {
    Options each = options();
    each.id = "d-fleet" + std::to_string(100000 + i);
    auto& device = *devices.emplace_back(std::make_unique<Device>(each));
    device.on_connection([&](const ConnectionEvent& event) {
      if (event.kind != Kind::kConnected) return;
      ++connected;
      (void)device.report({{"light.on", false}}, [&](const Delivery& delivery) {
        if (delivery.accepted()) ++reported;
      });
    });
    device.on_set("light.on", [&](const json::value&) {
      ++applied;
      return Status::ok();
    });
    device.start(fleet);
  }
  EXPECT_EQ(fleet.size(), std::size_t{kDevices});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (reported < kDevices && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(connected, kDevices);
  EXPECT_EQ(reported, kDevices);
  // One thread (the fleet's) for them all; per device its socket and libmosquitto's pair.
  EXPECT_EQ(threads_of_this_process(), threads_before + 1);
  EXPECT_LE(open_descriptors(), descriptors_before + 2 + 3 * kDevices);

  ASSERT_TRUE(broker_.wait_for_log("Sending SUBACK to d-fleet100299"));
  for (int i : {0, 150, 299}) {
    const std::string id = "d-fleet" + std::to_string(100000 + i);
    millet.publish("$device/" + id + "/set", R"({"id": "s-)" + id + R"(", "properties": {"light.on": true}})");
    auto answer = millet.next_on("$device/" + id + "/set/result");
    ASSERT_TRUE(answer) << id;
    EXPECT_EQ(json::parse(answer->payload).at("status"), "ok");
  }
  EXPECT_EQ(applied, 3);
}

TEST_F(DeviceTest, AFleetDeviceStoppedLeavesItAndTheFleetStopsTheRestWhenItGoes) {
  broker_.start();
  auto fleet = std::make_unique<Fleet>();
  std::vector<std::unique_ptr<Device>> devices;
  EventLog first_events;
  for (int i = 0; i < 3; ++i) {
    Options each = options();
    each.id = "d-leaving" + std::to_string(100 + i);
    auto& device = *devices.emplace_back(std::make_unique<Device>(each));
    if (i == 0) device.on_connection(first_events.handler());
    device.start(*fleet);
  }
  ASSERT_TRUE(first_events.wait_for(Kind::kConnected));
  ASSERT_TRUE(broker_.wait_for_log("Sending SUBACK to d-leaving102"));
  EXPECT_TRUE(devices[0]->stop().is_ok());
  EXPECT_FALSE(devices[0]->running());
  EXPECT_EQ(fleet->size(), 2u);
  EXPECT_TRUE(broker_.wait_for_log("Received DISCONNECT from d-leaving100"));

  devices[0]->start(*fleet);  // back again, on the same fleet
  ASSERT_TRUE(first_events.wait_for(Kind::kConnected, 2));
  devices[1].reset();  // destroyed while running: it leaves the fleet
  EXPECT_EQ(fleet->size(), 2u);

  fleet.reset();
  EXPECT_FALSE(devices[0]->running());
  EXPECT_FALSE(devices[2]->running());
  EXPECT_TRUE(broker_.wait_for_log("Received DISCONNECT from d-leaving102"));
  EXPECT_TRUE(broker_.wait_for_log("Received DISCONNECT from d-leaving100", 2));
  // A report now waits for the device's next run, as on a device never started.
  EXPECT_TRUE(devices[0]->report({{"light.on", true}}).is_ok());
}

TEST_F(DeviceTest, AFleetDeviceReconnectsAfterTheBrokerRestartsAndARefusedOneEndsItsRun) {
  broker_.add_user(kId, kSecret);
  broker_.start("password_file " + broker_.password_file() + "\n");
  Fleet fleet;
  Device device(options());
  device.on_connection(events_.handler());
  Options wrong = options();
  wrong.id = "d-wrongsecret1";
  Device refused(wrong);
  EventLog refused_events;
  refused.on_connection(refused_events.handler());
  device.start(fleet);
  refused.start(fleet);
  ASSERT_TRUE(events_.wait_for(Kind::kConnected));
  auto refusal = refused_events.wait_for(Kind::kRefused);
  ASSERT_TRUE(refusal);
  const Status ended = refused.stop();
  EXPECT_EQ(ended.message(), refusal->message);  // mosquitto: 0x87 for a user it does not know
  EXPECT_EQ(fleet.size(), 1u);

  broker_.stop();
  ASSERT_TRUE(events_.wait_for(Kind::kDisconnected));
  broker_.start("password_file " + broker_.password_file() + "\n");
  ASSERT_TRUE(events_.wait_for(Kind::kConnected, 2));
  AwaitedDelivery delivered;
  ASSERT_TRUE(device.report({{"light.on", true}}, delivered.handler()).is_ok());
  auto delivery = delivered.get();
  ASSERT_TRUE(delivery);
  EXPECT_TRUE(delivery->accepted());
}

TEST_F(DeviceTest, UnusableOptionsAreRefusedUpFront) {
  Options no_id = options();
  no_id.id = "";
  EXPECT_THROW(Device{no_id}, std::invalid_argument);
  Options short_keep_alive = options();
  short_keep_alive.keep_alive = 2s;
  EXPECT_THROW(Device{short_keep_alive}, std::invalid_argument);
  Options missing_ca = options();
  missing_ca.tls_ca_file = "/nonexistent/ca.crt";
  EXPECT_THROW(Device{missing_ca}, std::invalid_argument);
  EXPECT_NO_THROW(Device{options()});
}

}  // namespace
}  // namespace millet::device
