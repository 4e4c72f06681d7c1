// A small Beast client for the HTTP tests: well-formed requests, and raw bytes for the
// malformed, oversized and stalled ones. Every operation has a timeout so a broken server fails
// the test instead of hanging it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace ide::test {

struct Answer {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  boost::json::value json() const { return boost::json::parse(body); }
  /// The error code of an error body ("" when it is not one).
  std::string error_code() const {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) return "";
    const auto* error = value.as_object().if_contains("error");
    if (error == nullptr || !error->is_object()) return "";
    const auto* code = error->as_object().if_contains("code");
    return code != nullptr && code->is_string() ? std::string(code->get_string()) : "";
  }
  std::string error_message() const {
    auto value = json();
    return std::string(value.at("error").at("message").as_string());
  }
};

/// The string in `value` (empty when it is not a string), for comparisons with std::string.
inline std::string str(const boost::json::value& value) {
  return value.is_string() ? std::string(value.get_string()) : std::string();
}

/// One connection to the server under test.
class Connection {
 public:
  static constexpr std::chrono::seconds kTimeout{20};

  /// Connects from `local_address` (any loopback address works on Linux), so that a test can
  /// play several clients.
  explicit Connection(std::uint16_t port, std::string_view local_address = "127.0.0.1")
      : stream_(ioc_) {
    boost::beast::error_code ec;
    const boost::asio::ip::tcp::endpoint local(
        boost::asio::ip::make_address(std::string(local_address)), 0);
    stream_.socket().open(local.protocol());
    stream_.socket().bind(local);
    stream_.expires_after(kTimeout);
    stream_.async_connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
        [&](boost::beast::error_code e) { ec = e; });
    run();
    if (ec) throw std::runtime_error("connect: " + ec.message());
  }

  void send_raw(std::string_view bytes) {
    boost::beast::error_code ec;
    stream_.expires_after(kTimeout);
    boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()),
                             [&](boost::beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) throw std::runtime_error("write: " + ec.message());
  }

  /// Sends a well-formed request (keep-alive) and reads the answer.
  Answer request(boost::beast::http::verb method, std::string_view target,
                 std::string body = "",
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace bhttp = boost::beast::http;
    bhttp::request<bhttp::string_body> message(method, target, 11);
    message.set(bhttp::field::host, "ide.test:8080");
    for (const auto& [name, value] : headers) message.set(name, value);
    if (!body.empty() || method == bhttp::verb::post) {
      if (message.find(bhttp::field::content_type) == message.end()) {
        message.set(bhttp::field::content_type, "application/json");
      }
      message.body() = std::move(body);
    }
    message.keep_alive(true);
    message.prepare_payload();
    boost::beast::error_code ec;
    stream_.expires_after(kTimeout);
    bhttp::async_write(stream_, message, [&](boost::beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) throw std::runtime_error("write: " + ec.message());
    return read(method == bhttp::verb::head);
  }

  /// Reads one response; to a HEAD request (`head`) it has no body whatever Content-Length says.
  Answer read(bool head = false) {
    namespace bhttp = boost::beast::http;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    parser.skip(head);
    boost::beast::error_code ec;
    stream_.expires_after(kTimeout);
    bhttp::async_read(stream_, buffer_, parser,
                      [&](boost::beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) throw std::runtime_error("read: " + ec.message());
    Answer answer;
    auto& response = parser.get();
    answer.status = response.result_int();
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      answer.headers[name] = std::string(field.value());
    }
    answer.body = std::move(response.body());
    return answer;
  }

  /// Reads until the server closes the connection: true when it did (EOF or reset) within the
  /// client's timeout, false if the timeout came first.
  bool closed_by_server() {
    char scratch[4096];
    while (true) {
      boost::beast::error_code ec;
      stream_.expires_after(kTimeout);
      stream_.async_read_some(boost::asio::buffer(scratch),
                              [&](boost::beast::error_code e, std::size_t) { ec = e; });
      run();
      if (ec == boost::beast::error::timeout) return false;
      if (ec) return true;
    }
  }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }

  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

inline Answer get(std::uint16_t port, std::string_view target) {
  return Connection(port).request(boost::beast::http::verb::get, target);
}

inline Answer post(std::uint16_t port, std::string_view target, std::string body) {
  return Connection(port).request(boost::beast::http::verb::post, target, std::move(body));
}

/// Request headers, as Connection::request takes them.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// `Authorization: Bearer <secret>`.
inline Headers bearer(std::string_view secret) {
  return {{"Authorization", "Bearer " + std::string(secret)}};
}

}  // namespace ide::test
