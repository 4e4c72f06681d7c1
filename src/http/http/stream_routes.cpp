// GET /api/v1/submissions/{id}/stream: a WebSocket that relays a run's live output as the
// program writes it, takes interactive stdin, and ends with the result (docs/API.md). It polls
// ResultService::read_live on the blocking pool without waiting there, so no pool thread is
// held between chunks; a client that does not read is not sent more (one batch in flight). Once
// no more output can come, the result is awaited with the long poll's watch (done_watch.hpp).
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/json.hpp>

#include "core/json.hpp"
#include "http/codec.hpp"
#include "http/done_watch.hpp"
#include "http/errors.hpp"
#include "http/routes.hpp"

namespace ide::http {

namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

constexpr milliseconds kLivePoll{50};  // between reads of live output that found none
// How long a stream waits for its result (the run's own limits end it far sooner).
constexpr std::chrono::hours kResultWait{1};

std::string frame(json::object body) { return json::serialize(body); }

std::string error_frame(std::string_view reason, std::string_view message) {
  return frame({{"type", "error"}, {"reason", reason}, {"message", message}});
}

/// What a client message asks: bytes for stdin, and whether stdin then closes.
struct StdinCommand {
  std::string bytes;
  bool close = false;
};

/// {"type": "stdin", "data": text or {"base64": ...}} or {"type": "close_stdin"}.
core::Result<StdinCommand> parse_command(std::string_view text) {
  const auto bad = [](std::string message) {
    return core::Result<StdinCommand>(
        core::fail(core::ErrorCode::invalid_argument, std::move(message)));
  };
  const core::Result<json::object> parsed = core::json::parse_object(text);
  const json::object* object = parsed ? &*parsed : nullptr;
  const json::value* type = object ? object->if_contains("type") : nullptr;
  if (type == nullptr || !type->is_string()) return bad("A message is a JSON object with a type.");
  if (type->get_string() == "close_stdin") return StdinCommand{{}, true};
  if (type->get_string() != "stdin") return bad("The type is stdin or close_stdin.");
  const json::value* data = object->if_contains("data");
  try {
    if (data != nullptr) return StdinCommand{core::json::bytes_from_json(*data), false};
  } catch (const std::exception&) {
  }
  return bad("A stdin message has data: a string, or {\"base64\": ...}.");
}

class StreamConversation final : public WebSocketConversation,
                                 public std::enable_shared_from_this<StreamConversation> {
 public:
  StreamConversation(std::string id, compose::SubmissionViews& views,
                     result::ResultService& results)
      : id_(std::move(id)), views_(views), results_(results) {}

  void open(std::shared_ptr<WebSocketPeer> peer) override {
    peer_ = std::move(peer);
    peer_->post_blocking([self = shared_from_this()] { self->begin(); });
  }

  void message(std::string text, std::function<void()> read_on) override {
    auto command = parse_command(text);
    if (!command) {
      return peer_->send_text(error_frame("bad_message", command.error().message), read_on);
    }
    peer_->post_blocking([self = shared_from_this(), command = std::move(*command), read_on] {
      self->send_stdin(command, read_on);
    });
  }

  void closed() override { closed_ = true; }

 private:
  /// A finished submission answers its result at once; otherwise the output is followed.
  void begin() {
    auto run = views_.result(id_);
    if (run && run->status == result::Status::done) return send_result(*run);
    poll();
  }

  void poll() {
    if (closed_) return;
    auto output = results_.read_live(id_, offset_, milliseconds(0));
    // Running in another worker process (or unreachable): only the result can be relayed.
    if (!output) return wait_for_result();
    offset_ = output->next_offset;
    if (!output->chunks.empty()) return send_chunks(std::move(output->chunks));
    if (output->done) return wait_for_result();
    peer_->post_blocking([self = shared_from_this()] { self->poll(); }, kLivePoll);
  }

  void send_chunks(std::vector<result::LiveChunk> chunks) {
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      std::string text = frame({{"type", result::to_string(chunks[i].stream)},
                                {"data", core::json::bytes_to_json(chunks[i].bytes)}});
      // The next read waits until the last of these is on the wire.
      std::function<void()> written;
      if (i + 1 == chunks.size()) written = [self = shared_from_this()] { self->poll(); };
      peer_->send_text(std::move(text), std::move(written));
    }
  }

  void wait_for_result() {
    auto self = shared_from_this();
    watch_until_done(
        views_, id_, std::chrono::steady_clock::now() + kResultWait,
        [self](std::function<void()> task) { self->peer_->post_blocking(std::move(task)); },
        [self](WatchEnd end) { self->end_with(end); });
  }

  void end_with(const WatchEnd& end) {
    if (closed_) return;
    if (end.run && end.run->status == result::Status::done) return send_result(*end.run);
    const core::Error error =
        end.run ? core::Error{end.stopping ? core::ErrorCode::shutting_down
                                           : core::ErrorCode::unavailable,
                              "The run has not finished: GET its result later."}
                : end.run.error();
    peer_->send_text(error_frame(core::to_string(error.code), error.message));
    peer_->close();
  }

  void send_result(const result::RunResult& run) {
    peer_->send_text(frame({{"type", "result"}, {"result", encode_result(run, {})}}));
    peer_->close();
  }

  void send_stdin(const StdinCommand& command, const std::function<void()>& read_on) {
    auto reply = results_.send_stdin(id_, command.bytes, command.close);
    if (reply && *reply == result::StdinReply::accepted) return read_on();
    if (reply) {
      return peer_->send_text(
          error_frame(result::to_string(*reply), "The program's stdin did not take it."), read_on);
    }
    peer_->send_text(error_frame(core::to_string(reply.error().code), reply.error().message),
                     read_on);
  }

  const std::string id_;
  compose::SubmissionViews& views_;
  result::ResultService& results_;
  std::shared_ptr<WebSocketPeer> peer_;
  std::atomic<bool> closed_{false};
  std::uint64_t offset_ = 0;  // touched only by the chain of polls, one at a time
};

}  // namespace

void add_stream_routes(Router& router, compose::SubmissionViews& views,
                       result::ResultService& results) {
  router.add(
      Verb::get, "/api/v1/submissions/{id}/stream",
      [&views, &results](Request request, Reply reply) {
        if (!request.websocket_upgrade) {
          return reply.send(error_response(Status::upgrade_required,
                                           core::ErrorCode::invalid_argument,
                                           "This route is a WebSocket: send an upgrade."));
        }
        reply.post_blocking([&views, &results, reply, id = std::string(request.param("id"))] {
          auto run = views.result(id);
          if (!run) return reply.send(error_response(run.error()));
          reply.upgrade(std::make_shared<StreamConversation>(id, views, results));
        });
      },
      {.blocking = false});
}

}  // namespace ide::http
