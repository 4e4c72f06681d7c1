// A blocking Beast WebSocket client of GET /api/v1/submissions/{id}/stream for the tests (HTTP
// on loopback with fakes, and e2e against the real binary). Every read has a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

namespace ide::test {

/// A blocking WebSocket client whose every read has a deadline.
class StreamClient {
 public:
  using tcp = boost::asio::ip::tcp;
  /// Connects and sends the handshake for `id`'s stream; `refusal` gets the HTTP answer when
  /// the server declines the upgrade.
  StreamClient(std::uint16_t port, const std::string& id) : ws_(ioc_) {
    boost::beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(5));
    boost::beast::websocket::response_type response;
    boost::beast::error_code ec;
    ws_.handshake(response, "127.0.0.1", "/api/v1/submissions/" + id + "/stream", ec);
    if (ec) refusal = response;
    boost::beast::get_lowest_layer(ws_).expires_never();
  }

  /// The next message as JSON, or nullopt when the server closed (or nothing came in time).
  std::optional<boost::json::object> next(std::chrono::seconds limit = std::chrono::seconds(10)) {
    boost::beast::get_lowest_layer(ws_).expires_after(limit);
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) {
      closed_with = ec;
      return std::nullopt;
    }
    return boost::json::parse(boost::beast::buffers_to_string(buffer.data())).as_object();
  }

  void send(const boost::json::object& message) { send_raw(boost::json::serialize(message)); }
  /// A failure (the server closed) shows in the next read.
  void send_raw(const std::string& text) {
    boost::beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(5));
    boost::beast::error_code ignored;
    ws_.write(boost::asio::buffer(text), ignored);
  }

  std::optional<boost::beast::websocket::response_type> refusal;
  boost::beast::error_code closed_with;

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
};

/// The port of an "http://host:port" URL.
inline std::uint16_t port_of_url(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

}  // namespace ide::test
