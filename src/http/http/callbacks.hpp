// Telling another server that a run finished: an HTTP PUT of the result to a URL the submitter
// gave (Judge0's callback_url). Only to allow-listed hosts, retried while the other side fails,
// from a small thread pool of its own so a slow receiver delays nothing else.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "compose/submission_views.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "http/done_watch.hpp"

namespace ide::http {

struct CallbackSettings {
  // "host" (any port) or "host:port", as in a URL ("[::1]:9000"), case-insensitive; empty: none.
  std::vector<std::string> allowed_hosts = {};
  unsigned max_tries = 3;
  std::chrono::milliseconds timeout{5'000};            // of one try: connect, send and answer
  std::chrono::milliseconds first_retry_delay{1'000};  // doubled after each failed try
  std::size_t max_pending = 1'000;  // callbacks waiting for their run or their PUT

  /// The judge0_callback_* settings of `config`.
  static CallbackSettings from_config(const core::Config& config);
};

/// What a callback sends once the run is done, or why nothing can be sent.
using CallbackBody = std::function<core::Result<std::string>(const result::RunResult& run)>;

class CallbackSender {
 public:
  /// `views` must outlive the sender.
  CallbackSender(compose::SubmissionViews& views, CallbackSettings settings);
  ~CallbackSender() { stop(); }
  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;

  /// Whether `url` may be called back: an http:// URL without user info, of at most 2048
  /// characters, whose host (and port) is allowed. Errors: invalid_argument saying why.
  core::Result<void> check(std::string_view url) const;

  /// Takes one of max_pending places; false when all are taken.
  bool reserve();
  /// Gives back a place reserve() took that send_when_done() will not use.
  void release();

  /// Uses a reserved place: once `id`'s run is done (waiting a day at most), PUTs `body(run)`
  /// as JSON to `url` (checked), trying again while the answer is a transport failure, 429 or
  /// 5xx, up to max_tries in all.
  void send_when_done(std::string id, std::string url, CallbackBody body);

  /// Abandons the callbacks not yet sent (logged: they are held in memory only), after the PUT
  /// in progress if any. Idempotent.
  void stop();

  /// Callbacks reserved and not yet finished.
  std::size_t pending() const { return pending_.load(); }

 private:
  struct Delivery;
  struct Gate;

  result::CallbackExecutor executor() const;
  void deliver(const std::string& id, const std::string& url, const CallbackBody& body,
               WatchEnd end);
  void attempt(std::shared_ptr<Delivery> delivery);
  void finish(std::string_view outcome);

  compose::SubmissionViews& views_;
  const CallbackSettings settings_;
  std::atomic<std::size_t> pending_{0};
  core::metrics::Family<core::metrics::Counter>& outcomes_;
  boost::asio::thread_pool pool_;
  std::shared_ptr<Gate> gate_;  // how module callbacks reach pool_, until the destructor
};

}  // namespace ide::http
