// The stage graph: stages joined by buyer commitments.
//
//   salesfunnel::stage_graph g;
//   g.add_stage("Lead", salesfunnel::stage_kind::entry).IgnoreError();
//   g.add_stage("Client", salesfunnel::stage_kind::won).IgnoreError();
//   g.add_stage("Lost", salesfunnel::stage_kind::lost).IgnoreError();
//   g.add_transition("Lead", "Client", "decides to buy").IgnoreError();
//   g.add_transition("Lead", "Lost").IgnoreError();
//   absl::Status ok = g.validate();
//
// A thin value type over a Boost.Graph bidirectional adjacency_list whose
// vertices are stages and whose edges are commitment transitions. Stage ids
// are the dense vertex indices, in the order stages were declared.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <nlohmann/json.hpp>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// What a stage is: where deals start, sit, or end.
enum class stage_kind : std::uint8_t { entry = 0, open = 1, won = 2, lost = 3, nurture = 4 };

/// Dense stage index (the Boost.Graph vertex index).
using stage_id = std::int32_t;

/// "entry", "open", "won", "lost" or "nurture".
inline std::string_view to_string(stage_kind k) {
  switch (k) {
    case stage_kind::entry: return "entry";
    case stage_kind::open: return "open";
    case stage_kind::won: return "won";
    case stage_kind::lost: return "lost";
    case stage_kind::nurture: return "nurture";
  }
  return "open";
}

