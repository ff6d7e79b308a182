#include "device/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace millet::device::testing {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool accepts_connections(int port) {
  const int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in address = loopback(port);
  const bool accepted = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(probe);
  return accepted;
}

std::filesystem::path make_temporary_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "millet-device-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace

int free_port() {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(listener);
  return ntohs(address.sin_port);
}

// --- Mosquitto --------------------------------------------------------------------------------

Mosquitto::Mosquitto() : directory_(make_temporary_directory()), port_(free_port()) {}

Mosquitto::~Mosquitto() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string Mosquitto::write_file(const std::string& name, const std::string& contents) const {
  const std::filesystem::path path = directory_ / name;
  std::ofstream(path) << contents;
  return path.string();
}

void Mosquitto::add_user(const std::string& name, const std::string& password) const {
  const std::string file = password_file();
  if (!std::filesystem::exists(file)) write_file("passwords", "");
  const std::string command = "mosquitto_passwd -b '" + file + "' '" + name + "' '" + password + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

void Mosquitto::start(const std::string& extra) {
  const std::string config = write_file(
      "mosquitto.conf", "user root\n"  // stays root when run as root, to read the files here
                        "listener " + std::to_string(port_) + " 127.0.0.1\n"
                        "allow_anonymous true\n"
                        "log_dest stderr\nlog_type all\n" + extra);
  const std::string log_path = (directory_ / "mosquitto.log").string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // none of the test's sockets
    ::execl(MILLET_MOSQUITTO_BROKER, "mosquitto", "-c", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!accepts_connections(port_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("mosquitto exited at start:\n" + log());
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("mosquitto did not start:\n" + log());
    std::this_thread::sleep_for(10ms);
  }
}

void Mosquitto::stop() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  pid_ = -1;
}

std::string Mosquitto::log() const {
  std::ifstream file(directory_ / "mosquitto.log");
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

bool Mosquitto::wait_for_log(const std::string& text, int count, std::chrono::milliseconds timeout) const {
  const auto occurrences = [&] {
    const std::string contents = log();
    int found = 0;
    for (auto at = contents.find(text); at != std::string::npos; at = contents.find(text, at + text.size())) ++found;
    return found;
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (occurrences() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// --- MilletSide -------------------------------------------------------------------------------

MilletSide::MilletSide(int port, const Login& login) {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(login.client_id.c_str(), login.clean_start, this);
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  if (!login.user.empty()) mosquitto_username_pw_set(mosq_, login.user.c_str(), login.password.c_str());
  mosquitto_connect_v5_callback_set(mosq_, [](mosquitto*, void* me, int code, int, const mosquitto_property*) {
    auto& side = *static_cast<MilletSide*>(me);
    std::lock_guard lock(side.mutex_);
    side.connected_ = code == 0;
    side.changed_.notify_all();
  });
  mosquitto_disconnect_v5_callback_set(mosq_, [](mosquitto*, void* me, int, const mosquitto_property*) {
    auto& side = *static_cast<MilletSide*>(me);
    std::lock_guard lock(side.mutex_);
    side.connected_ = false;
  });
  mosquitto_subscribe_v5_callback_set(mosq_, [](mosquitto*, void* me, int, int, const int*, const mosquitto_property*) {
    auto& side = *static_cast<MilletSide*>(me);
    std::lock_guard lock(side.mutex_);
    ++side.subscriptions_acknowledged_;
    side.changed_.notify_all();
  });
  mosquitto_message_v5_callback_set(
      mosq_, [](mosquitto*, void* me, const mosquitto_message* message, const mosquitto_property*) {
        auto& side = *static_cast<MilletSide*>(me);
        std::lock_guard lock(side.mutex_);
        side.received_.push_back(
            {message->topic, std::string(static_cast<const char*>(message->payload), message->payloadlen)});
        side.changed_.notify_all();
      });
  mosquitto_connect_async(mosq_, "127.0.0.1", port, 30);
  mosquitto_loop_start(mosq_);
}

MilletSide::~MilletSide() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

bool MilletSide::connected(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return connected_; });
}

void MilletSide::subscribe(const std::string& topic) {
  if (!connected()) throw std::runtime_error("millet's side did not connect");
  std::unique_lock lock(mutex_);
  const int before = subscriptions_acknowledged_;
  mosquitto_subscribe_v5(mosq_, nullptr, topic.c_str(), 1, 0, nullptr);
  if (!changed_.wait_for(lock, 3s, [&] { return subscriptions_acknowledged_ > before; })) {
    throw std::runtime_error("no SUBACK for " + topic);
  }
}

void MilletSide::publish(const std::string& topic, const std::string& payload) {
  mosquitto_publish_v5(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false,
                       nullptr);
}

std::optional<Received> MilletSide::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [this] { return !received_.empty(); })) return std::nullopt;
  Received message = std::move(received_.front());
  received_.pop_front();
  return message;
}

std::optional<Received> MilletSide::next_on(const std::string& topic, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto message = next(left);
    if (!message || message->topic == topic) return message;
  }
}

}  // namespace millet::device::testing
