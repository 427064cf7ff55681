// C ABI: status helpers and stage graphs.
#include "common.hpp"
#include "enum_arg.hpp"

using sf_capi::fail;
using sf_capi::from_status;
using sf_capi::guard;
using sf_capi::ok;
namespace sfn = salesfunnel;

extern "C" {

SF_API const char* sf_status_string(sf_status s) {
  switch (s) {
    case SF_OK: return "OK";
    case SF_CANCELLED: return "CANCELLED";
    case SF_UNKNOWN: return "UNKNOWN";
    case SF_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case SF_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case SF_NOT_FOUND: return "NOT_FOUND";
    case SF_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case SF_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case SF_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case SF_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case SF_ABORTED: return "ABORTED";
    case SF_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case SF_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case SF_INTERNAL: return "INTERNAL";
    case SF_UNAVAILABLE: return "UNAVAILABLE";
    case SF_DATA_LOSS: return "DATA_LOSS";
    case SF_UNAUTHENTICATED: return "UNAUTHENTICATED";
  }
  return "UNRECOGNIZED_STATUS";
}

SF_API const char* sf_version(void) { return SALESFUNNEL_VERSION_STRING; }

SF_API sf_status sf_graph_create(const char* name, sf_graph** out_graph, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(out_graph, "out_graph");
    *out_graph = new sf_graph{sfn::stage_graph(name ? name : "")};
    return ok(error);
  });
}

SF_API sf_status sf_graph_template(const char* name, sf_graph** out_graph, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(name, "name");
    SF_REQUIRE(out_graph, "out_graph");
    std::string_view n(name);
    if (n == "sales_cycle") {
      *out_graph = new sf_graph{sfn::templates::sales_cycle()};
    } else if (n == "ten_commitments") {
      *out_graph = new sf_graph{sfn::templates::ten_commitments()};
    } else {
      return fail(error, SF_NOT_FOUND,
                  std::string("unknown template '") + name +
                      "'; templates: sales_cycle, ten_commitments");
    }
    return ok(error);
  });
}

SF_API sf_status sf_graph_from_json(const char* json, size_t length, sf_graph** out_graph,
                                    sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(json, "json");
    SF_REQUIRE(out_graph, "out_graph");
    auto g = sfn::stage_graph_from_json(std::string_view(json, length));
    if (!g.ok()) return from_status(g.status(), error);
    *out_graph = new sf_graph{std::move(*g)};
    return ok(error);
  });
}

SF_API void sf_graph_destroy(sf_graph** graph) {
  sf_capi::destroy(graph);
}

SF_API sf_status sf_graph_add_stage(sf_graph* graph, const char* name, sf_stage_kind kind,
                                    int32_t* out_stage, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(name, "name");
    const int k = sf_capi::enum_arg(kind);
    if (k < SF_STAGE_ENTRY || k > SF_STAGE_NURTURE) {
      return fail(error, SF_INVALID_ARGUMENT,
                  "argument 'kind' is not an sf_stage_kind (0 entry .. 4 nurture)");
    }
    auto id = graph->g.add_stage(name, static_cast<sfn::stage_kind>(k));
    if (!id.ok()) return from_status(id.status(), error);
    if (out_stage) *out_stage = *id;
    return ok(error);
  });
}

SF_API sf_status sf_graph_add_transition(sf_graph* graph, const char* from, const char* to,
                                         const char* commitment, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(from, "from");
    SF_REQUIRE(to, "to");
    return from_status(graph->g.add_transition(from, to, commitment ? commitment : ""), error);
  });
}

SF_API sf_status sf_graph_validate(const sf_graph* graph, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    return from_status(graph->g.validate(), error);
  });
}

SF_API sf_status sf_graph_num_stages(const sf_graph* graph, int32_t* out_count, sf_error* error) {
  return sf_capi::get(error, graph, "graph", out_count, "out_count",
                      [&] { return graph->g.num_stages(); });
}

SF_API sf_status sf_graph_num_transitions(const sf_graph* graph, int32_t* out_count,
                                          sf_error* error) {
  return sf_capi::get(error, graph, "graph", out_count, "out_count",
                      [&] { return static_cast<int32_t>(graph->g.num_transitions()); });
}

namespace {
sf_status check_stage(const sfn::stage_graph& g, int32_t stage, sf_error* error) {
  if (stage < 0 || stage >= g.num_stages()) {
    return fail(error, SF_OUT_OF_RANGE,
                "stage " + std::to_string(stage) + " is outside [0, " +
                    std::to_string(g.num_stages()) + ")");
  }
  return SF_OK;
}
}  // namespace

SF_API sf_status sf_graph_stage_name(const sf_graph* graph, int32_t stage, const char** out_name,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(out_name, "out_name");
    if (auto s = check_stage(graph->g, stage, error); s != SF_OK) return s;
    *out_name = graph->g.name_of(stage).c_str();
    return ok(error);
  });
}

SF_API sf_status sf_graph_stage_kind(const sf_graph* graph, int32_t stage,
                                     sf_stage_kind* out_kind, sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(out_kind, "out_kind");
    if (auto s = check_stage(graph->g, stage, error); s != SF_OK) return s;
    *out_kind = static_cast<sf_stage_kind>(graph->g.kind_of(stage));
    return ok(error);
  });
}

SF_API sf_status sf_graph_find_stage(const sf_graph* graph, const char* name, int32_t* out_stage,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    SF_REQUIRE(name, "name");
    SF_REQUIRE(out_stage, "out_stage");
    auto id = graph->g.id_of(name);
    if (!id.ok()) return from_status(id.status(), error);
    *out_stage = *id;
    return ok(error);
  });
}

SF_API sf_status sf_graph_transition(const sf_graph* graph, int32_t index, int32_t* out_from,
                                     int32_t* out_to, const char** out_commitment,
                                     sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    const auto& t = graph->g.transitions();
    if (index < 0 || static_cast<std::size_t>(index) >= t.size()) {
      return fail(error, SF_OUT_OF_RANGE,
                  "transition " + std::to_string(index) + " is outside [0, " +
                      std::to_string(t.size()) + ")");
    }
    if (out_from) *out_from = t[index].from;
    if (out_to) *out_to = t[index].to;
    if (out_commitment) *out_commitment = t[index].commitment.c_str();
    return ok(error);
  });
}

SF_API sf_status sf_graph_to_json(const sf_graph* graph, char* buf, size_t size, size_t* out_len,
                                  sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    return sf_capi::write_text(sfn::to_json(graph->g), buf, size, out_len, error);
  });
}

SF_API sf_status sf_graph_to_dot(const sf_graph* graph, char* buf, size_t size, size_t* out_len,
                                 sf_error* error) {
  return guard(error, [&] {
    SF_REQUIRE(graph, "graph");
    return sf_capi::write_text(sfn::to_dot(graph->g), buf, size, out_len, error);
  });
}

}  // extern "C"
