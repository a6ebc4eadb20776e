import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { PROMETHEUS, startPrometheus, type RunningPrometheus } from "../prometheus.js";
import { API_KEY, REPO, startHttpServer, type HttpServer } from "./http-server.js";

interface ScrapeConfig {
  job_name: string;
  authorization?: { type?: string; credentials_file?: string };
  static_configs: { targets: string[] }[];
}
interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

/**
 * deploy/prometheus as the compose stack runs it, with two changes only: the server's job points at a
 * server this test starts on 127.0.0.1, and the other jobs (node-exporter, cAdvisor: compose service names)
 * are left out, so nothing is looked up or sent beyond loopback.
 */
describe(
  "deploy/prometheus, run by a real Prometheus against a live server",
  { skip: existsSync(PROMETHEUS) ? false : "prometheus not installed" },
  () => {
    let server: HttpServer;
    let prometheus: RunningPrometheus | undefined;
    let api = "";

    before(async () => {
      server = await startHttpServer({ MCP_SERVER_ALLOWED_HOSTS: "security-mcp" });
      const dir = mkdtempSync(join(tmpdir(), "deploy-prometheus-"));
      const config = parse(
        readFileSync(join(REPO, "deploy/prometheus/prometheus.yml"), "utf8"),
      ) as PrometheusConfig;
      const job = config.scrape_configs.find((j) => j.job_name === "security-mcp");
      assert.ok(job?.authorization?.credentials_file, "the security-mcp job sends no bearer key");
      writeFileSync(join(dir, "api-key"), API_KEY);
      job.authorization.credentials_file = join(dir, "api-key");
      job.static_configs = [{ targets: [`127.0.0.1:${server.port}`] }];
      config.scrape_configs = [job];
      config.global = { ...config.global, scrape_interval: "1s", evaluation_interval: "1s" };
      config.rule_files = config.rule_files.map((f) => join(REPO, "deploy/prometheus", f));
      writeFileSync(join(dir, "prometheus.yml"), stringify(config));
      prometheus = await startPrometheus(dir);
      api = prometheus.api;
    });
    after(async () => {
      prometheus?.stop();
      await server.stop();
    });

    const get = async <T>(path: string): Promise<T | undefined> => {
      try {
        const body = (await (await fetch(api + path)).json()) as { data: T };
        return body.data;
      } catch {
        return undefined;
      }
    };
    const poll = async <T>(path: string, done: (data: T) => boolean): Promise<T | undefined> => {
      const deadline = Date.now() + 30_000;
      let data: T | undefined;
      while (Date.now() < deadline) {
        data = await get<T>(path);
        if (data !== undefined && done(data)) return data;
        await new Promise((r) => setTimeout(r, 250));
      }
      return data;
    };

    it("scrapes /metrics with the bearer key (up is 1, the server's metrics are stored)", async () => {
      type Vector = { result: { value: [number, string] }[] };
      const up = await poll<Vector>(
        `/query?query=${encodeURIComponent('up{job="security-mcp"}')}`,
        (d) => d.result[0]?.value[1] === "1",
      );
      assert.equal(up?.result[0]?.value[1], "1", "Prometheus could not scrape the server");
      const health = await poll<Vector>(
        `/query?query=${encodeURIComponent("mcp_health_status")}`,
        (d) => d.result.length > 0,
      );
      assert.equal(health?.result.length, 1);
    });

    it("loads every alert rule and evaluates it without errors; SecurityMcpDown stays quiet", async () => {
      type Rules = {
        groups: {
          name: string;
          rules: { name: string; health: string; lastError?: string; state: string }[];
        }[];
      };
      // Evaluated at least once since the first scrape: SecurityMcpDown (up == 0 or absent) then goes quiet.
      const rules = await poll<Rules>("/rules", (d) =>
        d.groups
          .flatMap((g) => g.rules)
          .every((r) => r.health === "ok" && (r.name !== "SecurityMcpDown" || r.state === "inactive")),
      );
      const all = rules?.groups.flatMap((g) => g.rules) ?? [];
      assert.ok(all.length >= 7, `${all.length} rules loaded`);
      for (const rule of all) assert.equal(rule.health, "ok", `${rule.name}: ${rule.lastError ?? ""}`);
      assert.equal(all.find((r) => r.name === "SecurityMcpDown")?.state, "inactive");
    });
  },
);
