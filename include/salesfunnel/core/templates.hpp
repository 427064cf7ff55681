// Ready-made stage graphs: the six-stage sales cycle and the ten buyer
// commitments.
//
//   salesfunnel::stage_graph g = salesfunnel::templates::sales_cycle();
//   g.num_stages();  // 10: six stages, three exits, nurture
#pragma once

#include <initializer_list>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// Ready-made stage graphs.
namespace templates {

namespace detail {
struct stage_spec {
  const char* name;
  stage_kind kind;
};
struct edge_spec {
  const char* from;
  const char* to;
  const char* commitment;
};
inline stage_graph build(const char* name, std::initializer_list<stage_spec> stages,
                         std::initializer_list<edge_spec> edges) {
  stage_graph g(name);
  // The specs below are fixed and valid, so these calls cannot fail.
  for (const auto& s : stages) g.add_stage(s.name, s.kind).IgnoreError();
  for (const auto& e : edges) g.add_transition(e.from, e.to, e.commitment).IgnoreError();
  return g;
}
}  // namespace detail

/// The six-stage sales cycle: Lead -> Contact -> First Meeting -> Active
/// Prospect -> Client -> Advocate, with Lost / No Decision / Disqualified
/// exits, a Nurture stage ("not now") and a backward edge (a new stakeholder
/// sends an active prospect back to a first meeting).
inline stage_graph sales_cycle() {
  using k = stage_kind;
  return detail::build(
      "sales_cycle",
      {{"Lead", k::entry},
       {"Contact", k::open},
       {"First Meeting", k::open},
       {"Active Prospect", k::open},
       {"Client", k::won},
       {"Advocate", k::won},
       {"Lost", k::lost},
       {"No Decision", k::lost},
       {"Disqualified", k::lost},
       {"Nurture", k::nurture}},
      {{"Lead", "Contact", "agrees to talk"},
       {"Contact", "First Meeting", "agrees to meet"},
       {"First Meeting", "Active Prospect", "agrees to explore a change"},
       {"Active Prospect", "Client", "decides to buy"},
       {"Client", "Advocate", "agrees to refer"},
       {"Lead", "Disqualified", "not a fit"},
       {"Contact", "Disqualified", "firm no"},
       {"Contact", "Nurture", "not now"},
       {"First Meeting", "Nurture", "not now"},
       {"First Meeting", "Lost", "no interest"},
       {"Active Prospect", "Lost", "lost to a competitor"},
       {"Active Prospect", "No Decision", "no decision"},
       {"Active Prospect", "First Meeting", "new stakeholder"},
       {"Nurture", "Contact", "re-engages"},
       {"Nurture", "Disqualified", "goes dark"}});
}

/// The ten buyer commitments of a B2B sale as the edges of a process: time,
/// explore, change, collaborate, build consensus, invest, review, resolve
/// concerns, decide, execute; with Lost, No Decision and Nurture exits.
inline stage_graph ten_commitments() {
  using k = stage_kind;
  return detail::build(
      "ten_commitments",
      {{"Prospect", k::entry},
       {"Meeting Set", k::open},
       {"Exploring", k::open},
       {"Change Agreed", k::open},
       {"Collaborating", k::open},
       {"Consensus", k::open},
       {"Investment Agreed", k::open},
       {"Solution Reviewed", k::open},
       {"Concerns Resolved", k::open},
       {"Decided", k::open},
       {"Client", k::won},
       {"Lost", k::lost},
       {"No Decision", k::lost},
       {"Nurture", k::nurture}},
      {{"Prospect", "Meeting Set", "time"},
       {"Meeting Set", "Exploring", "explore"},
       {"Exploring", "Change Agreed", "change"},
       {"Change Agreed", "Collaborating", "collaborate"},
       {"Collaborating", "Consensus", "build consensus"},
       {"Consensus", "Investment Agreed", "invest"},
       {"Investment Agreed", "Solution Reviewed", "review"},
       {"Solution Reviewed", "Concerns Resolved", "resolve concerns"},
       {"Concerns Resolved", "Decided", "decide"},
       {"Decided", "Client", "execute"},
       {"Prospect", "Lost", "not a fit"},
       {"Meeting Set", "Nurture", "not now"},
       {"Exploring", "Nurture", "not now"},
       {"Exploring", "Lost", "no need"},
       {"Change Agreed", "Lost", "lost"},
       {"Collaborating", "Lost", "lost"},
       {"Consensus", "Exploring", "new stakeholder"},
       {"Consensus", "No Decision", "no consensus"},
       {"Investment Agreed", "No Decision", "no budget"},
       {"Solution Reviewed", "Lost", "lost to a competitor"},
       {"Concerns Resolved", "No Decision", "no decision"},
       {"Decided", "Lost", "reversed"},
       {"Nurture", "Meeting Set", "re-engages"},
       {"Nurture", "Lost", "goes dark"}});
}

}  // namespace templates

SALESFUNNEL_END_NAMESPACE
