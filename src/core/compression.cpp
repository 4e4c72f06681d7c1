#include "core/compression.hpp"

#include <zstd.h>

#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace ide::core::compression {

namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// A context holds megabytes of tables: reuse one per thread instead of allocating per call.
ZSTD_CCtx& thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> context(ZSTD_createCCtx());
  if (!context) throw std::bad_alloc();
  return *context;
}

ZSTD_DCtx& thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> context(ZSTD_createDCtx());
  if (!context) throw std::bad_alloc();
  return *context;
}

void check(std::size_t code, std::string_view context) {
  if (ZSTD_isError(code)) {
    throw std::runtime_error(fmt::format("{}: {}", context, ZSTD_getErrorName(code)));
  }
}

}  // namespace

std::string compress(std::string_view bytes, int level) {
  ZSTD_CCtx& context = thread_cctx();
  check(ZSTD_CCtx_reset(&context, ZSTD_reset_session_and_parameters), "zstd reset");
  check(ZSTD_CCtx_setParameter(&context, ZSTD_c_compressionLevel, level), "zstd level");
  check(ZSTD_CCtx_setParameter(&context, ZSTD_c_checksumFlag, 1), "zstd checksum");
  std::string frame(ZSTD_compressBound(bytes.size()), '\0');
  const std::size_t size =
      ZSTD_compress2(&context, frame.data(), frame.size(), bytes.data(), bytes.size());
  check(size, "zstd compress");
  frame.resize(size);
  return frame;
}

std::string decompress(std::string_view frame, std::size_t max_size) {
  // One whole frame, nothing after it: anything else is not what a store wrote.
  if (ZSTD_findFrameCompressedSize(frame.data(), frame.size()) != frame.size()) {
    throw std::runtime_error("corrupt compressed blob: not one whole zstd frame");
  }
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN) {
    throw std::runtime_error("corrupt compressed blob: no content size");
  }
  if (content > max_size) {
    throw std::runtime_error(fmt::format(
        "corrupt compressed blob: claims {} bytes, more than the {} allowed", content, max_size));
  }
  std::string bytes(static_cast<std::size_t>(content), '\0');
  const std::size_t size =
      ZSTD_decompressDCtx(&thread_dctx(), bytes.data(), bytes.size(), frame.data(), frame.size());
  check(size, "corrupt compressed blob");
  if (size != bytes.size()) throw std::runtime_error("corrupt compressed blob: short content");
  return bytes;
}

}  // namespace ide::core::compression
