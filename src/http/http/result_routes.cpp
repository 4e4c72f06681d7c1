// getResult, with long-polling that holds no thread while it waits. A done result never changes:
// its encoded body is kept in the ResultCache and answered from there, with an ETag.
#include "http/routes.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "http/errors.hpp"
#include "http/query.hpp"

namespace ide::http {

namespace {

// A done result is immutable, so any cache may keep it; until then it changes by the second.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoStore = "no-store";

struct Lookup {
  std::string id;
  bool base64 = false;
  std::string if_none_match;
  std::uint64_t cache_generation = 0;  // read before the result is fetched
};

/// Strong: a hash of the bytes themselves, so the tag changes whenever the body could.
std::string etag_of(std::string_view body, bool base64) {
  char tag[32];
  std::snprintf(tag, sizeof tag, "\"%016zx-%c\"", std::hash<std::string_view>{}(body),
                base64 ? 'b' : 't');
  return tag;
}

/// The answer for a done result without its body: 304 when the client has it, else 200 that
/// the caller gives the body.
Response done_response(const std::string& etag, std::string_view if_none_match) {
  Response response;
  response.headers = {{"ETag", etag}, {"Cache-Control", std::string(kImmutable)}};
  if (!if_none_match.empty() && none_match_hits(if_none_match, etag)) {
    response.status = Status::not_modified;
  } else {
    response.content_type = kJsonType;
  }
  return response;
}

Response cached_response(const CachedBody& cached, std::string_view if_none_match) {
  Response response = done_response(cached.etag, if_none_match);
  if (response.status == Status::ok) response.shared_body = cached.body;
  return response;
}

/// Encodes a done result, keeps it in `cache` when it fits and answers it.
Response encode_done(const result::RunResult& run, const Lookup& lookup, ResultCache& cache) {
  // json_response: its body is serialised without the slack that doubling growth leaves.
  std::string body =
      json_response(Status::ok, encode_result(run, {.base64 = lookup.base64})).body;
  std::string etag = etag_of(body, lookup.base64);
  if (body.size() <= cache.max_bytes()) {
    CachedBody cached{std::make_shared<const std::string>(std::move(body)), std::move(etag)};
    cache.put(lookup.id, lookup.base64, cached, lookup.cache_generation);
    return cached_response(cached, lookup.if_none_match);
  }
  // Not cached: the answer owns its body, so the budget of unsent answers counts it.
  Response response = done_response(etag, lookup.if_none_match);
  if (response.status == Status::ok) response.body = std::move(body);
  return response;
}

Response not_cacheable(Response response) {
  response.headers.emplace_back("Cache-Control", kNoStore);
  return response;
}

/// Runs on the blocking pool: encoding multi-megabyte output is no work for a module's thread.
Response render(core::Result<result::RunResult> run, const Lookup& lookup, ResultCache& cache) {
  if (!run) return error_response(run.error());
  if (run->status == result::Status::done) return encode_done(*run, lookup, cache);
  return not_cacheable(json_response(Status::ok, encode_result(*run, {.base64 = lookup.base64})));
}

}  // namespace

void add_result_routes(Router& router, compose::SubmissionViews& views, ResultCache& cache) {
  // Not on the blocking pool: a cache hit only touches memory; a miss goes there itself.
  router.add(
      Verb::get, "/api/v1/submissions/{id}/result",
      [&views, &cache](Request request, Reply reply) {
        auto wait = wait_ms_param(request);
        if (!wait) return reply.send(error_response(wait.error()));
        auto base64 = base64_param(request);
        if (!base64) return reply.send(error_response(base64.error()));
        Lookup lookup{std::string(request.param("id")), *base64,
                      std::move(request.if_none_match), cache.generation()};
        if (auto hit = cache.find(lookup.id, lookup.base64)) {
          return reply.send(cached_response(*hit, lookup.if_none_match));
        }
        reply.post_blocking([&views, &cache, reply, wait = *wait,
                             lookup = std::move(lookup)]() mutable {
          if (wait.count() <= 0) return reply.send(render(views.result(lookup.id), lookup, cache));
          const auto on_pool = [reply](std::function<void()> task) {
            reply.post_blocking(std::move(task));
          };
          auto watched = views.watch_result(
              lookup.id, wait, on_pool,
              [reply, lookup, &cache](core::Result<result::RunResult> run) {
                reply.send(render(std::move(run), lookup, cache));
              });
          if (!watched) reply.send(error_response(watched.error()));
        });
      },
      {.blocking = false});
}

}  // namespace ide::http
