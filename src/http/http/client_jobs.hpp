// A cap on each client's unfinished submissions (queued or running), so that one client cannot
// fill the execution queue everyone shares. It learns that a job finished through the result
// module's public interface (watch_result), so no module has to know about clients.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "result/result_service.hpp"

namespace ide::http {

class ClientJobLimit {
 public:
  /// `max_per_client` 0: no cap. Each watched job is asked about with watch_result(id, watch): a
  /// job still unfinished after a whole `watch` is asked about again. `results` must outlive
  /// the jobs watched: ResultService::stop() answers their waits.
  ClientJobLimit(result::ResultService& results, std::size_t max_per_client,
                 std::chrono::milliseconds watch = std::chrono::hours(1));

  struct State;

  /// One unfinished submission of one client. Dropped without commit(), it frees its place.
  class Slot {
   public:
    Slot(std::shared_ptr<State> state, std::string client);
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    /// The submission `submission_id` holds this place until the result module says it is done
    /// (or answers that it does not know it, or is stopping).
    void commit(const std::string& submission_id);

   private:
    std::shared_ptr<State> state_;
    std::string client_;
  };

  /// Takes a place for one more unfinished submission of `client`.
  /// Errors: rate_limited when `client` already has max_per_client unfinished. Thread-safe.
  core::Result<Slot> reserve(const std::string& client);

  /// Likewise for a `key` with a cap of its own (0: max_per_client); `holder` names what the key
  /// is in the refusal ("client", "class").
  core::Result<Slot> reserve(const std::string& key, std::size_t cap, std::string_view holder);

  /// How many unfinished submissions `client` has (reserved ones included). Thread-safe.
  std::size_t unfinished(const std::string& client) const;

 private:
  std::shared_ptr<State> state_;
};

/// What a client over its cap is told to wait: a queued job is likely done within seconds.
inline constexpr int kClientJobsRetryAfterS = 5;

}  // namespace ide::http
