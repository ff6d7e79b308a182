#pragma once
// millet::device — connects a device to millet over MQTT, as the device protocol
// (docs/device-protocol.md) says, so that a device maker writes only what the device
// does: how to apply a property value, how to run an action, when to report.
// docs/device-library.md shows a whole device in 20 lines.
//
// Threads. A Device has one network thread: the thread that runs `run()`, the one
// that `start()` creates, or its Fleet's (`start(fleet)`, shared with the fleet's other
// devices). It connects, reconnects after a delay that grows while the
// server cannot be reached, reads and writes, and calls every handler and callback
// registered below — one at a time, never two at once, so handlers need no locks for
// state that only handlers touch. A handler should return soon: while it runs the
// device reads nothing (and answers no ping).
//
// `report()`, `event()`, `stop()`, `connected()` and `running()` may be called from any
// thread, handlers included. Handlers are registered before `start()` / `run()`.
// A Device uses one thread, one socket, a socket pair and an eventfd, and nothing
// global but libmosquitto's one-time initialisation, so a process can hold hundreds;
// a Fleet runs thousands on one thread.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace millet::device {

// The outcome of a set handler, or of a call into the library: success, or an error
// whose message says what went wrong (for a handler: the message millet passes on to
// whoever asked, e.g. "the lamp is too hot to go brighter").
class Status {
 public:
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message)); }

  bool is_ok() const { return !failed_; }
  const std::string& message() const { return message_; }  // empty when ok

 private:
  Status() = default;
  explicit Status(std::string message) : message_(std::move(message)), failed_(true) {}
  std::string message_;
  bool failed_ = false;
};

// What an action handler returns: the action's output arguments, by property name
// ("speaker.duration": 3), or an error with its message.
class ActionResult {
 public:
  ActionResult(boost::json::object out = {}) : out_(std::move(out)) {}  // NOLINT: success converts
  static ActionResult error(std::string message) {
    ActionResult result;
    result.error_ = Status::error(std::move(message));
    return result;
  }

  bool is_ok() const { return error_.is_ok(); }
  const boost::json::object& out() const { return out_; }
  const std::string& message() const { return error_.message(); }

 private:
  boost::json::object out_;
  Status error_ = Status::ok();
};

// What became of a report or an event the device sent (QoS 1).
struct Delivery {
  enum class Outcome : std::uint8_t {
    kAccepted,  // millet acknowledged it: a report is kept (shadow and history)
    kRefused,   // millet acknowledged it with an error (MQTT 5 only): nothing was kept
    kNotSent,   // millet did not acknowledge it before the run ended, or it could not be sent
  };
  Outcome outcome = Outcome::kAccepted;
  // The MQTT 5 PUBACK reason code: 0x00, or e.g. 0x99 Payload format invalid when a
  // value broke its spec, 0x87 Not authorized for a topic that is not the device's.
  // Always 0 with MQTT 3.1.1, which cannot say that a message was refused.
  int reason_code = 0;
  // millet's reason string ("device 'Hall light': light.brightness = 140 is outside
  // [1, 100]"), or why the message was not sent. May be empty.
  std::string message;

  bool accepted() const { return outcome == Outcome::kAccepted; }
};

// A change in the device's connection.
struct ConnectionEvent {
  enum class Kind : std::uint8_t {
    kConnected,     // millet accepted the device; it now receives sets and actions
    kDisconnected,  // the connection ended or could not be made; the device retries in `retry_in`
    kRefused,       // millet refused the device's credentials: it does not retry and its run ends
  };
  Kind kind = Kind::kConnected;
  // Why, for kDisconnected and kRefused: "the server refused the device's id or secret",
  // "not authorized: the device's credentials were revoked", "connection refused", ...
  std::string message;
  int reason_code = 0;                     // the CONNACK's reason (MQTT 5) or return code (3.1.1)
  bool session_present = false;            // kConnected: millet kept the device's session
  std::chrono::milliseconds retry_in{0};   // kDisconnected: when the next attempt starts
};

enum class Protocol : std::uint8_t { kMqtt311, kMqtt5 };
enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarning, kError };

using SetHandler = std::function<Status(const boost::json::value& value)>;
using AnySetHandler = std::function<Status(std::string_view property, const boost::json::value& value)>;
using ActionHandler = std::function<ActionResult(const boost::json::object& in)>;
using DeliveryHandler = std::function<void(const Delivery&)>;
using ConnectionHandler = std::function<void(const ConnectionEvent&)>;
using LogHandler = std::function<void(LogLevel level, std::string_view message)>;

struct Options {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string id;      // the device's id ("d-" and 12 characters): client id and user name
  std::string secret;  // the device's secret: the password
  Protocol protocol = Protocol::kMqtt5;  // 5 says why a report was refused; 3.1.1 cannot

  // TLS: on when `tls` is set or `tls_ca_file` is given. The server's certificate is
  // checked against the CA certificates in `tls_ca_file` (PEM), or the system's when empty.
  bool tls = false;
  std::string tls_ca_file;

