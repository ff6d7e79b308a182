// Streams over real loopback sockets: reading, batched writing, and moving a
// live connection between reactors without losing or reordering bytes.

#include "net/stream.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <future>

#include "net/listener.h"
#include "net/reactor.h"

namespace millet::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

tcp::endpoint to_asio(const Endpoint& e) { return {asio::ip::make_address(e.address), e.port}; }

// Echoes lines back, prefixed with the index of the reactor that handled them.
// A line "move" moves the stream to the other reactor first.
class LineEcho : public StreamHandler {
 public:
  LineEcho(std::shared_ptr<Stream> stream, ReactorPool& pool) : stream_(std::move(stream)), pool_(pool) {}

  std::size_t on_stream_data(ByteSpan data) override {
    std::string_view text = as_text(data);
    std::size_t consumed = 0;
    while (true) {
      const std::size_t end = text.find('\n', consumed);
      if (end == std::string_view::npos) return consumed;
      const std::string_view line = text.substr(consumed, end - consumed);
      consumed = end + 1;
      const std::size_t here = stream_->reactor().index();
      if (line == "move") {
        Reactor& other = pool_.at((here + 1) % pool_.size());
        auto self = this;
        stream_->migrate(other, [self](std::shared_ptr<Stream> arrived) { arrived->start(self); });
        return consumed;
      }
      stream_->output().append(std::to_string(here) + ":" + std::string(line) + "\n");
      stream_->flush_soon();
    }
  }
  void on_stream_closed(std::string_view) override { closed.set_value(); }

  std::promise<void> closed;

 private:
  std::shared_ptr<Stream> stream_;
  ReactorPool& pool_;
};

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto listener = Listener::open(pool_, pool_.at(0), {.name = "test", .bind_address = "127.0.0.1"},
                                   [this](std::shared_ptr<Stream> stream) {
                                     auto handler = std::make_shared<LineEcho>(stream, pool_);
                                     handlers_.push_back(handler);
                                     stream->start(handler.get());
                                     accepted_on_.set_value(stream->reactor().index());
                                   });
    ASSERT_TRUE(listener.has_value());
    listener_ = std::move(*listener);
    pool_.start();
    listener_->start();
    socket_.connect(to_asio(listener_->endpoint()));
  }
  void TearDown() override {
    listener_->stop();
    pool_.stop_and_join();
  }

  std::string read_line() {
    std::string line;
    char c;
    while (asio::read(socket_, asio::buffer(&c, 1)) == 1 && c != '\n') line += c;
    return line;
  }

  ReactorPool pool_{2};
  std::unique_ptr<Listener> listener_;
  std::vector<std::shared_ptr<LineEcho>> handlers_;  // touched on reactor threads until TearDown
  std::promise<std::size_t> accepted_on_;
  asio::io_context client_io_;
  tcp::socket socket_{client_io_};
};

TEST_F(StreamTest, EchoesWholeLinesAcrossPartialWrites) {
  asio::write(socket_, asio::buffer(std::string("hel")));
  asio::write(socket_, asio::buffer(std::string("lo\nwor")));
  asio::write(socket_, asio::buffer(std::string("ld\n")));
  const std::size_t reactor = accepted_on_.get_future().get();
  EXPECT_EQ(read_line(), std::to_string(reactor) + ":hello");
  EXPECT_EQ(read_line(), std::to_string(reactor) + ":world");
}

TEST_F(StreamTest, MigratesToTheOtherReactorKeepingPipelinedBytes) {
  // "move" and the lines after it arrive in one read: the lines after it must be
  // handled on the other reactor, in order.
  asio::write(socket_, asio::buffer(std::string("a\nmove\nb\nc\n")));
  const std::size_t first = accepted_on_.get_future().get();
  const std::size_t second = (first + 1) % 2;
  EXPECT_EQ(read_line(), std::to_string(first) + ":a");
  EXPECT_EQ(read_line(), std::to_string(second) + ":b");
  EXPECT_EQ(read_line(), std::to_string(second) + ":c");
  asio::write(socket_, asio::buffer(std::string("d\n")));
  EXPECT_EQ(read_line(), std::to_string(second) + ":d");
}

