// Payloads shaped like the seed workload's (text of made-up words and numbers, or random bytes)
// and the disk size of SQLite files, for the stores' compression tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>

#include "core/compression.hpp"

namespace ide::test {

/// `bytes` of newline-separated lines of words and numbers, different for each `seed`.
inline std::string seed_text(std::size_t bytes, std::uint64_t seed) {
  static constexpr std::string_view kSyllables[] = {"ka",  "lo", "mer", "ti",  "van", "su",
                                                    "dor", "el", "pra", "qui", "ron", "ba",
                                                    "ne",  "sto", "fi", "gal", "hu",  "jen"};
  std::mt19937_64 random(seed);
  std::string text;
  text.reserve(bytes + 64);
  while (text.size() < bytes) {
    if (random() % 4 == 0) {
      text += std::to_string(random() % 100000);
    } else {
      for (std::uint64_t s = 0, n = 2 + random() % 3; s < n; ++s) {
        text += kSyllables[random() % std::size(kSyllables)];
      }
    }
    text += random() % 10 == 0 ? '\n' : ' ';
  }
  text.resize(bytes);
  return text;
}

/// `bytes` that do not compress.
inline std::string random_bytes(std::size_t bytes, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string data(bytes, '\0');
  for (char& c : data) c = static_cast<char>(random());
  return data;
}

/// What `zstd -3` makes of `bytes`: the storage target's reference.
inline std::size_t zstd3_size(std::string_view bytes) {
  return core::compression::compress(bytes, 3).size();
}

/// The database file and its -wal, as the disk holds them.
inline std::uintmax_t db_bytes(const std::filesystem::path& db) {
  std::uintmax_t total = std::filesystem::file_size(db);
  const std::filesystem::path wal = db.string() + "-wal";
  if (std::filesystem::exists(wal)) total += std::filesystem::file_size(wal);
  return total;
}

inline std::uintmax_t wal_bytes(const std::filesystem::path& db) {
  const std::filesystem::path wal = db.string() + "-wal";
  return std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0;
}

}  // namespace ide::test
