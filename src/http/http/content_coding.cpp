#include "http/content_coding.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/trim.hpp>

namespace ide::http {

namespace {

/// The q-value of one Accept-Encoding entry ("gzip;q=0.5" -> 0.5; none given -> 1).
double q_value(std::string_view parameters) {
  const auto at = parameters.find("q=");
  if (at == std::string_view::npos) return 1.0;
  try {
    return std::stod(std::string(parameters.substr(at + 2)));
  } catch (const std::exception&) {
    return 0.0;  // unreadable: not an acceptance
  }
}

bool is_textual(std::string_view content_type) {
  return content_type.starts_with("application/json") || content_type.starts_with("text/") ||
         content_type.starts_with("application/javascript") ||
         content_type.starts_with("image/svg+xml");
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::vector<std::string> entries;
  boost::split(entries, accept_encoding, [](char c) { return c == ','; });
  for (std::string entry : entries) {
    boost::trim(entry);
    const auto semicolon = entry.find(';');
    std::string coding = entry.substr(0, semicolon);
    boost::trim(coding);
    const std::string_view parameters = semicolon == std::string::npos
                                            ? std::string_view()
                                            : std::string_view(entry).substr(semicolon);
    if ((boost::iequals(coding, "gzip") || boost::iequals(coding, "x-gzip") || coding == "*") &&
        q_value(parameters) > 0) {
      return true;
    }
  }
  return false;
}

std::string gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

void compress_if_worthwhile(Response& response, bool client_accepts_gzip) {
  const std::string& body = response.shared_body ? *response.shared_body : response.body;
  if (body.size() < kGzipMinBytes || !is_textual(response.content_type) ||
      find_header(response, "Content-Encoding") != nullptr ||
      body.size() > std::numeric_limits<uInt>::max()) {
    return;
  }
  add_vary(response, "Accept-Encoding");
  if (!client_accepts_gzip) return;
  std::string compressed = gzip(body);
  if (compressed.size() >= body.size()) return;
  response.body = std::move(compressed);
  response.shared_body.reset();
  response.headers.emplace_back("Content-Encoding", "gzip");
  if (std::string* etag = find_header(response, "ETag");
      etag != nullptr && !etag->starts_with("W/")) {
    *etag = "W/" + *etag;
  }
}

}  // namespace ide::http
