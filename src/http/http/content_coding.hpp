// gzip for large answers (big program outputs as JSON) to clients that accept it.
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace ide::http {

/// Bodies smaller than this go as they are: gzip's header and a round trip of CPU buy nothing.
inline constexpr std::size_t kGzipMinBytes = 1024;

/// Whether an Accept-Encoding value admits gzip (RFC 9110 12.5.3): "gzip", "x-gzip" or "*" with
/// a q-value above 0; "gzip;q=0" refuses it.
bool accepts_gzip(std::string_view accept_encoding);

/// `data` as one gzip member (RFC 1952), at a fast level: the CPU is the server's I/O thread's.
std::string gzip(std::string_view data);

/// Compresses `response` in place when it is worth it: a textual content type (JSON, text,
/// JavaScript, SVG), at least kGzipMinBytes, not compressed already. Such a response varies by
/// Accept-Encoding, so it says so even when `client_accepts_gzip` is false; a compressed one's
/// ETag becomes weak (W/), since the bytes are not the identity encoding's.
void compress_if_worthwhile(Response& response, bool client_accepts_gzip);

}  // namespace ide::http
