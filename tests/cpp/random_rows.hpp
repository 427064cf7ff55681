// Random event rows in the shapes real exports have, and column views of a
// range of them, for the append and live-funnel tests.
#pragma once
#include <salesfunnel/salesfunnel.hpp>

#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace shapes {

constexpr std::int64_t day = 86400;

/// Random rows in the shapes real exports have: rows out of time order,
/// duplicates (times on whole days collide), repeats, events after the
/// outcome, transitions the graph lacks, blank reps, missing amounts.
struct random_rows {
  std::vector<std::string> deal_text, stage_text, rep_text, seg_text;
  std::vector<std::int64_t> deal_int, time;
  std::vector<double> amount;

  random_rows(std::uint64_t seed, std::size_t n, int deals, const std::vector<std::string>& stages) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int m) { return static_cast<int>(rng() % static_cast<std::uint64_t>(m)); };
    const std::vector<std::string> reps = {"ann", "bob", "", "cy", "  "};
    const std::vector<std::string> segs = {"smb", "ent", ""};
    for (std::size_t i = 0; i < n; ++i) {
      const int d = pick(deals);
      deal_int.push_back(1000 + d);
      deal_text.push_back("deal-" + std::to_string(d));
      // Early stages more often, so paths are long enough to fold and trim.
      stage_text.push_back(stages[static_cast<std::size_t>(std::min(pick(static_cast<int>(stages.size())), pick(static_cast<int>(stages.size()))))]);
      time.push_back(static_cast<std::int64_t>(pick(30)) * day);
      rep_text.push_back(reps[static_cast<std::size_t>(pick(5))]);
      seg_text.push_back(segs[static_cast<std::size_t>(pick(3))]);
      amount.push_back(pick(4) == 0 ? std::numeric_limits<double>::quiet_NaN() : 10.0 * pick(50));
    }
  }
};

/// Columns of rows [b, e) of `r` (which must outlive them); `cols` points
/// into this object, so it is neither copied nor moved.
struct slice_columns {
  std::vector<std::string_view> deal, stage, rep, seg;
  salesfunnel::event_columns cols;
  slice_columns(const slice_columns&) = delete;
  slice_columns(const random_rows& r, std::size_t b, std::size_t e, bool int_keys) {
    for (auto i = b; i < e; ++i) {
      deal.push_back(r.deal_text[i]);
      stage.push_back(r.stage_text[i]);
      rep.push_back(r.rep_text[i]);
      seg.push_back(r.seg_text[i]);
    }
    cols.deal = int_keys ? salesfunnel::key_column::integers(std::span(r.deal_int).subspan(b, e - b)) : salesfunnel::key_column::strings(deal);
    cols.stage = salesfunnel::key_column::strings(stage);
    cols.time = std::span(r.time).subspan(b, e - b);
    cols.rep = salesfunnel::key_column::strings(rep);
    cols.amount = std::span(r.amount).subspan(b, e - b);
    cols.attributes.push_back(salesfunnel::attribute_column{"segment", salesfunnel::key_column::strings(seg)});
  }
};

}  // namespace shapes
