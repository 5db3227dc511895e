// Reads the Grafana dashboard and turns its queries into plain PromQL, for the dashboard tests.
#pragma once

#include <fstream>
#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nsbench::testing {

inline const std::string kDashboardPath = NSBENCH_SOURCE_DIR "/dashboards/nsbench.json";

inline nlohmann::json load_dashboard() {
  std::ifstream in(kDashboardPath);
  return nlohmann::json::parse(in);  // throws with the position of a syntax error
}

// Every panel, including those nested in collapsed rows.
inline std::vector<nlohmann::json> all_panels(const nlohmann::json& dashboard) {
  std::vector<nlohmann::json> panels;
  for (const nlohmann::json& panel : dashboard.value("panels", nlohmann::json::array())) {
    panels.push_back(panel);
    for (const nlohmann::json& nested : panel.value("panels", nlohmann::json::array())) {
      panels.push_back(nested);
    }
  }
  return panels;
}

struct DashboardQuery {
  std::string where;   // panel title or variable name, for failure messages
  std::string promql;  // as written in the dashboard, Grafana variables included
};

// The PromQL of every panel target, and the series selector inside each query variable's
// label_values(SELECTOR, LABEL), which Prometheus evaluates as a series query.
inline std::vector<DashboardQuery> dashboard_queries(const nlohmann::json& dashboard) {
  std::vector<DashboardQuery> queries;
  for (const nlohmann::json& panel : all_panels(dashboard)) {
    for (const nlohmann::json& target : panel.value("targets", nlohmann::json::array())) {
      if (target.contains("expr")) {
        queries.push_back({panel.value("title", "?"), target["expr"].get<std::string>()});
      }
    }
  }

  for (const nlohmann::json& variable : dashboard["templating"]["list"]) {
    if (variable.value("type", "") != "query")
      continue;
    const std::string definition = variable.value("definition", "");
    const std::string prefix = "label_values(";
    const size_t last_comma = definition.rfind(',');
    if (definition.starts_with(prefix) && definition.ends_with(")") &&
        last_comma != std::string::npos) {
      queries.push_back({"variable " + variable.value("name", "?"),
                         definition.substr(prefix.size(), last_comma - prefix.size())});
    }
  }
  return queries;
}

// Replaces Grafana's variables by what Grafana would put there: durations for the interval
// variables, and the regex ".*" ("All") for the template variables, which the dashboard uses only
// inside =~ matchers. An unknown built-in variable throws, so that the test names it.
inline std::string substitute_grafana_variables(const std::string& promql) {
  const auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  std::string result;
  size_t position = 0;
  for (size_t dollar = promql.find('$'); dollar != std::string::npos;
       dollar = promql.find('$', position)) {
    result.append(promql, position, dollar - position);

    // "${name}" or "${name:format}", else "$name".
    std::string name;
    if (dollar + 1 < promql.size() && promql[dollar + 1] == '{') {
      const size_t close = promql.find('}', dollar);
      if (close == std::string::npos)
        throw std::invalid_argument("unclosed ${ in " + promql);
      name = promql.substr(dollar + 2, close - dollar - 2);
      name = name.substr(0, name.find(':'));
      position = close + 1;
    } else {
      position = dollar + 1;
      while (position < promql.size() && is_name_char(promql[position]))
        ++position;
      name = promql.substr(dollar + 1, position - dollar - 1);
    }

    if (name == "__rate_interval" || name == "__interval") {
      result += "5m";
    } else if (name == "__range") {
      result += "1h";
    } else if (name.empty() || name.starts_with("__")) {
      throw std::invalid_argument("unknown Grafana variable $" + name + " in " + promql);
    } else {
      result += ".*";
    }
  }
  result.append(promql, position);
  return result;
}

// The nsbench metric names a query mentions.
inline std::vector<std::string> nsbench_metric_names(const std::string& promql) {
  const auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  std::vector<std::string> names;
  for (size_t at = promql.find("nsbench_"); at != std::string::npos;
       at = promql.find("nsbench_", at + 1)) {
    if (at > 0 && is_name_char(promql[at - 1]))
      continue;
    size_t end = at;
    while (end < promql.size() && is_name_char(promql[end]))
      ++end;
    names.push_back(promql.substr(at, end - at));
  }
  return names;
}

}  // namespace nsbench::testing
