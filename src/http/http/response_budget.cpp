#include "http/response_budget.hpp"

namespace ide::http {

namespace {
// "HTTP/1.1 503 Service Unavailable", Server, Content-Length, Connection and Beast's own
// bookkeeping of the header fields.
constexpr std::size_t kFixedHeaderBytes = 256;
}  // namespace

bool ResponseBudget::try_take(std::size_t bytes) {
  std::size_t held = held_.load();
  do {
    if (held != 0 && (bytes > limit_ || held > limit_ - bytes)) return false;
  } while (!held_.compare_exchange_weak(held, held + bytes));
  return true;
}

// A shared_body is not counted: it is held by its owner (the result cache, within its own
// bound) whether or not it is being sent, and many answers may send one copy at once.
std::size_t held_bytes(const Response& response) {
  std::size_t bytes = kFixedHeaderBytes + response.body.capacity() + response.content_type.size();
  for (const auto& [name, value] : response.headers) bytes += name.size() + value.size() + 4;
  return bytes;
}

}  // namespace ide::http
