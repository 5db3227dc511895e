#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../exporter/process_helpers.h"
#include "../exporter/sample_metrics.h"
#include "dashboard_queries.h"
#include "exporter/metrics_collector.h"

namespace nsbench::testing {
namespace {

using nlohmann::json;

// Every object under a "datasource" key anywhere in the document, with where it was found.
void collect_datasources(const json& node, const std::string& where,
                         std::vector<std::pair<std::string, json>>& found) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "datasource")
        found.emplace_back(where, value);
      collect_datasources(value, where + "/" + key, found);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      collect_datasources(node[i], where + "/" + std::to_string(i), found);
    }
  }
}

const json* find_variable(const json& dashboard, const std::string& name) {
  for (const json& variable : dashboard["templating"]["list"]) {
    if (variable.value("name", "") == name)
      return &variable;
  }
  return nullptr;
}

TEST(Dashboard, ParsesAndDeclaresAGrafanaSchema) {
  const json dashboard = load_dashboard();

  EXPECT_GE(dashboard.value("schemaVersion", 0), 36);
  EXPECT_FALSE(dashboard.value("title", "").empty());
  EXPECT_TRUE(dashboard["id"].is_null()) << "an id ties the dashboard to one Grafana database";
  ASSERT_TRUE(dashboard["panels"].is_array());
  ASSERT_TRUE(dashboard["templating"]["list"].is_array());

  std::set<int> ids;
  for (const json& panel : all_panels(dashboard)) {
    const std::string title = panel.value("title", "");
    EXPECT_FALSE(title.empty());
    EXPECT_TRUE(ids.insert(panel.value("id", -1)).second) << "duplicate panel id in " << title;
    for (const char* field : {"h", "w", "x", "y"}) {
      EXPECT_TRUE(panel["gridPos"].contains(field)) << title << " gridPos." << field;
    }
    EXPECT_LE(panel["gridPos"].value("x", 0) + panel["gridPos"].value("w", 0), 24) << title;
  }
}

TEST(Dashboard, ImportsAnywhereThroughADatasourceInputAndVariable) {
  const json dashboard = load_dashboard();

  ASSERT_TRUE(dashboard["__inputs"].is_array());
  const json& inputs = dashboard["__inputs"];
  const auto input = std::find_if(inputs.begin(), inputs.end(), [](const json& entry) {
    return entry.value("name", "") == "DS_PROMETHEUS";
  });
  ASSERT_NE(input, inputs.end());
  EXPECT_EQ(input->value("type", ""), "datasource");
  EXPECT_EQ(input->value("pluginId", ""), "prometheus");

  const json* datasource = find_variable(dashboard, "datasource");
  ASSERT_NE(datasource, nullptr);
  EXPECT_EQ(datasource->value("type", ""), "datasource");
  EXPECT_EQ(datasource->value("query", ""), "prometheus");
}

TEST(Dashboard, EveryPanelAndQueryUsesTheDatasourceVariable) {
  const json dashboard = load_dashboard();
  std::vector<std::pair<std::string, json>> datasources;
  collect_datasources(dashboard["panels"], "panels", datasources);
  for (const json& variable : dashboard["templating"]["list"]) {
    if (variable.value("type", "") == "query") {
      collect_datasources(variable, "variable " + variable.value("name", ""), datasources);
    }
  }

  ASSERT_FALSE(datasources.empty());
  for (const auto& [where, datasource] : datasources) {
    ASSERT_TRUE(datasource.is_object()) << where << ": " << datasource.dump();
    EXPECT_EQ(datasource.value("uid", ""), "${datasource}") << where << ": " << datasource.dump();
  }
  for (const json& panel : all_panels(dashboard)) {
    if (panel.value("type", "") == "row")
      continue;
    EXPECT_TRUE(panel.contains("datasource")) << panel.value("title", "");
  }
}

TEST(Dashboard, HasTheLatencyHeatmapAndFilterVariables) {
  const json dashboard = load_dashboard();

  const auto panels = all_panels(dashboard);
  const auto heatmap = std::ranges::find_if(
      panels, [](const json& panel) { return panel.value("type", "") == "heatmap"; });
  ASSERT_NE(heatmap, panels.end());
  const json& target = (*heatmap)["targets"].at(0);
  EXPECT_EQ(target.value("format", ""), "heatmap");
  const std::string expr = target.value("expr", "");
  EXPECT_NE(expr.find("sum by (le)"), std::string::npos) << expr;
  EXPECT_NE(expr.find("nsbench_syscall_duration_seconds_bucket"), std::string::npos) << expr;
  EXPECT_NE(expr.find("[$__rate_interval]"), std::string::npos) << expr;

  for (const char* name : {"syscall", "ns_type"}) {
    const json* variable = find_variable(dashboard, name);
    ASSERT_NE(variable, nullptr) << name;
    EXPECT_EQ(variable->value("type", ""), "query") << name;
    EXPECT_EQ(variable->value("allValue", ""), ".*") << name;
  }
}

TEST(Dashboard, QueriesOnlyMetricsTheExporterExports) {
  exporter::MetricsCollector collector([] { return sample_snapshot(); });
  collector.set_benchmark_results(sample_results());
  std::set<std::string> exported;
  for (const prometheus::MetricFamily& family : collector.Collect()) {
    exported.insert(family.name);
    if (family.type == prometheus::MetricType::Histogram) {
      for (const char* suffix : {"_bucket", "_count", "_sum"})
        exported.insert(family.name + suffix);
    }
  }

  for (const DashboardQuery& query : dashboard_queries(load_dashboard())) {
    for (const std::string& name : nsbench_metric_names(query.promql)) {
      EXPECT_TRUE(exported.contains(name)) << query.where << " queries " << name;
    }
  }
}

TEST(Dashboard, EveryQueryIsValidPromQL) {
  NSBENCH_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  const std::vector<DashboardQuery> queries = dashboard_queries(load_dashboard());
  ASSERT_FALSE(queries.empty());

  // promtool parses every expression of a rules file; JSON is valid YAML, so nlohmann writes it.
  json rules = json::array();
  for (size_t i = 0; i < queries.size(); ++i) {
    rules.push_back({{"record", "nsbench:check:" + std::to_string(i)},
                     {"expr", substitute_grafana_variables(queries[i].promql)}});
  }
  const json rules_file = {{"groups", {{{"name", "nsbench-dashboard"}, {"rules", rules}}}}};
  std::string path = (std::filesystem::temp_directory_path() / "nsbench-rules-XXXXXX").string();
  const int fd = mkstemp(path.data());
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << rules_file.dump(2);

  const ProcessResult result = run_process({*promtool, "check", "rules", path});
  std::filesystem::remove(path);

  EXPECT_EQ(result.exit_code, 0) << result.output << "\n" << rules_file.dump(2);
}

TEST(DashboardVariables, AreReplacedByWhatGrafanaWouldSubstitute) {
  EXPECT_EQ(substitute_grafana_variables(R"(rate(x{a=~"$syscall"}[$__rate_interval]))"),
            R"(rate(x{a=~".*"}[5m]))");
  EXPECT_EQ(substitute_grafana_variables(R"(x{a=~"${ns_type:regex}", b=~"${syscall}"})"),
            R"(x{a=~".*", b=~".*"})");
  EXPECT_THROW(substitute_grafana_variables("x[$__unknown]"), std::invalid_argument);
}

}  // namespace
}  // namespace nsbench::testing