/// Parses a stage kind name; InvalidArgument lists the allowed names.
inline absl::StatusOr<stage_kind> parse_stage_kind(std::string_view s) {
  for (auto k : {stage_kind::entry, stage_kind::open, stage_kind::won, stage_kind::lost,
                 stage_kind::nurture}) {
    if (s == to_string(k)) return k;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown stage kind '", detail::av(s), "'; allowed: entry, open, won, lost, nurture"));
}

/// True for won and lost stages: a deal resting there is closed.
inline bool is_terminal(stage_kind k) { return k == stage_kind::won || k == stage_kind::lost; }

/// A stage: a vertex's bundled property.
struct stage {
  std::string name;
  stage_kind kind = stage_kind::open;
};

/// A commitment transition: an edge's bundled property.
struct commitment {
  std::string name;
};

/// One edge as plain data: `from -> to` by the named commitment.
struct transition {
  stage_id from = 0;
  stage_id to = 0;
  std::string commitment;
};

/// A sales process as a directed graph of stages joined by commitments.
///
/// Backward edges (a new stakeholder sends a deal back) and skips are allowed.
/// Cheap to copy; immutable in practice once handed to an event log.
class stage_graph {
 public:
  using graph_type = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                           stage, commitment>;

  stage_graph() = default;
  explicit stage_graph(std::string name) : name_(std::move(name)) {}

  /// Adds a stage; AlreadyExists for a duplicate name, InvalidArgument for an
  /// empty one.
  absl::StatusOr<stage_id> add_stage(std::string_view name, stage_kind kind) {
    if (name.empty()) return absl::InvalidArgumentError("stage name must not be empty");
    if (index_.contains(detail::av(name))) {
      return absl::AlreadyExistsError(absl::StrCat("duplicate stage name '", detail::av(name), "'"));
    }
    auto v = boost::add_vertex(stage{std::string(name), kind}, g_);
    auto id = static_cast<stage_id>(v);
    index_.emplace(std::string(name), id);
    rebuild_edge_index();
    return id;
  }

  /// Adds a commitment transition between two declared stages; NotFound names
  /// the unknown stage, AlreadyExists a repeated edge.
  absl::Status add_transition(std::string_view from, std::string_view to,
                              std::string_view commitment_name = "") {
    auto f = id_of(from);
    if (!f.ok()) return f.status();
    auto t = id_of(to);
    if (!t.ok()) return t.status();
    return add_transition(*f, *t, commitment_name);
  }

  /// Adds a transition by stage ids.
  absl::Status add_transition(stage_id from, stage_id to, std::string_view commitment_name = "") {
    if (from < 0 || from >= num_stages() || to < 0 || to >= num_stages()) {
      return absl::OutOfRangeError(absl::StrCat("transition ", from, " -> ", to,
                                                " names a stage id outside [0, ", num_stages(),
                                                ")"));
    }
    if (from == to) {
      return absl::InvalidArgumentError(
          absl::StrCat("transition from stage '", name_of(from), "' to itself"));
    }
    if (has_edge(from, to)) {
      return absl::AlreadyExistsError(absl::StrCat("duplicate transition '", name_of(from),
                                                   "' -> '", name_of(to), "'"));
    }
    std::string cname = commitment_name.empty()
                            ? absl::StrCat(name_of(from), " -> ", name_of(to))
                            : std::string(commitment_name);
    boost::add_edge(static_cast<std::size_t>(from), static_cast<std::size_t>(to),
                    commitment{cname}, g_);
    edges_.push_back(transition{from, to, std::move(cname)});
    rebuild_edge_index();
    return absl::OkStatus();
  }

  /// Checks the graph is usable: at least one entry and one won stage, every
  /// stage can reach a terminal (won or lost) stage.
  absl::Status validate() const {
    if (num_stages() == 0) return absl::FailedPreconditionError("stage graph has no stages");
    bool has_entry = false, has_won = false;
    for (stage_id s = 0; s < num_stages(); ++s) {
      has_entry |= kind_of(s) == stage_kind::entry;
      has_won |= kind_of(s) == stage_kind::won;
    }
    if (!has_entry) {
      return absl::FailedPreconditionError("stage graph has no entry stage (kind 'entry')");
    }
    if (!has_won) return absl::FailedPreconditionError("stage graph has no won stage (kind 'won')");
    // Breadth-first search backwards from every terminal stage.
    std::vector<char> reaches(num_stages(), 0);
    std::vector<stage_id> queue;
    for (stage_id s = 0; s < num_stages(); ++s) {
      if (is_terminal(kind_of(s))) {
        reaches[s] = 1;
        queue.push_back(s);
      }
    }
    for (std::size_t head = 0; head < queue.size(); ++head) {
      for (auto [e, end] = boost::in_edges(static_cast<std::size_t>(queue[head]), g_); e != end;
           ++e) {
        auto src = static_cast<stage_id>(boost::source(*e, g_));
        if (!reaches[src]) {
          reaches[src] = 1;
          queue.push_back(src);
        }
      }
    }
    std::vector<std::string> stuck;
    for (stage_id s = 0; s < num_stages(); ++s) {
      if (!reaches[s]) stuck.push_back(name_of(s));
    }
    if (!stuck.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("stage(s) that cannot reach a won or lost stage: ",
                       absl::StrJoin(stuck, ", ")));
    }
    return absl::OkStatus();
  }

  const std::string& name() const { return name_; }
  stage_id num_stages() const { return static_cast<stage_id>(boost::num_vertices(g_)); }
  std::size_t num_transitions() const { return boost::num_edges(g_); }

  const stage& stage_at(stage_id s) const { return g_[static_cast<std::size_t>(s)]; }
  const std::string& name_of(stage_id s) const { return stage_at(s).name; }
  stage_kind kind_of(stage_id s) const { return stage_at(s).kind; }

  /// The stage with this name, or NotFound listing the known stages.
  absl::StatusOr<stage_id> id_of(std::string_view name) const {
    if (auto it = index_.find(detail::av(name)); it != index_.end()) return it->second;
    return absl::NotFoundError(absl::StrCat("unknown stage '", detail::av(name), "'; known stages: ",
                                            absl::StrJoin(stage_names(), ", ")));
  }
  std::optional<stage_id> find(std::string_view name) const {
    if (auto it = index_.find(detail::av(name)); it != index_.end()) return it->second;
    return std::nullopt;
  }

  std::vector<std::string> stage_names() const {
    std::vector<std::string> out;
    out.reserve(num_stages());
    for (stage_id s = 0; s < num_stages(); ++s) out.push_back(name_of(s));
    return out;
  }

  /// O(1): is `from -> to` an edge?
  bool has_edge(stage_id from, stage_id to) const { return edge_index(from, to) >= 0; }

  /// Index into transitions() of the edge `from -> to`, or -1.
  std::int32_t edge_index(stage_id from, stage_id to) const {
    const auto n = num_stages();
    if (from < 0 || to < 0 || from >= n || to >= n) return -1;
    return edge_lookup_[static_cast<std::size_t>(from) * n + to];
  }

  /// Every edge, in the order added.
  const std::vector<transition>& transitions() const { return edges_; }

  /// The stages reachable in one step from `s`.
  std::vector<stage_id> successors(stage_id s) const {
    std::vector<stage_id> out;
    for (auto [e, end] = boost::out_edges(static_cast<std::size_t>(s), g_); e != end; ++e) {
      out.push_back(static_cast<stage_id>(boost::target(*e, g_)));
    }
    return out;
  }

  /// The main path: entry, open and won stages in declaration order (the
  /// entry-to-won chain a funnel chart draws). Lost and nurture stages are off it.
  std::vector<stage_id> main_path() const {
    std::vector<stage_id> out;
    for (stage_id s = 0; s < num_stages(); ++s) {
      auto k = kind_of(s);
      if (k == stage_kind::entry || k == stage_kind::open || k == stage_kind::won) out.push_back(s);
    }
    return out;
  }

  /// Position of `s` on the main path, or -1 when it is off the path.
  std::int32_t main_rank(stage_id s) const {
    auto path = main_path();
    auto it = std::find(path.begin(), path.end(), s);
    return it == path.end() ? -1 : static_cast<std::int32_t>(it - path.begin());
  }

  /// The first declared entry stage, or -1.
  stage_id entry() const {
    for (stage_id s = 0; s < num_stages(); ++s) {
      if (kind_of(s) == stage_kind::entry) return s;
    }
    return -1;
  }

  /// The underlying Boost.Graph, for users who want its algorithms.
  const graph_type& graph() const { return g_; }

  /// JSON: {"name", "stages": [{"name", "kind"}], "transitions": [{"from", "to", "commitment"}]}.
  std::string to_json(int indent = 2) const {
    nlohmann::ordered_json j;
    j["name"] = name_;
    j["stages"] = nlohmann::ordered_json::array();
    for (stage_id s = 0; s < num_stages(); ++s) {
      j["stages"].push_back({{"name", name_of(s)}, {"kind", std::string(to_string(kind_of(s)))}});
    }
    j["transitions"] = nlohmann::ordered_json::array();
    for (const auto& e : edges_) {
      j["transitions"].push_back(
          {{"from", name_of(e.from)}, {"to", name_of(e.to)}, {"commitment", e.commitment}});
    }
    return j.dump(indent);
  }

  /// Parses to_json()'s format; errors name the field and position, then the
  /// graph is validated.
  static absl::StatusOr<stage_graph> from_json(std::string_view text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return absl::InvalidArgumentError("stage graph JSON: not valid JSON");
    if (!j.is_object()) return absl::InvalidArgumentError("stage graph JSON: expected an object");
    stage_graph g;
    if (j.contains("name")) {
      if (!j["name"].is_string()) {
        return absl::InvalidArgumentError("stage graph JSON: 'name' must be a string");
      }
      g.name_ = j["name"].get<std::string>();
    }
    if (!j.contains("stages") || !j["stages"].is_array()) {
      return absl::InvalidArgumentError("stage graph JSON: missing array 'stages'");
    }
    std::size_t i = 0;
    for (const auto& s : j["stages"]) {
      if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat("stage graph JSON: stages[", i, "] needs a string 'name'"));
      }
      std::string kind = "open";
      if (s.contains("kind")) {
        if (!s["kind"].is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat("stage graph JSON: stages[", i, "].kind must be a string"));
        }
        kind = s["kind"].get<std::string>();
      }
      auto k = parse_stage_kind(kind);
      if (!k.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("stage graph JSON: stages[", i, "].kind: ", k.status().message()));
      }
      auto added = g.add_stage(s["name"].get<std::string>(), *k);
      if (!added.ok()) {
        return absl::Status(added.status().code(), absl::StrCat("stage graph JSON: stages[", i,
                                                                "]: ", added.status().message()));
      }
      ++i;
    }
    i = 0;
    if (j.contains("transitions")) {
      if (!j["transitions"].is_array()) {
        return absl::InvalidArgumentError("stage graph JSON: 'transitions' must be an array");
      }
      for (const auto& e : j["transitions"]) {
        if (!e.is_object() || !e.contains("from") || !e.contains("to") || !e["from"].is_string() ||
            !e["to"].is_string()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "stage graph JSON: transitions[", i, "] needs string 'from' and 'to'"));
        }
        std::string cname;
        if (e.contains("commitment") && e["commitment"].is_string()) {
          cname = e["commitment"].get<std::string>();
        }
        auto st = g.add_transition(e["from"].get<std::string>(), e["to"].get<std::string>(), cname);
        if (!st.ok()) {
          return absl::Status(st.code(), absl::StrCat("stage graph JSON: transitions[", i,
                                                      "]: ", st.message()));
        }
        ++i;
      }
    }
    SALESFUNNEL_RETURN_IF_ERROR(g.validate());
    return g;
  }

  /// Graphviz DOT: stages coloured by kind, edges labelled by commitment.
  std::string to_dot() const {
    auto quote = [](std::string_view s) {
      std::string out = "\"";
      for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
      return out;
    };
    std::string out = absl::StrCat("digraph ", quote(name_.empty() ? "salesfunnel" : name_),
                                   " {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\"];\n");
    for (stage_id s = 0; s < num_stages(); ++s) {
      const char* color = "#dbe9f6";
      switch (kind_of(s)) {
        case stage_kind::entry: color = "#c6dbef"; break;
        case stage_kind::open: color = "#dbe9f6"; break;
        case stage_kind::won: color = "#a1d99b"; break;
        case stage_kind::lost: color = "#fc9272"; break;
        case stage_kind::nurture: color = "#fee391"; break;
      }
      absl::StrAppend(&out, "  ", quote(name_of(s)), " [fillcolor=\"", color, "\", tooltip=\"",
                      detail::av(to_string(kind_of(s))), "\"];\n");
    }
    for (const auto& e : edges_) {
      absl::StrAppend(&out, "  ", quote(name_of(e.from)), " -> ", quote(name_of(e.to)),
                      " [label=", quote(e.commitment), "];\n");
    }
    out += "}\n";
    return out;
  }

  friend bool operator==(const stage_graph& a, const stage_graph& b) {
    if (a.num_stages() != b.num_stages() || a.edges_.size() != b.edges_.size()) return false;
    for (stage_id s = 0; s < a.num_stages(); ++s) {
      if (a.name_of(s) != b.name_of(s) || a.kind_of(s) != b.kind_of(s)) return false;
    }
    for (std::size_t i = 0; i < a.edges_.size(); ++i) {
      if (a.edges_[i].from != b.edges_[i].from || a.edges_[i].to != b.edges_[i].to ||
          a.edges_[i].commitment != b.edges_[i].commitment)
        return false;
    }
    return true;
  }

 private:
  // Rebuilds the dense from x to lookup of edge indices (O(1) has_edge).
  void rebuild_edge_index() {
    const auto n = static_cast<std::size_t>(num_stages());
    edge_lookup_.assign(n * n, -1);
    for (std::size_t i = 0; i < edges_.size(); ++i) {
      edge_lookup_[static_cast<std::size_t>(edges_[i].from) * n + edges_[i].to] =
          static_cast<std::int32_t>(i);
    }
  }

  std::string name_;
  graph_type g_;
  absl::flat_hash_map<std::string, stage_id> index_;
  std::vector<std::int32_t> edge_lookup_;
  std::vector<transition> edges_;  // in the order added
};

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
