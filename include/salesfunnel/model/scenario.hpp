// What-if scenarios: immutable changes to a model, compared in one table.
//
//   salesfunnel::scenario base(model, /*leads_per_week=*/50);
//   auto better = base.lift("First Meeting", "Active Prospect", 10)->add_leads(20);
//   auto table = salesfunnel::compare(base, {*better}, /*mean_won_amount=*/12000);
//
// Each change returns a new scenario; the model underneath is never edited.
// Raising one exit of a stage takes the probability from the stage's other
// exits in proportion (and lowering gives it back the same way), so every
// row of the chain still sums to one.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "salesfunnel/config.hpp"
#include "salesfunnel/model/markov.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

class scenario {
 public:
  explicit scenario(markov_model model, double leads_per_week = 0, std::string name = "baseline")
      : model_(std::move(model)), leads_(leads_per_week), name_(std::move(name)) {}

  const markov_model& model() const { return model_; }
  double leads_per_week() const { return leads_; }
  const std::string& name() const { return name_; }
  /// The changes applied, in order, as readable text.
  const std::vector<std::string>& changes() const { return changes_; }

  /// Raise (or lower, with negative points) the probability of from -> to by
  /// `points` percentage points.
  absl::StatusOr<scenario> lift(std::string_view from, std::string_view to, double points) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto e, edge(from, to));
    return set(e.first, e.second, model_.probability(e.first, e.second) + points / 100.0,
               absl::StrFormat("lift %s -> %s by %+g points", detail::av(from), detail::av(to), points));
  }
  /// Multiply the probability of from -> to by `factor`.
  absl::StatusOr<scenario> lift_factor(std::string_view from, std::string_view to, double factor) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto e, edge(from, to));
    return set(e.first, e.second, model_.probability(e.first, e.second) * factor,
               absl::StrFormat("lift %s -> %s x%g", detail::av(from), detail::av(to), factor));
  }
  /// Set the probability of from -> to.
  absl::StatusOr<scenario> set_rate(std::string_view from, std::string_view to, double p) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto e, edge(from, to));
    return set(e.first, e.second, p,
               absl::StrFormat("set %s -> %s to %g", detail::av(from), detail::av(to), p));
  }
  /// The edge fails entirely: its share goes to the stage's other exits.
  absl::StatusOr<scenario> remove_edge(std::string_view from, std::string_view to) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto e, edge(from, to));
    return set(e.first, e.second, 0.0,
               absl::StrFormat("remove %s -> %s", detail::av(from), detail::av(to)));
  }
  /// The stage fails entirely: deals entering it are lost.
  absl::StatusOr<scenario> remove_stage(std::string_view stage) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto s, model_.graph().id_of(stage));
    scenario out = *this;
    out.model_ = model_.with_stage_lost(s);
    out.changes_.push_back(absl::StrCat("remove stage ", detail::av(stage)));
    return out;
  }
  /// More (or fewer) leads a week entering the entry stage.
  scenario add_leads(double per_week) const {
    scenario out = *this;
    out.leads_ += per_week;
    out.changes_.push_back(absl::StrFormat("%+g leads a week", per_week));
    return out;
  }
  /// Change a stage's mean dwell time.
  absl::StatusOr<scenario> set_dwell(std::string_view stage, double days) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto s, model_.graph().id_of(stage));
    if (!(days >= 0)) return absl::InvalidArgumentError("dwell days must be >= 0");
    scenario out = *this;
    out.model_ = model_.with_dwell(s, days);
    out.changes_.push_back(absl::StrFormat("dwell in %s: %g days", detail::av(stage), days));
    return out;
  }
  scenario named(std::string name) const {
    scenario out = *this;
    out.name_ = std::move(name);
    return out;
  }

 private:
  absl::StatusOr<std::pair<stage_id, stage_id>> edge(std::string_view from, std::string_view to) const {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto a, model_.graph().id_of(from));
    SALESFUNNEL_ASSIGN_OR_RETURN(auto b, model_.graph().id_of(to));
    if (!model_.graph().has_edge(a, b) && model_.probability(a, b) == 0) {
      return absl::NotFoundError(absl::StrCat("'", detail::av(from), "' -> '", detail::av(to),
                                              "' is not an edge of the model"));
    }
    if (model_.ends_chain(a)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", detail::av(from), "' ends the chain: it has no exits to change"));
    }
    return std::make_pair(a, b);
  }

  absl::StatusOr<scenario> set(stage_id a, stage_id b, double p, std::string change) const {
    if (!(p >= -1e-12 && p <= 1 + 1e-12)) {
      return absl::OutOfRangeError(absl::StrCat(change, ": the probability would be ", p,
                                                ", outside [0, 1]"));
    }
    p = std::clamp(p, 0.0, 1.0);
    const auto S = static_cast<std::size_t>(model_.num_stages());
    std::vector<double> row(S);
    for (std::size_t k = 0; k < S; ++k) row[k] = model_.probability(a, static_cast<stage_id>(k));
    const double old = row[static_cast<std::size_t>(b)];
    const double others = 1.0 - old;
    if (others <= 1e-15 && p < 1.0) {
      return absl::FailedPreconditionError(absl::StrCat(
          change, ": the stage has no other exit to take the remaining probability"));
    }
    for (std::size_t k = 0; k < S; ++k) {
      if (k != static_cast<std::size_t>(b) && others > 0) row[k] *= (1.0 - p) / others;
    }
    row[static_cast<std::size_t>(b)] = p;
    scenario out = *this;
    out.model_ = model_.with_row(a, row);
    out.changes_.push_back(std::move(change));
    return out;
  }

  markov_model model_;
  double leads_ = 0;
  std::string name_;
  std::vector<std::string> changes_;
};

