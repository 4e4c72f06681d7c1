#include "web/assets.hpp"

#include <string>
#include <unordered_map>

#include "embedded_files.hpp"

namespace ide::web {
namespace {

constexpr std::string_view kPagePath = "/index.html";
constexpr std::string_view kSharePrefix = "/s/";
constexpr std::string_view kAssetsPrefix = "/assets/";

class AssetTable {
 public:
  AssetTable() {
    for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
      const detail::EmbeddedFile& file = detail::kEmbeddedFiles[i];
      const std::string_view body(reinterpret_cast<const char*>(file.data), file.size);
      assets_.emplace(file.path, Asset{file.content_type, body});
    }
  }

  const Asset* find(std::string_view path) const {
    const auto it = assets_.find(path);
    return it == assets_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string_view, Asset> assets_;
};

const AssetTable& table() {
  static const AssetTable instance;
  return instance;
}

// A slug is one non-empty path segment; the page itself tells a user when it names no share.
bool is_share_page(std::string_view path) {
  if (!path.starts_with(kSharePrefix)) return false;
  std::string_view slug = path.substr(kSharePrefix.size());
  if (slug.ends_with('/')) slug.remove_suffix(1);
  return !slug.empty() && slug.find('/') == std::string_view::npos;
}

}  // namespace

const Asset* find_asset(std::string_view path) {
  // The server strips the query; doing it here too keeps a caller's mistake from becoming a 404.
  if (const auto query = path.find_first_of("?#"); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  if (path == "/" || path == "/index.html" || is_share_page(path)) return table().find(kPagePath);
  if (path.starts_with(kAssetsPrefix)) return table().find(path);
  return nullptr;
}

}  // namespace ide::web