TEST_F(StreamTest, LargeOutputIsWrittenInFull) {
  const std::string line(200'000, 'z');
  asio::write(socket_, asio::buffer(line + "\n"));
  const std::size_t reactor = accepted_on_.get_future().get();
  EXPECT_EQ(read_line(), std::to_string(reactor) + ":" + line);
}

TEST_F(StreamTest, PeerCloseIsReported) {
  const std::size_t reactor = accepted_on_.get_future().get();
  (void)reactor;
  auto closed = [&] {
    // The handler exists once the accept callback ran.
    return handlers_.front()->closed.get_future();
  }();
  socket_.close();
  EXPECT_EQ(closed.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace millet::net

namespace millet::net {
namespace {

// Handlers for two streams on one reactor: the second, while it holds a view of
// its bytes, makes the first read what its peer already sent.
class Recorder : public StreamHandler {
 public:
  std::size_t on_stream_data(ByteSpan data) override {
    const std::string text(as_text(data));
    if (on_data) on_data(text, data);
    return data.size();
  }
  void on_stream_closed(std::string_view) override {}
  std::function<void(const std::string&, ByteSpan)> on_data;
};

TEST(StreamOnOneReactor, ReadingAnotherStreamDoesNotOverwriteTheBytesBeingHandled) {
  ReactorPool pool(1);
  std::vector<std::shared_ptr<Stream>> streams;
  std::vector<std::shared_ptr<Recorder>> handlers;
  std::promise<void> first_seen, checked;
  std::string first_received_later;
  std::string view_after;
  auto listener = Listener::open(pool, pool.at(0), {.name = "test", .bind_address = "127.0.0.1"},
                                 [&](std::shared_ptr<Stream> stream) {
                                   auto handler = std::make_shared<Recorder>();
                                   const bool is_first = streams.empty();
                                   streams.push_back(stream);
                                   handlers.push_back(handler);
                                   if (is_first) {
                                     handler->on_data = [&, stream](const std::string& text, ByteSpan) {
                                       if (text == "first\n") {
                                         stream->pause_reading();  // what follows stays in the kernel
                                         first_seen.set_value();
                                       } else {
                                         first_received_later += text;
                                       }
                                     };
                                   } else {
                                     handler->on_data = [&](const std::string& text, ByteSpan view) {
                                       streams[0]->resume_reading();
                                       streams[0]->read_pending_input();
                                       view_after = std::string(as_text(view));
                                       EXPECT_EQ(view_after, text);
                                       checked.set_value();
                                     };
                                   }
                                   stream->start(handler.get());
                                 });
  ASSERT_TRUE(listener.has_value());
  pool.start();
  (*listener)->start();
  asio::io_context io;
  tcp::socket first(io), second(io);
  first.connect(to_asio((*listener)->endpoint()));
  asio::write(first, asio::buffer(std::string("first\n")));
  ASSERT_EQ(first_seen.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  asio::write(first, asio::buffer(std::string("second, unread until asked\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // in the server's kernel buffer
  second.connect(to_asio((*listener)->endpoint()));
  asio::write(second, asio::buffer(std::string("the bytes being handled\n")));
  ASSERT_EQ(checked.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  (*listener)->stop();
  pool.stop_and_join();
  EXPECT_EQ(view_after, "the bytes being handled\n");
  EXPECT_EQ(first_received_later, "second, unread until asked\n");
}

}  // namespace
}  // namespace millet::net

namespace millet::net {
namespace {

TEST(StreamOnOneReactor, EndOfStreamArrivingWithTheLastBytesIsSeen) {
  // The last bytes and the peer's FIN land while the reactor is busy: edge-
  // triggered epoll reports them as one event, and the close must not be lost.
  ReactorPool pool(1);
  std::shared_ptr<Stream> stream;
  std::string received;
  std::promise<void> accepted, closed;
  struct ClosingRecorder : Recorder {
    std::promise<void>* closed;
    void on_stream_closed(std::string_view) override { closed->set_value(); }
  };
  ClosingRecorder recorder;
  recorder.closed = &closed;
  recorder.on_data = [&](const std::string& text, ByteSpan) { received += text; };
  auto listener = Listener::open(pool, pool.at(0), {.name = "test", .bind_address = "127.0.0.1"},
                                 [&](std::shared_ptr<Stream> s) {
                                   stream = s;
                                   s->start(&recorder);
                                   accepted.set_value();
                                 });
  ASSERT_TRUE(listener.has_value());
  pool.start();
  (*listener)->start();
  asio::io_context io;
  tcp::socket client(io);
  client.connect(to_asio((*listener)->endpoint()));
  ASSERT_EQ(accepted.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::promise<void> busy;
  pool.at(0).post([&] {
    busy.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  });
  busy.get_future().wait();
  asio::write(client, asio::buffer(std::string("half a packet")));
  client.shutdown(tcp::socket::shutdown_send);
  EXPECT_EQ(closed.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "the peer's close was not noticed";
  (*listener)->stop();
  pool.stop_and_join();
  EXPECT_EQ(received, "half a packet");
}

}  // namespace
}  // namespace millet::net
