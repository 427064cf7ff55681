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
// A small value type: stages in declaration order (a stage id is the dense
// index), edges in the order added, adjacency lists both ways and a hashed
// edge index, so building a graph is linear in its size. It includes no
// parser and no Boost.Graph: JSON and DOT live in io/graph_json.hpp, and
// io/boost_graph.hpp gives the same graph as a Boost.Graph adjacency_list.
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
#include "salesfunnel/config.hpp"
#include "salesfunnel/detail/hash.hpp"
#include "salesfunnel/detail/utf8.hpp"

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
  stage_graph() = default;
  explicit stage_graph(std::string name) : name_(std::move(name)) {}

  /// Adds a stage; AlreadyExists for a duplicate name, InvalidArgument for an
  /// empty one.
  absl::StatusOr<stage_id> add_stage(std::string_view name, stage_kind kind) {
    if (name.empty()) return absl::InvalidArgumentError("stage name must not be empty");
    if (auto bad = detail::utf8_error(name); bad != std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("stage name is not valid UTF-8 (byte ", bad, ")"));
    }
    if (index_.contains(detail::av(name))) {
      return absl::AlreadyExistsError(absl::StrCat("duplicate stage name '", detail::av(name), "'"));
    }
    const auto id = num_stages();
    stages_.push_back(stage{std::string(name), kind});
    out_.emplace_back();
    in_.emplace_back();
    index_.emplace(std::string(name), id);
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
    if (auto bad = detail::utf8_error(commitment_name); bad != std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("commitment name is not valid UTF-8 (byte ", bad, ")"));
    }
    if (has_edge(from, to)) {
      return absl::AlreadyExistsError(absl::StrCat("duplicate transition '", name_of(from),
                                                   "' -> '", name_of(to), "'"));
    }
    std::string cname = commitment_name.empty()
                            ? absl::StrCat(name_of(from), " -> ", name_of(to))
                            : std::string(commitment_name);
    edge_lookup_.emplace(edge_key(from, to), static_cast<std::int32_t>(edges_.size()));
    out_[static_cast<std::size_t>(from)].push_back(to);
    in_[static_cast<std::size_t>(to)].push_back(from);
    edges_.push_back(transition{from, to, std::move(cname)});
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
      for (const stage_id src : in_[static_cast<std::size_t>(queue[head])]) {
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
  stage_id num_stages() const { return static_cast<stage_id>(stages_.size()); }
  std::size_t num_transitions() const { return edges_.size(); }

  const stage& stage_at(stage_id s) const { return stages_[static_cast<std::size_t>(s)]; }
  /// Whether `s` is a stage id of this graph.
  bool contains(stage_id s) const { return s >= 0 && s < num_stages(); }
  /// OutOfRange naming `what` when `s` is not a stage id of this graph.
  absl::Status check_stage(stage_id s, std::string_view what = "stage") const {
    if (contains(s)) return absl::OkStatus();
    return absl::OutOfRangeError(absl::StrCat(detail::av(what), " ", s, " is not a stage id (the graph has ",
                                              num_stages(), " stages)"));
  }
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

  /// Expected O(1): is `from -> to` an edge?
  bool has_edge(stage_id from, stage_id to) const { return edge_index(from, to) >= 0; }

  /// Index into transitions() of the edge `from -> to`, or -1.
  std::int32_t edge_index(stage_id from, stage_id to) const {
    auto it = edge_lookup_.find(edge_key(from, to));
    return it == edge_lookup_.end() ? -1 : it->second;
  }

  /// Every edge, in the order added.
  const std::vector<transition>& transitions() const { return edges_; }

  /// The stages reachable in one step from `s`.
  const std::vector<stage_id>& successors(stage_id s) const {
    return out_[static_cast<std::size_t>(s)];
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

  /// Per stage, its position on the main path, or -1 off it.
  std::vector<std::int32_t> main_ranks() const {
    std::vector<std::int32_t> rank(static_cast<std::size_t>(num_stages()), -1);
    std::int32_t r = 0;
    for (const stage_id s : main_path()) rank[static_cast<std::size_t>(s)] = r++;
    return rank;
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

  /// The stages with an edge into `s`.
  const std::vector<stage_id>& predecessors(stage_id s) const {
    return in_[static_cast<std::size_t>(s)];
  }

  /// A 64-bit fingerprint of the stages (names, kinds, order) and edges
  /// (ends, commitments, order). Equal graphs have equal fingerprints on
  /// every machine; statistics carry it so that only statistics of the same
  /// graph merge.
  std::uint64_t fingerprint() const {
    detail::fnv1a h;
    h.integer(num_stages());
    for (const auto& st : stages_) {
      h.text(st.name);
      h.integer(static_cast<std::int64_t>(st.kind));
    }
    h.integer(static_cast<std::int64_t>(edges_.size()));
    for (const auto& e : edges_) {
      h.integer(e.from);
      h.integer(e.to);
      h.text(e.commitment);
    }
    return h.h;
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
  static std::uint64_t edge_key(stage_id from, stage_id to) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(from)) << 32) |
           static_cast<std::uint32_t>(to);
  }

  std::string name_;
  std::vector<stage> stages_;
  std::vector<std::vector<stage_id>> out_, in_;  // adjacency, in the order edges were added
  absl::flat_hash_map<std::string, stage_id> index_;
  absl::flat_hash_map<std::uint64_t, std::int32_t> edge_lookup_;
  std::vector<transition> edges_;  // in the order added
};

SALESFUNNEL_END_NAMESPACE
