// Stage graphs and event logs as versioned binary buffers (for pickling and
// for sending a built log to another process).
//
//   std::string bytes = salesfunnel::serialize(log);
//   absl::StatusOr<salesfunnel::event_log> back = salesfunnel::deserialize_event_log(bytes);
//
// The envelope is detail/binary.hpp's. A log reads back exactly as it was
// built: events, deal keys, reps, amounts, attributes, graph, unit and the
// issues counted at build time. Reading re-checks every invariant the
// analyses rely on (offsets, stage ids, time order within a deal, the
// outcome rule, code ranges), so a hostile buffer is a DataLoss error, never
// a log that crashes a report.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/event_log.hpp"
#include "salesfunnel/core/outcome.hpp"
#include "salesfunnel/core/stage_graph.hpp"
#include "salesfunnel/detail/binary.hpp"

SALESFUNNEL_BEGIN_NAMESPACE
namespace detail {

inline void write_part(binary_writer& w, const stage_graph& g) {
  w.text(g.name());
  w.u64(static_cast<std::uint64_t>(g.num_stages()));
  for (stage_id s = 0; s < g.num_stages(); ++s) {
    w.text(g.name_of(s));
    w.u8(static_cast<std::uint8_t>(g.kind_of(s)));
  }
  w.list(g.transitions(), [](binary_writer& b, const transition& t) {
    b.i64(t.from);
    b.i64(t.to);
    b.text(t.commitment);
  });
}

/// Rebuilds through add_stage / add_transition, so every rule of a graph holds.
inline void read_part(binary_reader& r, stage_graph& g) {
  g = stage_graph(r.text());
  const auto n = r.count(9);
  for (std::size_t i = 0; i < n && !r.failed(); ++i) {
    auto name = r.text();
    const auto kind = r.u8();
    if (kind > static_cast<std::uint8_t>(stage_kind::nurture) || !g.add_stage(name, static_cast<stage_kind>(kind)).ok()) {
      r.fail();
    }
  }
  const auto m = r.count(24);
  for (std::size_t i = 0; i < m && !r.failed(); ++i) {
    const auto from = r.i64(), to = r.i64();
    auto commitment = r.text();
    if (from < 0 || to < 0 || from >= g.num_stages() || to >= g.num_stages() ||
        !g.add_transition(static_cast<stage_id>(from), static_cast<stage_id>(to), commitment).ok()) {
      r.fail();
    }
  }
}

template <class T>
void write_ints(binary_writer& w, const std::vector<T>& v) {
  w.list(v, [](binary_writer& b, T x) { b.i64(static_cast<std::int64_t>(x)); });
}
template <class T>
std::vector<T> read_ints(binary_reader& r, std::int64_t lo, std::int64_t hi) {
  return r.list<T>(8, [lo, hi](binary_reader& b) {
    const auto x = b.i64();
    if (x < lo || x > hi) b.fail();
    return static_cast<T>(x);
  });
}

inline void write_rows(binary_writer& w, std::int64_t count, std::int64_t first) {
  w.i64(count);
  w.i64(first);
}

struct event_log_io {
  using data = event_log::data;

  static void write(binary_writer& w, const event_log& log) {
    const event_log c = log.compacted();  // deal after deal, as the format stores them
    const data& d = *c.d_;
    write_ints(w, d.stage);
    w.i64s(d.time);
    write_ints(w, d.row);
    w.i64s(c.offsets());
    w.u8(d.int_keys);
    w.i64s(d.deal_ints);
    w.texts(d.deal_strs);
    w.texts(d.stage_names);
    w.u8(d.graph.has_value());
    if (d.graph) write_part(w, *d.graph);
    w.u8(d.has_rep);
    write_ints(w, d.deal_rep);
    w.texts(d.rep_names);
    w.u8(d.has_amount);
    w.f64s(d.deal_amount);
    w.list(d.attrs, [](binary_writer& b, const event_log::attribute_data& a) {
      b.text(a.name);
      write_ints(b, a.codes);
      b.texts(a.categories);
    });
    w.u8(static_cast<std::uint8_t>(d.unit));
    write_issues(w, d.issues);
  }

  static void write_issues(binary_writer& w, const log_issues& is) {
    write_rows(w, is.duplicate_events, is.first_duplicate_row);
    write_rows(w, is.repeated_stage_events, is.first_repeated_row);
    write_rows(w, is.out_of_order_rows, is.first_out_of_order_row);
    write_rows(w, is.events_after_outcome, is.first_after_outcome_row);
    w.list(is.unknown_transitions, [](binary_writer& b, const unknown_transition& u) {
      b.i64(u.from);
      b.i64(u.to);
      b.i64(u.count);
      b.i64(u.first_row);
    });
  }

  static void read_issues(binary_reader& r, log_issues& is, std::int64_t S) {
    for (auto* p : {&is.duplicate_events, &is.first_duplicate_row, &is.repeated_stage_events,
                    &is.first_repeated_row, &is.out_of_order_rows, &is.first_out_of_order_row,
                    &is.events_after_outcome, &is.first_after_outcome_row}) {
      *p = r.i64();
    }
    is.unknown_transitions = r.list<unknown_transition>(32, [S](binary_reader& b) {
      unknown_transition u;
      u.from = static_cast<stage_id>(b.i64_in(0, S - 1));
      u.to = static_cast<stage_id>(b.i64_in(0, S - 1));
      u.count = b.i64_in(0, INT64_MAX);
      u.first_row = b.i64();
      return u;
    });
  }

