// Streams over real loopback sockets: reading, batched writing, and moving a
// live connection between reactors without losing or reordering bytes.

#include "net/stream.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <future>

#include "net/listener.h"
#include "net/reactor.h"

namespace millet::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

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
    socket_.connect(listener_->endpoint());
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
