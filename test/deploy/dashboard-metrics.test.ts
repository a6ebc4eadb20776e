import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { API_KEY, REPO, startHttpServer, type HttpServer } from "./http-server.js";
import { dashboardExpressions, exposedNames, metricNames, ruleExpressions } from "./promql.js";

const DASHBOARD = join(REPO, "deploy/grafana/dashboards/security-mcp.json");
const ALERTS = join(REPO, "deploy/prometheus/alerts.yml");
// Series Prometheus itself adds to every scrape.
const SCRAPE_SERIES = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

describe("the dashboard and the alert rules read only metrics the server exports", () => {
  let server: HttpServer;
  let exposed: Set<string>;

  before(async () => {
    server = await startHttpServer();
    const auth = { authorization: `Bearer ${API_KEY}` };
    // One refused call (10.0.0.1 is outside the loopback-only scope; nothing is sent) fills the labelled series.
    const refused = await fetch(`${server.url}/tools/nmap/execute`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ target: "10.0.0.1" }),
    });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error_type: string }).error_type, "scope_denied");
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401, "/metrics must need the key");
    const response = await fetch(`${server.url}/metrics`, { headers: auth });
    assert.equal(response.status, 200);
    exposed = exposedNames(await response.text());
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("finds the metric names in expressions", () => {
    assert.deepEqual(
      [
        ...metricNames(
          'histogram_quantile(0.95, sum by (tool, le) (rate(mcp_tool_execution_seconds_bucket{tool=~"$tool"}[$__rate_interval])))',
        ),
      ],
      ["mcp_tool_execution_seconds_bucket"],
    );
    assert.deepEqual(
      [...metricNames('up{job="x"} == 0 or absent(up{job="x"}) and on (instance) foo:bar offset 5m')].sort(),
      ["foo:bar", "up"],
    );
    assert.deepEqual(
      [...metricNames('label_values(mcp_health_status{job="a"}, instance)')],
      ["mcp_health_status"],
    );
  });

  it("every metric a dashboard panel or variable reads is exported by a live server", () => {
    const dashboard: unknown = JSON.parse(readFileSync(DASHBOARD, "utf8"));
    const expressions = dashboardExpressions(dashboard);
    assert.ok(expressions.length >= 15, `only ${expressions.length} expressions found`);
    const used = new Set(expressions.flatMap((e) => [...metricNames(e)]));
    const missing = [...used].filter((name) => !exposed.has(name) && !SCRAPE_SERIES.has(name));
    assert.deepEqual(missing, [], `dashboard metrics not on /metrics: ${missing.join(", ")}`);
    for (const name of [
      "mcp_tool_execution_total",
      "mcp_tool_errors_total",
      "mcp_tool_execution_seconds_bucket",
      "mcp_tool_active",
      "mcp_circuit_breaker_state",
      "mcp_policy_denials_total",
      "mcp_health_status",
    ])
      assert.ok(used.has(name), `the dashboard shows no ${name}`);
  });

  it("every metric an alert rule reads is exported by a live server", () => {
    const rules = ruleExpressions(ALERTS);
    assert.ok(rules.length >= 7);
    for (const rule of rules) {
      const names = [...metricNames(rule.expr)];
      assert.ok(names.length > 0, `${rule.name} reads no metric`);
      const missing = names.filter((name) => !exposed.has(name) && !SCRAPE_SERIES.has(name));
      assert.deepEqual(missing, [], `${rule.name} reads metrics not on /metrics: ${missing.join(", ")}`);
    }
  });
});
