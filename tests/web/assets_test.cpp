// The embedded web page (ide_web_assets): which paths find_asset serves, with which content type,
// and that what is embedded is the real page: the textarea fallback, the labelled controls, the
// bundles index.html refers to, and the CodeMirror editor bundle (not an empty stub).
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "web/assets.hpp"

using ide::web::find_asset;

TEST_CASE("find_asset: the page at / and at every share path", "[web]") {
  const auto* page = find_asset("/");
  REQUIRE(page != nullptr);
  CHECK(page->content_type == "text/html; charset=utf-8");
  CHECK(page->body.starts_with("<!doctype html>"));
  for (const char* control : {R"(<textarea id="code")", R"(<textarea id="stdin")",
                              R"(<select id="language")", R"(aria-label="Output")",
                              R"(aria-label="Share link")", R"(<button id="run")",
                              R"(<button id="share")", R"(<select id="problem")",
                              R"(id="problem-pane")"}) {
    INFO(control);
    CHECK(page->body.find(control) != std::string_view::npos);
  }
  CHECK(find_asset("/s/AbCd_-1234") == page);
  CHECK(find_asset("/s/abcdefgh/") == page);
  CHECK(find_asset("/index.html") == page);
  CHECK(find_asset("/?utm=x") == page);
  // The link a teacher gives for a problem.
  CHECK(find_asset("/?problem=AbCd_-1234") == page);
}

TEST_CASE("find_asset: every file index.html refers to, with its type", "[web]") {
  const std::string html(find_asset("/")->body);
  // Each reference carries its file's content hash, so a cached old script is never used.
  const std::regex reference(R"re((?:src|href)="(/assets/[^"?]+)\?v=([0-9a-f]{12})")re");
  int found = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const std::string path = (*it)[1];
    INFO(path);
    const auto* asset = find_asset(path);
    REQUIRE(asset != nullptr);
    CHECK(find_asset(path + "?v=" + std::string((*it)[2])) == asset);
    CHECK_FALSE(asset->body.empty());
    if (path.ends_with(".js")) CHECK(asset->content_type == "text/javascript; charset=utf-8");
    if (path.ends_with(".css")) CHECK(asset->content_type == "text/css; charset=utf-8");
    ++found;
  }
  CHECK(found == 3);  // style.css, app.js, main.js
}

TEST_CASE("find_asset: the editor bundle holds CodeMirror", "[web]") {
  const auto* bundle = find_asset("/assets/main.js");
  REQUIRE(bundle != nullptr);
  CHECK(bundle->body.size() > 100'000);
  CHECK(bundle->body.find("cm-content") != std::string_view::npos);
  CHECK(bundle->body.find("upgradeEditor") != std::string_view::npos);
}

TEST_CASE("find_asset: nothing for any other path", "[web]") {
  for (const char* path : {"", "/nope", "/s", "/s/", "/s/a/b", "/assets/", "/assets/missing.js",
                           "/assets/../index.html", "/api/v1/languages", "/favicon.ico",
                           "/ASSETS/app.js"}) {
    INFO(path);
    CHECK(find_asset(path) == nullptr);
  }
}

TEST_CASE("find_asset: safe from many threads at once", "[web]") {
  std::vector<const ide::web::Asset*> seen(8, nullptr);
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      threads.emplace_back([&seen, i] { seen[i] = find_asset(i % 2 ? "/" : "/assets/app.js"); });
    }
  }
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i] == find_asset(i % 2 ? "/" : "/assets/app.js"));
  }
}
