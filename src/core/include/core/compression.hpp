// zstd compression of stored blobs: bounded, checksummed frames that a store keeps in place of
// large, compressible values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ide::core::compression {

/// The largest value decompress() will produce for a stored blob: a frame claiming more is
/// corrupt. Stores keep blobs larger than this raw, so every frame they wrote fits.
inline constexpr std::size_t kMaxBlobBytes = 64 * 1024 * 1024;

/// One zstd frame of `bytes` at `level`, with its content size and a checksum (so that a
/// corrupted frame is detected rather than decoded into wrong bytes). Thread-safe: each thread
/// reuses its own compression context.
std::string compress(std::string_view bytes, int level);

/// The bytes of the single frame `frame`. Throws std::runtime_error when it is not one whole
/// frame with a known content size of at most `max_size`, or is corrupt; allocates only after
/// those checks.
std::string decompress(std::string_view frame, std::size_t max_size);

}  // namespace ide::core::compression
