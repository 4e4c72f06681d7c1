// The web IDE's files (HTML, CSS, JS), embedded into the binary at build time: no CDN, works
// offline. Library ide_web_assets, linked by ide_http only.
#pragma once

#include <string_view>

namespace ide::web {

struct Asset {
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;
};

/// The embedded file for a GET of `path` (no query string): "/" and "/s/<anything>" give the IDE
/// page (which reads the slug from location.pathname), "/assets/..." the bundled files.
/// nullptr when there is none. Thread-safe; the returned data lives as long as the program.
const Asset* find_asset(std::string_view path);

}  // namespace ide::web
