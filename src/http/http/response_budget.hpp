// The server-wide budget of response bytes in flight: built and handed to a connection but not
// yet written out. A client that sends a request and never reads makes its connection hold the
// whole answer until the write timeout; the budget keeps all such connections together under a
// configured number of bytes, however many there are.
#pragma once

#include <atomic>
#include <cstddef>

#include "http/message.hpp"

namespace ide::http {

class ResponseBudget {
 public:
  explicit ResponseBudget(std::size_t limit) : limit_(limit) {}
  ResponseBudget(const ResponseBudget&) = delete;
  ResponseBudget& operator=(const ResponseBudget&) = delete;

  /// Takes `bytes` if they fit under the limit, or if nothing is held at all (so that a response
  /// larger than the whole budget is still served, alone). False: nothing was taken.
  bool try_take(std::size_t bytes);
  /// Takes `bytes` even beyond the limit: only for the small answer that says it is spent.
  void take(std::size_t bytes) { held_ += bytes; }
  void give_back(std::size_t bytes) { held_ -= bytes; }

  std::size_t held() const { return held_; }
  std::size_t limit() const { return limit_; }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> held_{0};
};

/// The bytes `response` holds until it is written: its body's allocation, its headers, and an
/// allowance for the status line and the headers the server adds.
std::size_t held_bytes(const Response& response);

}  // namespace ide::http
