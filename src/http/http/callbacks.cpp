#include "http/callbacks.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include "core/log.hpp"
#include "http/done_watch.hpp"
#include "http/http_client.hpp"

namespace ide::http {

namespace net = boost::asio;

namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr unsigned kThreads = 2;
// A run queued behind a long queue may take this long; a callback waits no longer.
constexpr auto kLongestWait = std::chrono::hours(24);

/// Whether the allow-list entry `allowed` ("host" or "host:port") admits `host` and `port`.
bool admits(std::string_view allowed, std::string_view host, std::string_view port) {
  const auto colon = allowed.rfind(':');
  if (colon == std::string_view::npos || allowed.back() == ']') {
    return boost::algorithm::iequals(allowed, host);
  }
  return boost::algorithm::iequals(allowed.substr(0, colon), host) &&
         allowed.substr(colon + 1) == port;
}

bool worth_retrying(const core::Result<ClientResponse>& answer) {
  return !answer || answer->status == 429 || answer->status >= 500;
}

}  // namespace

CallbackSettings CallbackSettings::from_config(const core::Config& config) {
  CallbackSettings settings;
  settings.allowed_hosts = config.judge0_callback_hosts;
  settings.max_tries = config.judge0_callback_tries;
  settings.timeout = std::chrono::milliseconds(config.judge0_callback_timeout_ms);
  settings.max_pending = config.max_queue;
  return settings;
}

struct CallbackSender::Delivery {
  std::string id;
  std::string url;
  std::string body;
  unsigned tries = 0;
};

struct CallbackSender::Gate {
  std::mutex mutex;
  net::thread_pool* pool = nullptr;  // null once the sender is going
};

CallbackSender::CallbackSender(compose::SubmissionViews& views, CallbackSettings settings)
    : views_(views),
      settings_(std::move(settings)),
      outcomes_(core::metrics::process_registry().counter(
          "ide_callbacks_total",
          "Judge0 callbacks finished: sent (answered below 500), failed (every try failed) or "
          "abandoned (the run did not finish, or its answer could not be made).",
          {"outcome"})),
      pool_(kThreads),
      gate_(std::make_shared<Gate>()) {
  gate_->pool = &pool_;
  for (std::string_view outcome : {"sent", "failed", "abandoned"}) outcomes_.with({outcome});
}

void CallbackSender::stop() {
  {
    std::lock_guard lock(gate_->mutex);
    if (gate_->pool == nullptr) return;
    gate_->pool = nullptr;
  }
  pool_.stop();
  pool_.join();
  if (const std::size_t left = pending_.load(); left > 0) {
    core::log::warn("callbacks: {} not sent, the server is stopping", left);
  }
}

core::Result<void> CallbackSender::check(std::string_view url) const {
  const auto refuse = [&](std::string_view why) {
    return core::fail(core::ErrorCode::invalid_argument, std::string(why));
  };
  if (url.size() > kMaxUrlLength) return refuse("is longer than 2048 characters");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->scheme_id() != boost::urls::scheme::http) {
    return refuse("must be an http:// URL");
  }
  if (parsed->has_userinfo()) return refuse("must not carry a user name or password");
  const std::string_view host = parsed->encoded_host();
  const std::string_view port = parsed->has_port() ? parsed->port() : "80";
  const bool allowed =
      std::any_of(settings_.allowed_hosts.begin(), settings_.allowed_hosts.end(),
                  [&](const std::string& entry) { return admits(entry, host, port); });
  if (host.empty() || !allowed) {
    return refuse("host " + std::string(host) + " is not one callbacks may be sent to");
  }
  return {};
}

bool CallbackSender::reserve() {
  std::size_t taken = pending_.load();
  do {
    if (taken >= settings_.max_pending) return false;
  } while (!pending_.compare_exchange_weak(taken, taken + 1));
  return true;
}

void CallbackSender::release() { --pending_; }

void CallbackSender::finish(std::string_view outcome) {
  outcomes_.with({outcome}).inc();
  release();
}

result::CallbackExecutor CallbackSender::executor() const {
  return [gate = gate_](std::function<void()> task) {
    std::lock_guard lock(gate->mutex);
    if (gate->pool != nullptr) net::post(*gate->pool, std::move(task));
  };
}

void CallbackSender::send_when_done(std::string id, std::string url, CallbackBody body) {
  const auto deadline = std::chrono::steady_clock::now() + kLongestWait;
  watch_until_done(views_, id, deadline, executor(),
                   [this, id, url = std::move(url), body = std::move(body)](WatchEnd end) {
                     deliver(id, url, body, std::move(end));
                   });
}

void CallbackSender::deliver(const std::string& id, const std::string& url,
                             const CallbackBody& body, WatchEnd end) {
  if (!end.run || end.run->status != result::Status::done) {
    core::log::warn("callbacks: {}: not sent, the run did not finish: {}", id,
                    end.run ? "the wait ended" : end.run.error().message);
    return finish("abandoned");
  }
  auto rendered = body(*end.run);
  if (!rendered) {
    core::log::warn("callbacks: {}: not sent: {}", id, rendered.error().message);
    return finish("abandoned");
  }
  attempt(std::make_shared<Delivery>(Delivery{id, url, std::move(*rendered)}));
}

void CallbackSender::attempt(std::shared_ptr<Delivery> delivery) {
  ++delivery->tries;
  auto parsed = boost::urls::parse_absolute_uri(delivery->url);
  auto client = HttpClient::create(parsed->encoded_origin(), "ide-callback");
  const std::string target =
      parsed->encoded_target().empty() ? std::string("/") : std::string(parsed->encoded_target());
  auto answer = client ? client->request(Verb::put, target, delivery->body, settings_.timeout)
                       : core::Result<ClientResponse>(core::Unexpected(client.error()));
  if (!worth_retrying(answer)) {
    core::log::debug("callbacks: {}: {} answered {}", delivery->id, delivery->url, answer->status);
    return finish("sent");
  }
  const std::string why =
      answer ? "status " + std::to_string(answer->status) : answer.error().message;
  if (delivery->tries >= settings_.max_tries) {
    core::log::warn("callbacks: {}: gave up on {} after {} tries: {}", delivery->id, delivery->url,
                    delivery->tries, why);
    return finish("failed");
  }
  auto timer = std::make_shared<net::steady_timer>(
      pool_, settings_.first_retry_delay * (1 << (delivery->tries - 1)));
  timer->async_wait([this, timer, delivery](const boost::system::error_code& ec) {
    if (!ec) attempt(delivery);
  });
}

}  // namespace ide::http