  static void read_deal_values(binary_reader& r, data& d) {
    d.has_rep = r.flag();
    d.deal_rep = read_ints<std::int32_t>(r, -1, INT32_MAX);
    d.rep_names = r.texts();
    d.has_amount = r.flag();
    d.deal_amount = r.f64s();
    d.attrs = r.list<event_log::attribute_data>(24, [](binary_reader& b) {
      event_log::attribute_data a;
      a.name = b.text();
      a.codes = read_ints<std::int32_t>(b, -1, INT32_MAX);
      a.categories = b.texts();
      return a;
    });
  }

  static absl::StatusOr<event_log> read(binary_reader& r) {
    auto d = event_log::new_data();
    d->stage = read_ints<stage_id>(r, 0, INT32_MAX);
    d->time = r.i64s();
    d->row = read_ints<std::uint32_t>(r, 0, UINT32_MAX);
    const auto offsets = r.i64s();
    d->int_keys = r.flag();
    d->deal_ints = r.i64s();
    d->deal_strs = r.texts();
    d->stage_names = r.texts();
    if (r.flag()) {
      stage_graph g;
      read_part(r, g);
      d->graph = std::move(g);
    }
    read_deal_values(r, *d);
    const auto unit = r.u8();
    d->unit = static_cast<time_unit>(unit > 3 ? 0 : unit);
    if (unit > 3) r.fail();
    read_issues(r, d->issues, static_cast<std::int64_t>(d->stage_names.size()));
    SALESFUNNEL_RETURN_IF_ERROR(r.finish());
    if (!consistent(*d, offsets)) return absl::DataLossError("serialised event log is inconsistent (it was not written by salesfunnel, or was altered)");
    set_time_range(*d);
    return event_log(std::move(d));
  }

  static bool codes_fit(const std::vector<std::int32_t>& codes, std::size_t nd, std::size_t n) {
    if (codes.size() != nd) return false;
    for (auto c : codes) {
      if (c >= static_cast<std::int64_t>(n)) return false;
    }
    return true;
  }

  /// Every invariant an analysis relies on.
  static bool consistent(data& d, const std::vector<std::int64_t>& offsets) {
    const std::size_t nd = d.int_keys ? d.deal_ints.size() : d.deal_strs.size();
    const std::size_t m = d.stage.size(), S = d.stage_names.size();
    if ((d.int_keys ? !d.deal_strs.empty() : !d.deal_ints.empty()) || offsets.size() != nd + 1 ||
        offsets[0] != 0 || offsets[nd] != static_cast<std::int64_t>(m) || d.time.size() != m ||
        d.row.size() != m) {
      return false;
    }
    if (d.graph && (d.graph->stage_names() != d.stage_names || !d.graph->validate().ok())) return false;
    if ((d.has_rep ? !codes_fit(d.deal_rep, nd, d.rep_names.size()) : !d.deal_rep.empty()) ||
        (d.has_amount ? d.deal_amount.size() != nd : !d.deal_amount.empty())) {
      return false;
    }
    for (const auto& a : d.attrs) {
      if (!codes_fit(a.codes, nd, a.categories.size())) return false;
    }
    for (auto s : d.stage) {
      if (static_cast<std::size_t>(s) >= S) return false;
    }
    for (std::size_t k = 0; k < nd; ++k) {
      if (!deal_consistent(d, offsets[k], offsets[k + 1])) return false;
    }
    d.set_offsets(offsets);
    return true;
  }

  /// Events [b, e) of one deal: in time order, no stage entered twice in a
  /// row, nothing after the outcome.
  static bool deal_consistent(const data& d, std::int64_t b, std::int64_t e) {
    if (b > e || b < 0 || e > static_cast<std::int64_t>(d.stage.size())) return false;
    for (auto i = b + 1; i < e; ++i) {
      if (d.time[i] < d.time[i - 1] || d.stage[i] == d.stage[i - 1]) return false;
    }
    if (!d.graph || b == e) return true;
    const std::span<const stage_id> path(d.stage.data() + b, static_cast<std::size_t>(e - b));
    return outcome_prefix(*d.graph, path) == path.size();
  }

  static void set_time_range(data& d) {
    d.min_time = d.max_time = 0;
    if (d.time.empty()) return;
    auto [lo, hi] = std::minmax_element(d.time.begin(), d.time.end());
    d.min_time = *lo;
    d.max_time = *hi;
  }
};

}  // namespace detail

inline std::string serialize(const stage_graph& g) {
  detail::binary_writer w;
  detail::write_part(w, g);
  return w.finish(detail::binary_kind::stage_graph);
}

inline absl::StatusOr<stage_graph> deserialize_stage_graph(std::string_view buf) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto r, detail::binary_reader::open(buf, detail::binary_kind::stage_graph));
  stage_graph g;
  detail::read_part(r, g);
  SALESFUNNEL_RETURN_IF_ERROR(r.finish());
  return g;
}

inline std::string serialize(const event_log& log) {
  detail::binary_writer w;
  detail::event_log_io::write(w, log);
  return w.finish(detail::binary_kind::event_log);
}

inline absl::StatusOr<event_log> deserialize_event_log(std::string_view buf) {
  SALESFUNNEL_ASSIGN_OR_RETURN(auto r, detail::binary_reader::open(buf, detail::binary_kind::event_log));
  return detail::event_log_io::read(r);
}

SALESFUNNEL_END_NAMESPACE