/// One row of a scenario comparison.
struct comparison_row {
  std::string name;
  std::string changes;
  double leads_per_week = 0;
  double win_rate = 0;          ///< P(won | entry)
  double wins_per_week = 0;     ///< leads_per_week x win_rate
  double revenue_per_week = 0;  ///< wins_per_week x mean won amount
  double days_to_close = 0;     ///< expected days from entry until won or lost
  double delta_wins_per_week = 0, delta_revenue_per_week = 0, delta_win_rate = 0,
         delta_days_to_close = 0;  ///< versus the baseline (the first row)
};

/// Compares scenarios against a baseline in one table (the baseline first).
inline absl::StatusOr<std::vector<comparison_row>> compare(
    const scenario& baseline, const std::vector<scenario>& others,
    double mean_won_amount = std::numeric_limits<double>::quiet_NaN()) {
  std::vector<comparison_row> rows;
  auto row_of = [&](const scenario& s) -> absl::StatusOr<comparison_row> {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto a, s.model().analyze());
    const auto entry = static_cast<std::size_t>(s.model().graph().entry());
    comparison_row r;
    r.name = s.name();
    for (const auto& c : s.changes()) absl::StrAppend(&r.changes, r.changes.empty() ? "" : "; ", c);
    r.leads_per_week = s.leads_per_week();
    r.win_rate = a.win_probability[entry];
    r.wins_per_week = r.leads_per_week * r.win_rate;
    r.revenue_per_week = r.wins_per_week * mean_won_amount;
    r.days_to_close = a.expected_days[entry];
    return r;
  };
  SALESFUNNEL_ASSIGN_OR_RETURN(auto base, row_of(baseline));
  rows.push_back(base);
  for (const auto& s : others) {
    SALESFUNNEL_ASSIGN_OR_RETURN(auto r, row_of(s));
    r.delta_wins_per_week = r.wins_per_week - base.wins_per_week;
    r.delta_revenue_per_week = r.revenue_per_week - base.revenue_per_week;
    r.delta_win_rate = r.win_rate - base.win_rate;
    r.delta_days_to_close = r.days_to_close - base.days_to_close;
    rows.push_back(std::move(r));
  }
  return rows;
}

SALESFUNNEL_END_NAMESPACE
