#include <doctest/doctest.h>

#include <cmath>
#include <deque>
#include <string>

#include "hand_log.hpp"

using namespace salesfunnel;

namespace {

// Deals of named reps from Contact: `wins` reach Client, `losses` are
// disqualified after Contact, `open` rest at First Meeting.
struct rep_log {
  std::deque<std::string> store;
  hand::columns c;
  int next = 0;
  std::string_view keep(std::string s) { return store.emplace_back(std::move(s)); }
  void rep(std::string_view name, int wins, int losses, int open = 0) {
    auto r = keep(std::string(name));
    for (int i = 0; i < wins + losses + open; ++i) {
      auto d = keep("d" + std::to_string(next++));
      c.add(d, "Lead", 0, r, 10);
      c.add(d, "Contact", 1, r, 10);
      if (i < wins) {
        c.add(d, "First Meeting", 2, r, 10);
        c.add(d, "Active Prospect", 3, r, 10);
        c.add(d, "Client", 4, r, 10);
      } else if (i < wins + losses) {
        c.add(d, "Disqualified", 2, r, 10);
      } else {
        c.add(d, "First Meeting", 2, r, 10);
      }
    }
  }
  event_log build() const { return hand::build(c); }
};

const rep_rate_row& row(const rep_comparison& c, std::string_view rep) {
  for (const auto& r : c.rows) {
    if (r.rep == rep) return r;
  }
  FAIL("no rep " << rep);
  return c.rows.front();
}

}  // namespace

TEST_CASE("seed: 10 wins from 20 contacts ranks above 20 wins from 100") {
  // Seed example (DESIGN.md, "rep comparison"): by rate, not volume.
  rep_log l;
  l.rep("ten_of_20", 10, 10);
  l.rep("twenty_of_100", 20, 80);
  auto log = l.build();
  for (auto fit : {prior_fit::marginal_likelihood, prior_fit::moments}) {
    rep_comparison_options opt;
    opt.fit = fit;
    auto cmp = compare_reps(log, "Contact", "Client", opt);
    REQUIRE(cmp.ok());
    const auto& a = row(*cmp, "ten_of_20");
    const auto& b = row(*cmp, "twenty_of_100");
    CHECK(a.n == 20);
    CHECK(a.wins == 10);
    CHECK(b.n == 100);
    CHECK(b.wins == 20);
    CHECK(a.rate.estimate == doctest::Approx(0.5));
    CHECK(b.rate.estimate == doctest::Approx(0.2));
    CHECK(a.rank == 1);
    CHECK(b.rank == 2);
    CHECK(cmp->rows[0].rep == "ten_of_20");
    // Team rate 30 / 120 = 0.25; shrinkage pulls each rate toward it but not past it.
    CHECK(cmp->team_rate.estimate == doctest::Approx(0.25));
    CHECK(a.shrunk_rate < 0.5);
    CHECK(a.shrunk_rate > 0.25);
    CHECK(b.shrunk_rate > 0.2);
    CHECK(b.shrunk_rate < 0.25);
    // The smaller sample is pulled harder: 20 contacts move further than 100.
    CHECK(0.5 - a.shrunk_rate > b.shrunk_rate - 0.2);
    // Posterior mean (x + alpha) / (n + alpha + beta) under the reported prior.
    const auto& p = cmp->prior;
    REQUIRE(p.fitted);
    REQUIRE(!p.full_pooling);
    CHECK(a.shrunk_rate == doctest::Approx((10 + p.alpha) / (20 + p.alpha + p.beta)));
    CHECK(a.too_small == false);
  }
}

