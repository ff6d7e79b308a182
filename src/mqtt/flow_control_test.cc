// Flow control between shards, with a real broker on two reactors and clients
// on loopback sockets. A subscriber's shard that stops for a while (busy, or
// not scheduled) must hold back publishers on the other shard rather than have
// their messages pile up and then arrive in one burst too big to deliver.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "mqtt/broker.h"
#include "mqtt/codec.h"
#include "net/listener.h"
#include "net/reactor.h"
#include "store/kv_store.h"

namespace millet::mqtt {
namespace {

using namespace std::chrono_literals;

// A blocking MQTT 3.1.1 client, just enough for the test.
class TestClient {
 public:
  TestClient(std::uint16_t port, std::string client_id) : client_id_(std::move(client_id)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ByteBuffer out;
    encode(Connect{.version = ProtocolVersion::kV311, .keep_alive = 0, .client_id = client_id_}, out);
    send(out.readable());
    EXPECT_EQ(next_packet().type(), PacketType::kConnack);
  }
  ~TestClient() { ::close(fd_); }

  void subscribe(std::string_view filter) {
    ByteBuffer out;
    encode(Subscribe{.packet_id = 1, .subscriptions = {{.filter = filter}}}, ProtocolVersion::kV311, out);
    send(out.readable());
    EXPECT_EQ(next_packet().type(), PacketType::kSuback);
  }

  void send(ByteSpan bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      ASSERT_GT(sent, 0) << "send failed";
      bytes = bytes.subspan(static_cast<std::size_t>(sent));
    }
  }

  // The next packet's frame; its body is in body().
  Frame next_packet() {
    buffer_.consume(consumed_);
    consumed_ = 0;
    while (true) {
      auto frame = read_frame(buffer_.readable(), 1 << 20);
      if (frame && *frame && buffer_.size() >= (*frame)->total_size()) {
        body_ = buffer_.readable().subspan((*frame)->header_size, (*frame)->remaining_length);
        consumed_ = (*frame)->total_size();
        return **frame;
      }
      auto space = buffer_.prepare(1 << 16);
      const ssize_t count = ::recv(fd_, space.data(), space.size(), 0);
      if (count <= 0) return Frame{};  // closed, or nothing for 10 s
      buffer_.commit(static_cast<std::size_t>(count));
    }
  }
  ByteSpan body() const { return body_; }

 private:
  std::string client_id_;
  int fd_ = -1;
  ByteBuffer buffer_;
  std::size_t consumed_ = 0;
  ByteSpan body_;
};

class FlowControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    auto listener = net::Listener::open(
        reactors_, reactors_.at(0), {.name = "mqtt", .bind_address = "127.0.0.1", .port = 0},
        [this](std::shared_ptr<net::Stream> stream) { broker_.accept(std::move(stream)); });
    ASSERT_TRUE(listener) << listener.error();
    listener_ = std::move(listener).value();
    ASSERT_TRUE(broker_.restore());
    reactors_.start();
    listener_->start();
  }
  void TearDown() override {
    listener_->stop();
    std::promise<void> finished;
    broker_.shut_down([&finished] { finished.set_value(); });
    finished.get_future().wait_for(10s);
    reactors_.stop_and_join();
  }

  // A client id whose session lives on shard `shard`.
  std::string client_id_on(std::size_t shard, std::string_view prefix) {
    for (int i = 0;; ++i) {
      std::string id = std::string(prefix) + std::to_string(i);
      if (broker_.home_shard(id).index() == shard) return id;
    }
  }

  std::uint16_t port() const { return listener_->endpoint().port; }

  std::unique_ptr<store::KvStore> store_ = store::make_memory_store();
  net::ReactorPool reactors_{2};
  Broker broker_{BrokerConfig{}, reactors_, *store_};
  std::unique_ptr<net::Listener> listener_;
};

TEST_F(FlowControlTest, AStalledShardHoldsBackPublishersElsewhereAndLosesNoMessage) {
  constexpr int kMessages = 24'000;  // 24 MiB: more than a subscriber may be behind
  constexpr std::size_t kPayload = 1024;
  TestClient subscriber(port(), client_id_on(0, "subscriber-"));
  subscriber.subscribe("flow/t");
  TestClient publisher(port(), client_id_on(1, "publisher-"));

  // Shard 0, the subscriber's, stops until released.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> stalled;
  reactors_.at(0).post([released, &stalled] {
    stalled.set_value();
    released.wait();
  });
  stalled.get_future().wait();

  std::atomic<int> sent{0};
  std::thread flood([&] {
    ByteBuffer batch;
    std::string payload(kPayload, '.');
    for (int i = 0; i < kMessages; ++i) {
      const std::string number = std::to_string(i);
      std::copy(number.begin(), number.end(), payload.begin());
      payload[number.size()] = ' ';
      encode(Publish{.topic = "flow/t", .payload = as_bytes(payload)}, ProtocolVersion::kV311, batch);
      if ((i + 1) % 64 == 0 || i + 1 == kMessages) {
        publisher.send(batch.readable());
        batch.clear();
        sent.store(i + 1);
      }
    }
  });

  // While shard 0 stands still the publisher is held: its writes stop going
  // through once the window and the socket buffers are full.
  int before = -1;
  for (int waited = 0; waited < 50 && sent.load() != before; ++waited) {
    before = sent.load();
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_LT(sent.load(), kMessages) << "the publisher was not held back while the subscriber's shard stood still";

  release.set_value();
  int received = 0;
  bool in_order = true;
  while (received < kMessages) {
    const Frame frame = subscriber.next_packet();
    if (frame.type() != PacketType::kPublish) break;
    const ByteSpan body = subscriber.body();
    const std::size_t topic_length = (std::to_integer<std::size_t>(body[0]) << 8) | std::to_integer<std::size_t>(body[1]);
    const auto payload = body.subspan(2 + topic_length);
    const std::string text(reinterpret_cast<const char*>(payload.data()), 16);
    in_order &= std::stoi(text) == received;
    ++received;
  }
  flood.join();
  EXPECT_EQ(received, kMessages) << "QoS 0 messages were dropped";
  EXPECT_TRUE(in_order) << "messages arrived out of order";
}

}  // namespace
}  // namespace millet::mqtt
