// Stage graphs in and out: JSON (to_json / stage_graph_from_json) and
// Graphviz DOT (to_dot). The only header that includes a JSON parser.
//
//   std::string text = salesfunnel::to_json(salesfunnel::templates::sales_cycle());
//   absl::StatusOr<salesfunnel::stage_graph> g = salesfunnel::stage_graph_from_json(text);
//   std::string dot = salesfunnel::to_dot(*g);
//
// JSON format: {"name", "stages": [{"name", "kind"}],
//               "transitions": [{"from", "to", "commitment"}]}.
#pragma once

#include <string>
#include <string_view>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <nlohmann/json.hpp>

#include "salesfunnel/config.hpp"
#include "salesfunnel/core/stage_graph.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// The graph as JSON, stages and transitions in declaration order.
inline std::string to_json(const stage_graph& g, int indent = 2) {
  nlohmann::ordered_json j;
  j["name"] = g.name();
  j["stages"] = nlohmann::ordered_json::array();
  for (stage_id s = 0; s < g.num_stages(); ++s) {
    j["stages"].push_back({{"name", g.name_of(s)}, {"kind", std::string(to_string(g.kind_of(s)))}});
  }
  j["transitions"] = nlohmann::ordered_json::array();
  for (const auto& e : g.transitions()) {
    j["transitions"].push_back(
        {{"from", g.name_of(e.from)}, {"to", g.name_of(e.to)}, {"commitment", e.commitment}});
  }
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace detail {

inline absl::Status json_error(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("stage graph JSON: ", av(where), av(what)));
}

inline absl::StatusOr<std::string> json_string(const nlohmann::json& o, const char* key,
                                               std::string_view where, bool required) {
  if (!o.contains(key)) {
    if (required) return json_error(where, absl::StrCat(" needs a string '", key, "'"));
    return std::string();
  }
  if (!o[key].is_string()) {
    return json_error(where, absl::StrCat(".", key, " must be a string, got ", o[key].type_name()));
  }
  return o[key].get<std::string>();
}

inline absl::Status json_add_stages(const nlohmann::json& j, stage_graph& g) {
  if (!j.contains("stages") || !j["stages"].is_array()) {
    return json_error("", "missing array 'stages'");
  }
  std::size_t i = 0;
  for (const auto& s : j["stages"]) {
    const std::string where = absl::StrCat("stages[", i++, "]");
    if (!s.is_object()) return json_error(where, " must be an object");
    SALESFUNNEL_ASSIGN_OR_RETURN(std::string name, json_string(s, "name", where, true));
    SALESFUNNEL_ASSIGN_OR_RETURN(std::string kind, json_string(s, "kind", where, false));
    auto k = parse_stage_kind(kind.empty() ? "open" : kind);
    if (!k.ok()) return json_error(where, absl::StrCat(".kind: ", k.status().message()));
    auto added = g.add_stage(name, *k);
    if (!added.ok()) {
      return absl::Status(added.status().code(), absl::StrCat("stage graph JSON: ", where, ": ",
                                                              added.status().message()));
    }
  }
  return absl::OkStatus();
}

inline absl::Status json_add_transitions(const nlohmann::json& j, stage_graph& g) {
  if (!j.contains("transitions")) return absl::OkStatus();
  if (!j["transitions"].is_array()) return json_error("", "'transitions' must be an array");
  std::size_t i = 0;
  for (const auto& e : j["transitions"]) {
    const std::string where = absl::StrCat("transitions[", i++, "]");
    if (!e.is_object()) return json_error(where, " must be an object");
    SALESFUNNEL_ASSIGN_OR_RETURN(std::string from, json_string(e, "from", where, true));
    SALESFUNNEL_ASSIGN_OR_RETURN(std::string to, json_string(e, "to", where, true));
    SALESFUNNEL_ASSIGN_OR_RETURN(std::string cname, json_string(e, "commitment", where, false));
    auto st = g.add_transition(from, to, cname);
    if (!st.ok()) {
      return absl::Status(st.code(), absl::StrCat("stage graph JSON: ", where, ": ", st.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace detail

/// Parses to_json()'s format; errors name the field, or the byte offset of
/// a syntax error; then the graph is validated.
inline absl::StatusOr<stage_graph> stage_graph_from_json(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("stage graph JSON: not valid JSON at byte ", e.byte));
  } catch (const nlohmann::json::exception& e) {
    // out_of_range 406: a number such as 1E555 past double's range (found by
    // tests/fuzz/fuzz_graph_json); nlohmann gives no offset for it.
    return absl::InvalidArgumentError(
        absl::StrCat("stage graph JSON: a number is out of range (", e.what(), ")"));
  }
  if (!j.is_object()) return absl::InvalidArgumentError("stage graph JSON: expected an object");
  SALESFUNNEL_ASSIGN_OR_RETURN(std::string name, detail::json_string(j, "name", "", false));
  stage_graph g(std::move(name));
  SALESFUNNEL_RETURN_IF_ERROR(detail::json_add_stages(j, g));
  SALESFUNNEL_RETURN_IF_ERROR(detail::json_add_transitions(j, g));
  SALESFUNNEL_RETURN_IF_ERROR(g.validate());
  return g;
}

/// Graphviz DOT: stages coloured by kind, edges labelled by commitment.
inline std::string to_dot(const stage_graph& g) {
  auto quote = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return out;
  };
  std::string out = absl::StrCat("digraph ", quote(g.name().empty() ? "salesfunnel" : g.name()),
                                 " {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\"];\n");
  for (stage_id s = 0; s < g.num_stages(); ++s) {
    const char* color = "#dbe9f6";
    switch (g.kind_of(s)) {
      case stage_kind::entry: color = "#c6dbef"; break;
      case stage_kind::open: color = "#dbe9f6"; break;
      case stage_kind::won: color = "#a1d99b"; break;
      case stage_kind::lost: color = "#fc9272"; break;
      case stage_kind::nurture: color = "#fee391"; break;
    }
    absl::StrAppend(&out, "  ", quote(g.name_of(s)), " [fillcolor=\"", color, "\", tooltip=\"",
                    detail::av(to_string(g.kind_of(s))), "\"];\n");
  }
  for (const auto& e : g.transitions()) {
    absl::StrAppend(&out, "  ", quote(g.name_of(e.from)), " -> ", quote(g.name_of(e.to)),
                    " [label=", quote(e.commitment), "];\n");
  }
  out += "}\n";
  return out;
}

SALESFUNNEL_END_NAMESPACE
