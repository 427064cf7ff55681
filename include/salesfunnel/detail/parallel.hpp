// Internal: a deterministic static-chunk parallel loop.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

#include "salesfunnel/config.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

/// At most this many worker threads, whatever is asked for.
inline constexpr int max_threads = 256;

/// The number of worker threads to use: `requested` if positive, else the
/// machine's hardware concurrency (at least 1); never more than max_threads.
inline int resolve_threads(int requested) {
  if (requested > 0) return std::min(requested, max_threads);
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : std::min(static_cast<int>(hw), max_threads);
}

/// Splits [0, n) into `chunks` contiguous ranges of near-equal size; chunk c
/// is [bounds[c], bounds[c+1]). The split depends only on n and chunks, so
/// results that are merged in chunk order are deterministic.
inline std::vector<std::int64_t> chunk_bounds(std::int64_t n, int chunks) {
  std::vector<std::int64_t> b(static_cast<std::size_t>(chunks) + 1);
  for (int c = 0; c <= chunks; ++c) b[c] = n * c / chunks;
  return b;
}

/// Runs f(begin, end, chunk) over `chunks` ranges of [0, n), on up to
/// `threads` threads. Exceptions thrown by f are rethrown on the caller.
template <class F>
void parallel_chunks(std::int64_t n, int chunks, int threads, F&& f) {
  auto b = chunk_bounds(n, chunks);
  threads = std::max(1, std::min(threads, chunks));
  if (threads == 1 || n < 2) {
    for (int c = 0; c < chunks; ++c) f(b[c], b[c + 1], c);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  auto work = [&](int t) {
    try {
      for (int c = t; c < chunks; c += threads) f(b[c], b[c + 1], c);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  for (int t = 0; t < threads; ++t) {
    // A thread that cannot be started (out of memory or of threads) does its
    // share on the calling thread instead: same chunks, same results.
    try {
      pool.emplace_back(work, t);
    } catch (const std::system_error&) {
      work(t);
    }
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

/// Resizes `v` (empty) to n zeroed values, its fresh pages first faulted in
/// on `threads` threads where Linux can (madvise MADV_POPULATE_WRITE), so
/// the fill runs over pages already present: a large buffer's page faults,
/// not the zeroing, are most of its cost, and one thread takes them in turn.
template <class T>
void resize_zeroed(std::vector<T>& v, std::size_t n, int threads) {
  v.reserve(n);
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  constexpr std::size_t page = 4096, worth_it = std::size_t{1} << 24;
  if (threads > 1 && n * sizeof(T) >= worth_it) {
    const auto lo = (reinterpret_cast<std::uintptr_t>(v.data()) + page - 1) / page * page;
    const auto hi = (reinterpret_cast<std::uintptr_t>(v.data() + n)) / page * page;
    if (lo < hi) {
      parallel_chunks(static_cast<std::int64_t>((hi - lo) / page), threads, threads, [&](std::int64_t b, std::int64_t e, int) {
        // Advice only: on an older kernel (EINVAL) the fill below faults the pages instead.
        madvise(reinterpret_cast<void*>(lo + static_cast<std::uintptr_t>(b) * page), static_cast<std::size_t>(e - b) * page, MADV_POPULATE_WRITE);
      });
    }
  }
#endif
  v.resize(n);
}

}  // namespace detail
SALESFUNNEL_END_NAMESPACE
