// What a route does with a WebSocket (RFC 6455) once its upgrade is accepted: a conversation
// that the server drives, and the peer it talks to. Text messages only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace ide::http {

/// The connection's side a conversation calls. Thread-safe; once the connection is closed or the
/// server has stopped, every call does nothing (a task posted is then dropped).
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  /// Queues a text message; `written` then runs on the blocking pool once it is on the wire.
  virtual void send_text(std::string text, std::function<void()> written = {}) = 0;
  /// Closes (normally) after the messages queued so far.
  virtual void close() = 0;
  /// Runs `task` on the server's pool for blocking work, after `delay`.
  virtual void post_blocking(std::function<void()> task, std::chrono::milliseconds delay = {}) = 0;
};

/// One WebSocket's behaviour. Called on the connection's strand, so calls never overlap; none
/// may block (blocking work goes through WebSocketPeer::post_blocking).
class WebSocketConversation {
 public:
  virtual ~WebSocketConversation() = default;
  /// The handshake is done. `peer` lives as long as anyone holds it.
  virtual void open(std::shared_ptr<WebSocketPeer> peer) = 0;
  /// A text message from the client (within the server's message limit). The next one is read
  /// only once `read_on` is called (from any thread): the conversation paces its client.
  virtual void message(std::string text, std::function<void()> read_on) = 0;
  /// The connection is over (either side closed it, or it timed out). Last call.
  virtual void closed() = 0;
};

}  // namespace ide::http