  std::chrono::seconds keep_alive{30};  // at least 5 s
  // How long millet keeps the device's session (its subscriptions and the commands sent
  // to it) after a disconnection. MQTT 5 only: a 3.1.1 session lasts as long as the
  // server keeps it.
  std::chrono::seconds session_expiry{24 * 3600};
  // The delay before reconnecting starts at `reconnect_delay_min` and doubles, with
  // jitter, up to `reconnect_delay_max`; a connection millet accepts resets it.
  std::chrono::milliseconds reconnect_delay_min{1000};
  std::chrono::milliseconds reconnect_delay_max{60'000};
  // Publish `offline` on `$device/<id>/status` when the connection is lost (the will).
  bool will = true;
  // Reports, events and results not yet acknowledged, at most. They wait while the device
  // is disconnected; past this many, report() and event() answer an error.
  std::size_t max_unacknowledged = 1000;
  LogHandler log;  // optional: what the library has to say, on the network thread
};

class Fleet;

class Device {
 public:
  // Throws std::invalid_argument when an option is unusable (no id, keep_alive < 5 s, a CA
  // file that cannot be read, ...).
  explicit Device(Options options);
  ~Device();  // stop()s. Must not run on the network thread (i.e. inside a handler).
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // --- handlers: register before start() / run() -------------------------------------

  // A set (`$device/<id>/set`) calls, for each property in it, that property's handler
  // ("light.brightness") or else the catch-all handler. When they all succeed the device
  // reports the values it was given and, once millet has acknowledged that report,
  // answers the set "ok" (even if millet refused the report, which is logged: it takes no
  // write-only property in reports). When one fails (or throws), the properties after it
  // are not applied, the ones before it are reported, and the set is answered "error"
  // with the handler's message. A property with neither handler fails the set.
  //
  // millet may send the same values again (after a reconnection): applying a value the
  // device already has must succeed and change nothing.
  void on_set(std::string property, SetHandler handler);
  void on_set_any(AnySetHandler handler);

  // An action call (`$device/<id>/action`) calls the action's handler ("light.toggle")
  // with its input arguments and answers with its output or its error. An action with
  // no handler is answered with an error.
  void on_action(std::string action, ActionHandler handler);

  // Connected, disconnected (with the delay before the next attempt) and refused.
  // A device usually reports its whole state on kConnected.
  void on_connection(ConnectionHandler handler);

  // --- running ------------------------------------------------------------------------

  // Runs the device on a thread of its own and returns at once. No-op when running.
  void start();
  // Runs the device on the fleet's network thread, with the fleet's other devices, and
  // returns at once. No-op when running. See Fleet.
  void start(Fleet& fleet);
  // Runs the device on the calling thread until stop() is called (from another thread
  // or a handler) or millet refuses it. Returns Status::ok() after stop(), else the
  // refusal. An error at once when the device is already running.
  Status run();
  // Ends the run: sends what is queued, then DISCONNECT (millet marks the device offline
  // without the will), and settles the deliveries still awaited as kNotSent — those sent
  // just now may still reach millet. From a thread other than the network thread it waits
  // until the run has ended; from a handler it returns at once and the run ends when the
  // handler returns. Returns what ended the last run: Status::ok(), or millet's refusal.
  Status stop();
  // Whether a run is going on: false once stop() returned or millet refused the device.
  bool running() const;
  // Whether millet has accepted the current connection.
  bool connected() const;

  // --- sending ------------------------------------------------------------------------

  // Reports property values, by name: {"light.on": true, "light.brightness": 80}.
  // Sent with QoS 1 now, or as soon as the device is connected (in the order given);
  // `on_delivery`, when given, is called on the network thread once millet has answered,
  // or with kNotSent when the run ends first (not at all if the device never runs).
  // `read_at` is when the values were read (default: when millet receives them).
  // An error only when the message cannot be queued (too many unacknowledged).
  Status report(boost::json::object properties, DeliveryHandler on_delivery = {});
  Status report(boost::json::object properties, std::chrono::system_clock::time_point read_at,
                DeliveryHandler on_delivery = {});
  // Sends an event with its arguments, by property name: event("motion-sensor.motion-
  // detected", {{"motion-sensor.illumination", 120}}).
  Status event(std::string_view name, boost::json::object arguments = {}, DeliveryHandler on_delivery = {});

  const std::string& id() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs many devices on one network thread: thousands from one process (a simulator, a
// gateway), where a thread per device would not do. A device of a fleet holds its socket
// and the socket pair libmosquitto opens for each client, and nothing else — no thread.
// Its handlers run on the fleet's thread, one at a time with those of every other device
// of the fleet: a handler that takes long delays them all. Everything else is as for a
// device run on a thread of its own: the same connecting, reconnecting, stop() and
// refusals. Connecting to the server blocks the fleet's thread while TCP connects (at
// once on a local network, up to the system's connect timeout for an unreachable host).
//
//   Fleet fleet;
//   for (auto& device : devices) device->start(fleet);
//
// The fleet's destructor stops the devices still running on it (as stop() does) and
// must not run while another thread reports to one of them; a device stopped or
// destroyed first leaves the fleet by itself.
class Fleet {
 public:
  Fleet();  // starts the fleet's thread
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // How many devices are running on it.
  std::size_t size() const;

 private:
  friend class Device;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace millet::device
