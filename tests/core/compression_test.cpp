// zstd frames of stored blobs: round trips, the size bound checked before allocating, corrupt
// frames refused; and the blob codec of core/sqlite (raw below a threshold or when it does not
// shrink).
#include "core/compression.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "core/sqlite.hpp"
#include "support/stored_bytes.hpp"

using ide::core::compression::compress;
using ide::core::compression::decompress;
using ide::core::sqlite::decode_blob;
using ide::core::sqlite::EncodedBlob;

TEST_CASE("a frame round-trips, empty and binary included", "[core][compression]") {
  const std::string text = ide::test::seed_text(100'000, 1);
  const std::string frame = compress(text, 2);
  CHECK(frame.size() < text.size() / 2);
  CHECK(decompress(frame, text.size()) == text);
  CHECK(decompress(compress("", 2), 0).empty());
  const std::string binary("\0\xff\x01", 3);
  CHECK(decompress(compress(binary, 2), 3) == binary);
}

TEST_CASE("a frame claiming more than the maximum is refused before allocating",
          "[core][compression]") {
  const std::string frame = compress(std::string(1'000'000, 'a'), 2);
  CHECK_THROWS_AS(decompress(frame, 999'999), std::runtime_error);
  CHECK(decompress(frame, 1'000'000).size() == 1'000'000);
}

TEST_CASE("corrupt, truncated or trailing bytes are errors", "[core][compression]") {
  const std::string text = ide::test::seed_text(50'000, 2);
  const std::string frame = compress(text, 2);
  std::string flipped = frame;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x40);
  CHECK_THROWS_AS(decompress(flipped, text.size()), std::runtime_error);
  CHECK_THROWS_AS(decompress(frame.substr(0, frame.size() - 5), text.size()), std::runtime_error);
  CHECK_THROWS_AS(decompress(frame + "x", text.size()), std::runtime_error);
  CHECK_THROWS_AS(decompress("not zstd at all", 100), std::runtime_error);
  CHECK_THROWS_AS(decompress("", 100), std::runtime_error);
}

TEST_CASE("a large compressible blob is stored as zstd, others raw", "[core][compression]") {
  const std::string text = ide::test::seed_text(200'000, 3);
  const EncodedBlob large(text);
  CHECK(large.codec() == 1);
  CHECK(large.bytes().size() < text.size() / 2);
  CHECK(decode_blob(large.bytes(), large.codec()) == text);

  const std::string small(EncodedBlob::kMinCompressedBytes - 1, 'a');
  const EncodedBlob kept_small(small);
  CHECK(kept_small.codec() == 0);
  CHECK(kept_small.bytes().data() == small.data());

  const std::string noise = ide::test::random_bytes(100'000, 4);
  const EncodedBlob kept_noise(noise);
  CHECK(kept_noise.codec() == 0);
  CHECK(decode_blob(kept_noise.bytes(), kept_noise.codec()) == noise);

  CHECK_THROWS_AS(decode_blob("abc", 7), std::runtime_error);
}
