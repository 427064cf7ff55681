// Internal plumbing shared by every C ABI source: handle structs, status
// mapping, error filling and the exception guard every extern "C" body uses.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "salesfunnel/salesfunnel.h"
#include "salesfunnel/salesfunnel.hpp"

namespace sf_capi {

/// absl::StatusCode -> sf_status, spelled out so the C header needs no Abseil.
inline sf_status to_c(absl::StatusCode c) {
  switch (c) {
    case absl::StatusCode::kOk: return SF_OK;
    case absl::StatusCode::kCancelled: return SF_CANCELLED;
    case absl::StatusCode::kUnknown: return SF_UNKNOWN;
    case absl::StatusCode::kInvalidArgument: return SF_INVALID_ARGUMENT;
    case absl::StatusCode::kDeadlineExceeded: return SF_DEADLINE_EXCEEDED;
    case absl::StatusCode::kNotFound: return SF_NOT_FOUND;
    case absl::StatusCode::kAlreadyExists: return SF_ALREADY_EXISTS;
    case absl::StatusCode::kPermissionDenied: return SF_PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted: return SF_RESOURCE_EXHAUSTED;
    case absl::StatusCode::kFailedPrecondition: return SF_FAILED_PRECONDITION;
    case absl::StatusCode::kAborted: return SF_ABORTED;
    case absl::StatusCode::kOutOfRange: return SF_OUT_OF_RANGE;
    case absl::StatusCode::kUnimplemented: return SF_UNIMPLEMENTED;
    case absl::StatusCode::kInternal: return SF_INTERNAL;
    case absl::StatusCode::kUnavailable: return SF_UNAVAILABLE;
    case absl::StatusCode::kDataLoss: return SF_DATA_LOSS;
    case absl::StatusCode::kUnauthenticated: return SF_UNAUTHENTICATED;
    default: return SF_UNKNOWN;
  }
}

/// Fills the optional error and returns its code.
inline sf_status fail(sf_error* error, sf_status code, std::string_view msg) {
  if (error) {
    error->code = code;
    const std::size_t n = std::min(msg.size(), sizeof(error->message) - 1);
    std::memcpy(error->message, msg.data(), n);
    error->message[n] = '\0';
  }
  return code;
}

inline sf_status ok(sf_error* error) {
  if (error) {
    error->code = SF_OK;
    error->message[0] = '\0';
  }
  return SF_OK;
}

inline sf_status from_status(const absl::Status& st, sf_error* error) {
  if (st.ok()) return ok(error);
  return fail(error, to_c(st.code()), std::string(st.message()));
}

inline sf_status null_argument(sf_error* error, const char* name) {
  return fail(error, SF_INVALID_ARGUMENT, std::string("argument '") + name + "' is NULL");
}

/// Runs the body of an extern "C" function, turning exceptions into statuses.
template <class F>
sf_status guard(sf_error* error, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(error, SF_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception& e) {
    return fail(error, SF_INTERNAL, e.what());
  } catch (...) {
    return fail(error, SF_UNKNOWN, "unknown exception");
  }
}

/// The body of every sf_X_destroy: accepts NULL and a pointer to NULL, and
/// leaves the caller's handle NULL.
template <class T>
void destroy(T** handle) {
  if (handle == nullptr) return;
  delete *handle;
  *handle = nullptr;
}

/// The body of every getter of one value: checks the handle and the output
/// pointer (naming them), then writes value().
template <class Handle, class Out, class Value>
sf_status get(sf_error* error, const Handle* handle, const char* handle_name, Out* out,
              const char* out_name, Value&& value) {
  return guard(error, [&] {
    if (handle == nullptr) return null_argument(error, handle_name);
    if (out == nullptr) return null_argument(error, out_name);
    *out = static_cast<Out>(value());
    return ok(error);
  });
}

/// OUT_OF_RANGE unless i < n, naming what is indexed.
inline sf_status check_index(std::size_t i, std::size_t n, const char* what, sf_error* error) {
  if (i < n) return SF_OK;
  return fail(error, SF_OUT_OF_RANGE,
              std::string(what) + " " + std::to_string(i) + " is outside [0, " + std::to_string(n) + ")");
}

/// OUT_OF_RANGE unless caller arrays of `have` entries can hold `need`.
inline sf_status check_size(std::size_t have, std::size_t need, sf_error* error) {
  if (have < need) {
    return fail(error, SF_OUT_OF_RANGE,
                "output arrays hold " + std::to_string(have) + " entries; " +
                    std::to_string(need) + " needed");
  }
  return SF_OK;
}

/// Copies text into a caller buffer with the (buf, size, out_len) rules.
inline sf_status write_text(const std::string& text, char* buf, std::size_t size,
                            std::size_t* out_len, sf_error* error) {
  if (out_len) *out_len = text.size();
  if (buf == nullptr && size == 0) return ok(error);
  if (buf == nullptr) return null_argument(error, "buf");
  if (size == 0) return fail(error, SF_OUT_OF_RANGE, "buffer size is 0");
  const std::size_t n = std::min(text.size(), size - 1);
  std::memcpy(buf, text.data(), n);
  buf[n] = '\0';
  if (text.size() + 1 > size) {
    return fail(error, SF_OUT_OF_RANGE,
                "buffer too small: need " + std::to_string(text.size() + 1) + " bytes, got " +
                    std::to_string(size));
  }
  return ok(error);
}

}  // namespace sf_capi

#define SF_REQUIRE(ptr, name) \
  if ((ptr) == nullptr) return ::sf_capi::null_argument(error, name)

struct sf_graph {
  salesfunnel::stage_graph g;
};

struct sf_log {
  salesfunnel::event_log log;
};

struct sf_report {
  salesfunnel::funnel_report r;
};

struct sf_grouped_report {
  salesfunnel::grouped_funnel_report r;
};

struct sf_model {
  salesfunnel::markov_model m;
};

struct sf_waterfall {
  salesfunnel::waterfall_report w;
};

struct sf_window_stats {
  salesfunnel::window_funnel_stats s;
};

struct sf_window {
  salesfunnel::window_funnel_report r;
};

namespace sf_capi {

/// Funnel options from C arguments: as_of (NULL: latest) and staleness.
inline absl::StatusOr<salesfunnel::funnel_options> funnel_options(
    const sf_log* log, const int64_t* as_of, double stale_days, const char* const* stages,
    const double* stage_days, std::size_t n_stages) {
  salesfunnel::funnel_options o;
  if (as_of) o.as_of = *as_of;
  if (std::isnan(stale_days) && n_stages == 0) return o;
  if (!log->log.graph()) return absl::FailedPreconditionError("staleness needs a log with a stage graph");
  if (n_stages > 0 && (stages == nullptr || stage_days == nullptr)) {
    return absl::InvalidArgumentError("argument 'stages' or 'stage_days' is NULL with n_stages > 0");
  }
  std::vector<std::pair<std::string, double>> by_stage;
  for (std::size_t i = 0; i < n_stages; ++i) {
    if (stages[i] == nullptr) return absl::InvalidArgumentError("stages[" + std::to_string(i) + "] is NULL");
    by_stage.emplace_back(stages[i], stage_days[i]);
  }
  auto s = salesfunnel::staleness::from_names(*log->log.graph(), stale_days, by_stage);
  if (!s.ok()) return s.status();
  o.stale = *std::move(s);
  return o;
}

}  // namespace sf_capi
