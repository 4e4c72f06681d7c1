// The language list, the health check, the metrics and the web IDE's files.
#include "http/routes.hpp"

#include <boost/json.hpp>

#include "http/codec.hpp"
#include "http/errors.hpp"
#include "http/metrics.hpp"
#include "http/openapi.hpp"

#ifdef IDE_HAVE_WEB_ASSETS
#include "web/assets.hpp"
#endif

namespace ide::http {

namespace {

#ifndef IDE_HAVE_WEB_ASSETS
// Served until the embedded web IDE (src/http/web) is built in: enough to run code by hand.
constexpr std::string_view kFallbackPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ide</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:14px system-ui,sans-serif;margin:1rem;max-width:60rem}
textarea,pre{width:100%;box-sizing:border-box;font:13px monospace}pre{background:#f4f4f4;
padding:.5rem;white-space:pre-wrap;min-height:2rem}</style></head>
<body><h1>ide</h1>
<p><select id="language"></select> <button id="run">Run</button> <button id="share">Share</button>
<span id="status"></span></p>
<textarea id="code" rows="16" spellcheck="false">print("hello")</textarea>
<p>stdin</p><textarea id="stdin" rows="4"></textarea>
<p>output</p><pre id="out"></pre><p id="link"></p>
<script>
const $ = (id) => document.getElementById(id);
let current = null;
async function api(method, path, body) {
  const response = await fetch(path, {method, headers: {"Content-Type": "application/json"},
                                      body: body ? JSON.stringify(body) : undefined});
  const json = await response.json();
  if (!response.ok) throw new Error(json.error ? json.error.message : response.statusText);
  return json;
}
async function init() {
  for (const l of await api("GET", "/api/v1/languages")) {
    $("language").add(new Option(`${l.name} ${l.version}`, l.id));
  }
  const m = location.pathname.match(/^\/s\/([^/]+)$/);
  if (m) {
    const s = await api("GET", "/api/v1/shares/" + encodeURIComponent(m[1]));
    $("language").value = s.language; $("code").value = s.code; $("stdin").value = s.stdin;
    if (s.result) show(s.result);
  }
}
function show(r) {
  $("status").textContent = r.status === "done" ? r.verdict : r.message;
  if (r.status === "done") $("out").textContent = r.compile_output + r.stdout + r.stderr;
}
$("run").onclick = async () => {
  try {
    $("out").textContent = ""; $("link").textContent = "";
    const s = await api("POST", "/api/v1/submissions", {language: $("language").value,
                        code: $("code").value, stdin: $("stdin").value});
    current = s.id;
    let r;
    do { r = await api("GET", `/api/v1/submissions/${s.id}/result?wait_ms=10000`); show(r); }
    while (r.status !== "done");
  } catch (e) { $("status").textContent = e.message; }
};
$("share").onclick = async () => {
  if (!current) return;
  try { $("link").textContent = (await api("POST", `/api/v1/submissions/${current}/share`)).url; }
  catch (e) { $("status").textContent = e.message; }
};
init().catch((e) => { $("status").textContent = e.message; });
</script></body></html>
)html";
#endif

Response page(const Request& request) {
  Response response;
#ifdef IDE_HAVE_WEB_ASSETS
  const web::Asset* asset = web::find_asset(request.path);
  if (asset == nullptr) {
    return error_response(
        {core::ErrorCode::not_found, "There is nothing at " + request.path + "."});
  }
  response.content_type = std::string(asset->content_type);
  response.body = std::string(asset->body);
#else
  if (request.path.rfind("/assets/", 0) == 0) {
    return error_response(
        {core::ErrorCode::not_found, "There is nothing at " + request.path + "."});
  }
  response.content_type = "text/html; charset=utf-8";
  response.body = std::string(kFallbackPage);
#endif
  const bool is_page = response.content_type.rfind("text/html", 0) == 0;
  response.headers.emplace_back("Cache-Control", is_page ? "no-cache" : "public, max-age=3600");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace

void add_meta_routes(Router& router, result::ResultService& results) {
  const RouteOptions from_module{.blocking = true, .new_work = false, .always_public = true};
  router.add(
      Verb::get, "/api/v1/languages",
      [&results](Request, Reply reply) {
        auto languages = results.languages();
        if (!languages) return reply.send(error_response(languages.error()));
        reply.send(json_response(Status::ok, encode_languages(*languages)));
      },
      from_module);
  // Reads the shared queue, so not part of /healthz, which must answer while the stores cannot.
  router.add(
      Verb::get, "/healthz/queue",
      [&results](Request, Reply reply) {
        auto stats = results.queue_stats();
        if (!stats) return reply.send(error_response(stats.error()));
        reply.send(json_response(Status::ok, encode_queue_stats(*stats)));
      },
      from_module);
  // Prometheus' text format; blocking, as it reads the shared queue like /healthz/queue.
  router.add(
      Verb::get, "/metrics",
      [&results](Request, Reply reply) { reply.send(metrics_response(results)); }, from_module);
  const RouteOptions in_memory{.blocking = false, .new_work = false, .always_public = true};
  router.add(
      Verb::get, "/healthz",
      [](Request, Reply reply) {
        reply.send(json_response(Status::ok, {{"status", "ok"}}));
      },
      in_memory);
  router.add(
      Verb::get, "/api/v1/openapi.json",
      [](Request, Reply reply) {
        Response response;
        response.content_type = std::string(kJsonType);
        response.body = std::string(openapi_document());
        reply.send(std::move(response));
      },
      in_memory);
  const auto serve_page = [](Request request, Reply reply) { reply.send(page(request)); };
  router.add(Verb::get, "/", serve_page, in_memory);
  router.add(Verb::get, "/s/{slug}", serve_page, in_memory);
  router.add(Verb::get, "/assets/*", serve_page, in_memory);
}

void add_all_routes(Router& router, const ApiContext& api) {
  add_submission_routes(router, api);
  add_result_routes(router, api.views, api.result_cache);
  add_stream_routes(router, api.views, api.results);
  add_url_routes(router, api.urls, api.views, api.base_url);
  add_meta_routes(router, api.results);
  add_piston_routes(router, api);
  add_judge0_routes(router, api);
  add_problem_routes(router, api);
  add_class_routes(router, api);
  add_class_view_routes(router, api);
  guard_anonymous_routes(router, api);
}

}  // namespace ide::http