TEST_CASE("the Beta prior: method of moments in closed form, marginal likelihood at its maximum") {
  std::vector<std::int64_t> x = {10, 20}, n = {20, 100};
  // Moments by hand: p = 0.25, S = 20 (0.25)^2 + 100 (0.05)^2 = 1.5,
  // S / (p (1 - p)) = 8, rho = (8 - 1) / (120 - 2 + 1 - 10400 / 120) = 7 / 32.333,
  // strength = 1 / rho - 1 = 3.619.
  auto mom = fit_beta_prior(x, n, prior_fit::moments);
  REQUIRE(mom.fitted);
  CHECK(mom.mean == doctest::Approx(0.25));
  const double rho = 7.0 / (119.0 - 10400.0 / 120.0);
  CHECK(mom.strength() == doctest::Approx(1 / rho - 1));
  CHECK(mom.strength() == doctest::Approx(3.619).epsilon(0.001));
  CHECK(shrink(10, 20, mom) == doctest::Approx((10 + 0.25 * 3.619) / (20 + 3.619)).epsilon(0.001));

  // Marginal likelihood: more reps, then check the fit is a maximum by
  // evaluating the likelihood at nearby priors independently.
  std::vector<std::int64_t> x2 = {10, 20, 3, 30, 12}, n2 = {20, 100, 10, 60, 50};
  auto ml = fit_beta_prior(x2, n2);
  REQUIRE(ml.fitted);
  REQUIRE(!ml.full_pooling);
  auto ll = [&](double a, double b) {
    double s = 0;
    for (std::size_t i = 0; i < x2.size(); ++i) {
      const double xi = static_cast<double>(x2[i]), ni = static_cast<double>(n2[i]);
      s += std::lgamma(xi + a) + std::lgamma(ni - xi + b) - std::lgamma(ni + a + b) -
           (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
    }
    return s;
  };
  const double best = ll(ml.alpha, ml.beta);
  for (double fa : {0.9, 1.0, 1.1}) {
    for (double fb : {0.9, 1.0, 1.1}) {
      if (fa == 1.0 && fb == 1.0) continue;
      CHECK(ll(ml.alpha * fa, ml.beta * fb) < best);
    }
  }

  SUBCASE("no spread beyond chance: full pooling to the team rate") {
    std::vector<std::int64_t> xs = {10, 50}, ns = {20, 100};  // both exactly 50%
    for (auto fit : {prior_fit::marginal_likelihood, prior_fit::moments}) {
      auto p = fit_beta_prior(xs, ns, fit);
      CHECK(p.full_pooling);
      CHECK(shrink(10, 20, p) == doctest::Approx(0.5));
    }
  }
  SUBCASE("one rep: nothing to fit, no shrinkage") {
    std::vector<std::int64_t> x1 = {3}, n1 = {4};
    auto p = fit_beta_prior(x1, n1);
    CHECK(!p.fitted);
    CHECK(shrink(3, 4, p) == doctest::Approx(0.75));
  }
}

TEST_CASE("too small to rank; open deals are censored") {
  rep_log l;
  l.rep("ten_of_20", 10, 10);
  l.rep("twenty_of_100", 20, 80);
  l.rep("tiny", 2, 0, 5);  // 2 of 2 closed, 5 still open at First Meeting
  auto log = l.build();
  auto cmp = compare_reps(log, "Contact", "Client");
  REQUIRE(cmp.ok());
  const auto& t = row(*cmp, "tiny");
  CHECK(t.n == 2);      // the 5 open deals have no fate yet
  CHECK(t.open == 5);
  CHECK(t.wins == 2);
  CHECK(t.rate.estimate == doctest::Approx(1.0));
  CHECK(t.too_small);   // 2 < min_n 10
  CHECK(t.rank == -1);
  CHECK(cmp->rows.back().rep == "tiny");  // listed after the ranked reps despite 100%
  CHECK(row(*cmp, "ten_of_20").rank == 1);
  CHECK(cmp->team_n == 122);
  CHECK(cmp->team_wins == 32);
}

TEST_CASE("equal shrunk rates share the best rank (1, 1, 3)") {
  rep_log l;
  l.rep("a", 10, 10);  // 10 of 20
  l.rep("b", 10, 10);  // the same counts: the same shrunk rate
  l.rep("c", 2, 18);   // 2 of 20
  auto cmp = compare_reps(l.build(), "Contact", "Client");
  REQUIRE(cmp.ok());
  CHECK(row(*cmp, "a").rank == 1);
  CHECK(row(*cmp, "b").rank == 1);
  CHECK(row(*cmp, "c").rank == 3);
}

TEST_CASE("conversion per rep at every step, from the funnel report per rep") {
  auto log = hand::build(hand::five_deals());
  rep_comparison_options opt;
  opt.min_n = 1;
  opt.funnel.as_of = 20 * hand::day;
  auto steps = compare_reps_by_step(log, opt);
  REQUIRE(steps.ok());
  REQUIRE(steps->size() == 5);  // Lead>Contact>First Meeting>Active Prospect>Client>Advocate
  const auto& lead = (*steps)[0];
  CHECK(lead.from == "Lead");
  CHECK(lead.to == "Contact");
  // ann: A, C, E all advanced -> 3/3; bob: B advanced, D disqualified -> 1/2.
  CHECK(row(lead, "ann").wins == 3);
  CHECK(row(lead, "ann").n == 3);
  CHECK(row(lead, "bob").wins == 1);
  CHECK(row(lead, "bob").n == 2);
  // First Meeting -> Active Prospect: ann's A and E advanced, C is open there.
  const auto& fm = (*steps)[2];
  CHECK(row(fm, "ann").wins == 2);
  CHECK(row(fm, "ann").n == 2);
  CHECK(row(fm, "ann").open == 1);
  CHECK(row(fm, "bob").n == 0);
  CHECK(row(fm, "bob").too_small);

  // Step Lead -> Contact for the whole team matches the funnel report's step conversion.
  auto rep = funnel(log, opt.funnel);
  REQUIRE(rep.ok());
  CHECK(lead.team_rate.estimate == doctest::Approx(rep->stages[0].step_conversion.estimate));
}

TEST_CASE("reallocation what-if from the reps' own rates or a model") {
  rep_log l;
  l.rep("ten_of_20", 10, 10);
  l.rep("twenty_of_100", 20, 80);
  auto log = l.build();
  auto cmp = compare_reps(log, "Contact", "Client");
  REQUIRE(cmp.ok());
  reallocation_options o;
  o.share = 0.5;
  o.rates = rate_source::raw;
  // Half of the 100-contact rep's leads (50) at 50% instead of 20%: +15 wins.
  auto r = reallocate_leads(*cmp, "twenty_of_100", "ten_of_20", o);
  REQUIRE(r.ok());
  CHECK(r->leads_moved == doctest::Approx(50));
  CHECK(r->delta == doctest::Approx(15));
  const auto& a = row(*cmp, "ten_of_20");
  const auto& b = row(*cmp, "twenty_of_100");
  CHECK(r->delta_low == doctest::Approx(50 * (a.rate.low - b.rate.high)));
  CHECK(r->delta_high == doctest::Approx(50 * (a.rate.high - b.rate.low)));
  // Shrunk rates are closer together: a smaller, more cautious gain.
  o.rates = rate_source::shrunk;
  auto s = reallocate_leads(*cmp, "twenty_of_100", "ten_of_20", o);
  REQUIRE(s.ok());
  CHECK(s->delta == doctest::Approx(50 * (a.shrunk_rate - b.shrunk_rate)));
  CHECK(s->delta < 15);
  CHECK(s->delta > 0);
  // Model rates (e.g. a Markov model per rep) and a month of 40 leads: 0.5 x 40 x (0.4 - 0.25) = 3.
  o.model_rates = {{"ten_of_20", 0.4}, {"twenty_of_100", 0.25}};
  o.leads = 40;
  auto m = reallocate_leads(*cmp, "twenty_of_100", "ten_of_20", o);
  REQUIRE(m.ok());
  CHECK(m->delta == doctest::Approx(3));
  CHECK(m->source == "model");
  CHECK(std::isnan(m->delta_low));

  CHECK(reallocate_leads(*cmp, "nobody", "ten_of_20").status().code() == absl::StatusCode::kNotFound);
  o.share = 1.5;
  CHECK(reallocate_leads(*cmp, "twenty_of_100", "ten_of_20", o).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("compare_reps: errors") {
  auto log = hand::build(hand::five_deals());
  CHECK(std::string(compare_reps(log, "Client", "Contact").status().message()) ==
        "'Contact' does not come after 'Client' on the main path");
  CHECK(std::string(compare_reps(log, "Contact", "Lost").status().message()) ==
        "'Lost' is not on the main path (entry, open and won stages)");
  CHECK(compare_reps(log, "Contact", "Signed").status().code() == absl::StatusCode::kNotFound);
}
