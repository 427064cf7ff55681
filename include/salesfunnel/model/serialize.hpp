// Markov models as versioned binary buffers (for pickling and for sending a
// fitted model to another process).
//
//   std::string bytes = salesfunnel::serialize(model);
//   auto back = salesfunnel::deserialize_markov_model(bytes);   // == model
//
// Everything a model holds travels: its graph, transition probabilities,
// edge counts and intervals, mean dwell days, stages without data, stages a
// scenario removed and its staleness. Reading checks ranges (probabilities
// in [0, 1], dwell days finite and >= 0, stage ids in the graph), so a
// hostile buffer is a DataLoss error.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/serialize.hpp"
#include "salesfunnel/model/markov.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

struct markov_model_io {
  static void write(binary_writer& w, const markov_model& m) {
    write_part(w, m.g_);
    w.f64s(m.p_);
    w.f64s(m.dwell_days_);
    w.list(m.edges_, [](binary_writer& b, const markov_edge& e) {
      b.i64(e.from);
      b.i64(e.to);
      b.i64(e.count);
      b.f64(e.probability);
      b.f64(e.ci.estimate);
      b.f64(e.ci.low);
      b.f64(e.ci.high);
      b.u8(e.in_graph);
    });
    write_ints(w, m.no_data_);
    write_ints(w, m.lost_override_);
    w.f64(m.stale_.days);
    w.f64s(m.stale_.days_by_stage);
  }

  static markov_edge read_edge(binary_reader& b, std::int64_t S) {
    markov_edge e;
    const auto from = b.i64(), to = b.i64();
    if (from < 0 || to < 0 || from >= S || to >= S) b.fail();
    e.from = static_cast<stage_id>(from);
    e.to = static_cast<stage_id>(to);
    e.count = b.i64();
    e.probability = b.f64();
    e.ci.estimate = b.f64();
    e.ci.low = b.f64();
    e.ci.high = b.f64();
    e.in_graph = b.flag();
    if (e.count < 0 || !(e.probability >= 0 && e.probability <= 1)) b.fail();
    return e;
  }

  static absl::StatusOr<markov_model> read(binary_reader& r) {
    stage_graph g;
    read_part(r, g);
    if (r.failed()) return r.finish();
    markov_model m(g);
    const std::int64_t S = g.num_stages();
    m.p_ = r.f64s();
    m.dwell_days_ = r.f64s();
    m.edges_ = r.list<markov_edge>(57, [S](binary_reader& b) { return read_edge(b, S); });
    m.no_data_ = read_ints<stage_id>(r, 0, S - 1);
    m.lost_override_ = read_ints<stage_id>(r, 0, S - 1);
    m.stale_.days = r.f64();
    m.stale_.days_by_stage = r.f64s();
    SALESFUNNEL_RETURN_IF_ERROR(r.finish());
    if (!consistent(m)) {
      return absl::DataLossError("serialised Markov model is inconsistent (it was not written by salesfunnel, or was altered)");
    }
    return m;
  }

  static bool consistent(const markov_model& m) {
    const auto S = static_cast<std::size_t>(m.num_stages());
    if (m.p_.size() != S * S || m.dwell_days_.size() != S ||
        (!m.stale_.days_by_stage.empty() && m.stale_.days_by_stage.size() != S)) {
      return false;
    }
    for (double p : m.p_) {
      if (!(p >= 0 && p <= 1)) return false;
    }
    for (double d : m.dwell_days_) {
      if (!(d >= 0 && std::isfinite(d))) return false;
    }
    return true;
  }
};

}  // namespace detail

inline std::string serialize(const markov_model& m) {
  detail::binary_writer w;
  detail::markov_model_io::write(w, m);
  return w.finish(detail::binary_kind::markov_model);
}

inline absl::StatusOr<markov_model> deserialize_markov_model(std::string_view buf) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto r, detail::binary_reader::open(buf, detail::binary_kind::markov_model));
  return detail::markov_model_io::read(r);
}

SALESFUNNEL_END_NAMESPACE
