// The server's side of one WebSocket: the handshake on a connection whose request asked for it,
// then a conversation (http/websocket.hpp) driven on the connection's strand.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>

#include "http/dispatch.hpp"
#include "http/websocket.hpp"

namespace ide::http::detail {

struct WebSocketSettings {
  std::size_t max_message_bytes = 128 * 1024;  // a larger client message closes (1009)
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds handshake_timeout{10'000};
};

/// Runs `f` only while the server runs (its Gate): what reaches the I/O threads from others.
using Gated = std::function<void(const std::function<void()>& f)>;
/// Posts `task` to the server's pool for blocking work, while the server runs.
using PostBlocking = std::function<void(std::function<void()> task)>;

/// Accepts `request` (a WebSocket handshake) on `stream` and runs `conversation` until either
/// side closes; then `ended` runs once, on the connection's strand.
void start_websocket(boost::beast::tcp_stream stream, RequestMessage request,
                     std::shared_ptr<WebSocketConversation> conversation,
                     const WebSocketSettings& settings, Gated gated, PostBlocking post_blocking,
                     std::function<void()> ended);

}  // namespace ide::http::detail
