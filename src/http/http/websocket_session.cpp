#include "http/websocket_session.hpp"

#include <deque>
#include <string>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "core/log.hpp"

namespace ide::http::detail {

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

class Connection;

/// Reaches the connection from any thread, through the server's gate.
class Peer final : public WebSocketPeer {
 public:
  Peer(std::weak_ptr<Connection> connection, Gated gated, PostBlocking post_blocking)
      : connection_(std::move(connection)),
        gated_(std::move(gated)),
        post_blocking_(std::move(post_blocking)) {}

  void send_text(std::string text, std::function<void()> written) override;
  void close() override;
  void post_blocking(std::function<void()> task, std::chrono::milliseconds delay) override;

  /// Runs `f(connection)` on the connection's strand, if both it and the server still run.
  template <typename F>
  void on_strand(F f);

  void post_now(std::function<void()> task) { post_blocking_(std::move(task)); }

 private:
  std::weak_ptr<Connection> connection_;
  Gated gated_;
  PostBlocking post_blocking_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(beast::tcp_stream stream, RequestMessage request,
             std::shared_ptr<WebSocketConversation> conversation, std::function<void()> ended)
      : ws_(std::move(stream)),
        request_(std::move(request)),
        conversation_(std::move(conversation)),
        ended_(std::move(ended)) {}

  void start(const WebSocketSettings& settings, Gated gated, PostBlocking post_blocking) {
    peer_ = std::make_shared<Peer>(weak_from_this(), std::move(gated), std::move(post_blocking));
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = settings.handshake_timeout;
    timeout.idle_timeout = settings.idle_timeout;
    timeout.keep_alive_pings = true;  // a live client answers them: only a silent one times out
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(timeout);
    ws_.read_message_max(settings.max_message_bytes);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->end();
      self->conversation_->open(self->peer_);
      self->read();
    });
  }

  net::any_io_executor executor() { return ws_.get_executor(); }

  void enqueue(std::string text, std::function<void()> written) {
    if (ended_called_ || closing_) return;
    outgoing_.push_back({std::move(text), std::move(written)});
    if (!writing_) write_next();
  }

  void close() {
    if (ended_called_ || closing_) return;
    closing_ = true;
    if (!writing_) write_next();
  }

  void read() {
    if (ended_called_) return;
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->end();
      if (!self->ws_.got_text()) {
        // Binary messages are not part of any conversation here.
        return self->abort(websocket::close_code::unknown_data);
      }
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      // Until it is called, `read_on` is what keeps the connection (no operation is pending).
      auto conversation = self->conversation_;
      conversation->message(std::move(text), [self] {
        self->peer_->on_strand([](Connection& connection) { connection.read(); });
      });
    });
  }

 private:
  struct Outgoing {
    std::string text;
    std::function<void()> written;
  };

  void write_next() {
    if (outgoing_.empty()) {
      if (closing_) abort(websocket::close_code::normal);
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outgoing_.front().text),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->end();
                      std::function<void()> written = std::move(self->outgoing_.front().written);
                      self->outgoing_.pop_front();
                      if (written) self->peer_->post_now(std::move(written));
                      self->write_next();
                    });
  }

  void abort(websocket::close_code code) {
    closing_ = true;
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) { self->end(); });
  }

  void end() {
    if (ended_called_) return;
    ended_called_ = true;
    outgoing_.clear();
    if (conversation_) conversation_->closed();
    conversation_.reset();
    if (ended_) std::exchange(ended_, {})();
  }

  websocket::stream<beast::tcp_stream> ws_;
  RequestMessage request_;
  std::shared_ptr<WebSocketConversation> conversation_;
  std::function<void()> ended_;
  std::shared_ptr<Peer> peer_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> outgoing_;
  bool writing_ = false;
  bool closing_ = false;
  bool ended_called_ = false;
};

template <typename F>
void Peer::on_strand(F f) {
  gated_([&] {
    if (auto connection = connection_.lock()) {
      net::post(connection->executor(),
                [connection, f = std::move(f)]() mutable { f(*connection); });
    }
  });
}

void Peer::send_text(std::string text, std::function<void()> written) {
  on_strand([text = std::move(text), written = std::move(written)](Connection& c) mutable {
    c.enqueue(std::move(text), std::move(written));
  });
}

void Peer::close() {
  on_strand([](Connection& c) { c.close(); });
}

void Peer::post_blocking(std::function<void()> task, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return post_now(std::move(task));
  on_strand([post = post_blocking_, task = std::move(task), delay](Connection& c) mutable {
    auto timer = std::make_shared<net::steady_timer>(c.executor(), delay);
    timer->async_wait([post, timer, task = std::move(task)](beast::error_code ec) mutable {
      if (!ec) post(std::move(task));
    });
  });
}

}  // namespace

void start_websocket(beast::tcp_stream stream, RequestMessage request,
                     std::shared_ptr<WebSocketConversation> conversation,
                     const WebSocketSettings& settings, Gated gated, PostBlocking post_blocking,
                     std::function<void()> ended) {
  auto connection = std::make_shared<Connection>(std::move(stream), std::move(request),
                                                 std::move(conversation), std::move(ended));
  connection->start(settings, std::move(gated), std::move(post_blocking));
}

}  // namespace ide::http::detail
