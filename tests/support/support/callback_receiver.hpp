// The receiving end of callbacks: our own HTTP server on a loopback port picked by the kernel,
// recording each PUT /callbacks/{name} and answering it with the next of the statuses it was
// given (204 once they run out). Header-only: used by tests that link ide_http.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"

namespace ide::test {

class CallbackReceiver {
 public:
  struct Received {
    std::string path;     // as sent, e.g. "/callbacks/a"
    std::string query_a;  // the value of ?a=, to see the query arrive
    std::string body;
  };

  explicit CallbackReceiver(std::deque<unsigned> statuses = {}) : statuses_(std::move(statuses)) {
    http::Router router;
    router.add(
        http::Verb::put, "/callbacks/{name}",
        [this](http::Request request, http::Reply reply) { record(std::move(request), reply); },
        {.blocking = false});
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<http::Server>(std::move(options), std::move(router));
    if (auto started = server_->start(); !started) {
      throw std::runtime_error("callback receiver did not start: " + started.error().message);
    }
  }

  std::uint16_t port() const { return server_->port(); }
  /// "127.0.0.1:port": the entry that allows this receiver.
  std::string host() const { return "127.0.0.1:" + std::to_string(port()); }
  std::string url(const std::string& name) const {
    return "http://" + host() + "/callbacks/" + name;
  }

  /// What arrived once `count` PUTs have, or whatever arrived within `wait`.
  std::vector<Received> wait_for(std::size_t count,
                                 std::chrono::milliseconds wait = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, wait, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  void record(http::Request request, const http::Reply& reply) {
    unsigned status = 204;
    {
      std::lock_guard lock(mutex_);
      received_.push_back({request.path, std::string(request.query_param("a").value_or("")),
                           std::move(request.body)});
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
    }
    arrived_.notify_all();
    http::Response response;
    response.status = static_cast<http::Status>(status);
    reply.send(std::move(response));
  }

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<unsigned> statuses_;
  std::vector<Received> received_;
  std::unique_ptr<http::Server> server_;  // last: stopped before what its handler uses goes
};

}  // namespace ide::test
