// The stage graph as a Boost.Graph adjacency_list, for users who want Boost's
// graph algorithms (shortest paths, strongly connected components, ...).
//
//   auto bg = salesfunnel::to_boost_graph(salesfunnel::templates::sales_cycle());
//   boost::num_vertices(bg);  // 10; vertex i is stage id i
//
// Vertices carry the `stage` (name, kind) and edges the `commitment` (name),
// in declaration order, so vertex indices are stage ids.
#pragma once

#include <cstddef>

#include <boost/graph/adjacency_list.hpp>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// The Boost.Graph type a stage graph converts to.
using boost_stage_graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                                stage, commitment>;

/// A Boost.Graph copy of `g`: vertex i is stage i, edges in the order added.
inline boost_stage_graph to_boost_graph(const stage_graph& g) {
  boost_stage_graph out;
  for (stage_id s = 0; s < g.num_stages(); ++s) boost::add_vertex(g.stage_at(s), out);
  for (const auto& e : g.transitions()) {
    boost::add_edge(static_cast<std::size_t>(e.from), static_cast<std::size_t>(e.to),
                    commitment{e.commitment}, out);
  }
  return out;
}

SALESFUNNEL_END_NAMESPACE
