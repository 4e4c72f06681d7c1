// The OpenAPI 3.1 document of the v1 API (src/http/http/openapi.json), compiled into the binary
// so an installed `ide` serves it without any file beside it.
#pragma once

#include <string_view>

namespace ide::http {

/// The JSON text of http/openapi.json, as it is in the source tree.
std::string_view openapi_document();

}  // namespace ide::http
