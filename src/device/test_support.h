#pragma once
// For device_test: a real mosquitto broker in a child process, and "millet's side" of
// the device protocol — a libmosquitto client that sends sets and actions and collects
// what the device publishes. Every wait is bounded.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

struct mosquitto;

namespace millet::device::testing {

using namespace std::chrono_literals;

// A port on 127.0.0.1 that nothing listens on (at the time of asking).
int free_port();

// mosquitto on 127.0.0.1:<port>, configured with `allow_anonymous true` plus `extra`
// (config lines, which may name files written into directory()).
class Mosquitto {
 public:
  Mosquitto();
  ~Mosquitto();
  Mosquitto(const Mosquitto&) = delete;
  Mosquitto& operator=(const Mosquitto&) = delete;

  // Writes a file in directory(); returns its path.
  std::string write_file(const std::string& name, const std::string& contents) const;
  // Adds a user to the password file (`mosquitto_passwd -b`); mention password_file()
  // in the config to use it.
  void add_user(const std::string& name, const std::string& password) const;
  std::string password_file() const { return (directory_ / "passwords").string(); }

  // Starts it (on the same port as before, if it ran before) and waits until it accepts
  // connections; throws if it does not within 5 s.
  void start(const std::string& extra = "");
  // Stops it (SIGTERM, then SIGKILL after 3 s) and waits for it to end.
  void stop();

  int port() const { return port_; }
  const std::filesystem::path& directory() const { return directory_; }
  // What it logged (log_type all) so far, over all its starts.
  std::string log() const;
  // Waits until its log contains `text` `count` times.
  bool wait_for_log(const std::string& text, int count = 1, std::chrono::milliseconds timeout = 3s) const;

 private:
  std::filesystem::path directory_;
  int port_;
  pid_t pid_ = -1;
};

struct Received {
  std::string topic;
  std::string payload;
};

// How MilletSide connects.
struct Login {
  std::string client_id = "millet";
  std::string user;  // none when empty
  std::string password;
  bool clean_start = true;
};

// millet's side: an MQTT 5 client of the broker with QoS 1 subscriptions, on its own thread.
class MilletSide {
 public:
  explicit MilletSide(int port, const Login& login = {});
  ~MilletSide();
  MilletSide(const MilletSide&) = delete;
  MilletSide& operator=(const MilletSide&) = delete;

  bool connected(std::chrono::milliseconds timeout = 3s);
  void subscribe(const std::string& topic);  // waits for the SUBACK (3 s at most)
  void publish(const std::string& topic, const std::string& payload);  // QoS 1
  // The next message received, in order; nothing after `timeout`.
  std::optional<Received> next(std::chrono::milliseconds timeout = 3s);
  // The next message on `topic`, skipping others.
  std::optional<Received> next_on(const std::string& topic, std::chrono::milliseconds timeout = 3s);

 private:
  mosquitto* mosq_ = nullptr;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool connected_ = false;
  int subscriptions_acknowledged_ = 0;
  std::deque<Received> received_;
};

}  // namespace millet::device::testing
