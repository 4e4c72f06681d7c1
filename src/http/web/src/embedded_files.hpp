// The table of embedded web files that the generated web_assets_data.cpp defines.
#pragma once

#include <cstddef>
#include <string_view>

namespace ide::web::detail {

struct EmbeddedFile {
  std::string_view path;          // as served, e.g. "/assets/app.js"
  std::string_view content_type;
  const unsigned char* data;
  std::size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

}  // namespace ide::web::detail
