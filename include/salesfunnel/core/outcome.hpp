// THE outcome rule, written once and used by every analysis.
//
//   stage ids of one deal's path, in time order:  Lead, Contact, Client, Advocate, Lead
//   salesfunnel::outcome_prefix(g, path) == 4   // Client is the outcome (won); the
//                                               // Client -> Advocate edge between won
//                                               // stages is fine; the final Lead is an
//                                               // event after the outcome, left out
//
// A deal's outcome is the first won or lost stage it reaches. After it, moves
// along graph edges between terminal stages of the same kind (Client ->
// Advocate) still belong to the deal; any other later event is an "event
// after the outcome": the event log counts it in issues() and leaves it out,
// so the funnel, the model, the forecast and the methodology see one history.
//
// A deal without an outcome is open. Open deals resting in a nurture stage
// are parked ("not now"): still open everywhere (the model lets them
// re-engage, the forecast walks them), but outside the pipeline that the
// audit and coverage value unless asked to include nurture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// Where a deal stands: open (no outcome), parked (open, in nurture), won or lost.
enum class deal_state : std::uint8_t { open = 0, parked = 1, won = 2, lost = 3 };

/// "open", "parked", "won" or "lost".
inline std::string_view to_string(deal_state s) {
  switch (s) {
    case deal_state::open: return "open";
    case deal_state::parked: return "parked";
    case deal_state::won: return "won";
    case deal_state::lost: return "lost";
  }
  return "open";
}

/// The state of a deal whose latest counted event entered a stage of kind `k`.
inline deal_state state_of(stage_kind k) {
  switch (k) {
    case stage_kind::won: return deal_state::won;
    case stage_kind::lost: return deal_state::lost;
    case stage_kind::nurture: return deal_state::parked;
    default: return deal_state::open;
  }
}

/// No outcome yet: open or parked.
inline bool is_open(deal_state s) { return s == deal_state::open || s == deal_state::parked; }

/// In the pipeline the audit and coverage value: open, and parked deals only
/// when `include_nurture`.
inline bool in_pipeline(deal_state s, bool include_nurture) {
  return s == deal_state::open || (include_nurture && s == deal_state::parked);
}

/// How many leading events of a deal's path (stage ids in time order) belong
/// to it under the outcome rule: all of them for an open deal; for a closed
/// one, up to its outcome plus the moves along edges between terminal stages
/// of the outcome's kind that directly follow it.
inline std::size_t outcome_prefix(const stage_graph& g, std::span<const stage_id> path) {
  std::size_t i = 0;
  while (i < path.size() && !is_terminal(g.kind_of(path[i]))) ++i;
  if (i == path.size()) return i;
  const stage_kind outcome = g.kind_of(path[i]);
  std::size_t end = i + 1;
  while (end < path.size() && g.kind_of(path[end]) == outcome && g.has_edge(path[end - 1], path[end])) {
    ++end;
  }
  return end;
}

SALESFUNNEL_END_NAMESPACE
