import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, envName, leafKeys, loadConfig } from "../../src/config/load.js";

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "cfg-")), "config.yaml");
  writeFileSync(file, text);
  return file;
}

describe("config layers: defaults < YAML < environment", () => {
  it("has the documented defaults", () => {
    const { config } = loadConfig({ env: {} });
    assert.equal(config.server.transport, "stdio");
    assert.equal(config.server.host, "127.0.0.1");
    assert.equal(config.server.port, 8080);
    assert.deepEqual(config.security.allowed_targets, ["RFC1918", ".lab.internal"]);
    assert.deepEqual(config.security.excluded_targets, []);
    assert.equal(config.security.allow_intrusive, false);
    assert.equal(config.security.max_args_length, 2048);
    assert.equal(config.security.max_output_size, 1_048_576);
    assert.equal(config.tool.default_timeout, 300);
    assert.equal(config.tool.default_concurrency, 2);
    assert.equal(config.logging.level, "info");
  });

  it("YAML overrides defaults and the environment overrides YAML", () => {
    const file = yamlFile(
      "security:\n  allow_intrusive: true\n  allowed_targets: [loopback]\ntool:\n  nmap:\n    timeout: 60\n",
    );
    const fromFile = loadConfig({ file, env: {} });
    assert.equal(fromFile.config.security.allow_intrusive, true);
    assert.equal(fromFile.config.tool.nmap.timeout, 60);
    const withEnv = loadConfig({
      file,
      env: {
        MCP_SECURITY_ALLOW_INTRUSIVE: "false",
        MCP_TOOL_NMAP_TIMEOUT: "30",
        MCP_SECURITY_ALLOWED_TARGETS: "10.0.0.0/24, .corp.example",
      },
    });
    assert.equal(withEnv.config.security.allow_intrusive, false);
    assert.equal(withEnv.config.tool.nmap.timeout, 30);
    assert.deepEqual(withEnv.config.security.allowed_targets, ["10.0.0.0/24", ".corp.example"]);
  });

  it("MCP_CONFIG_FILE names the file, and the legacy names work", () => {
    const file = yamlFile("logging:\n  level: warn\n");
    const loaded = loadConfig({ env: { MCP_CONFIG_FILE: file, TOOL_EXCLUDE: "nmap" } });
    assert.equal(loaded.config.logging.level, "warn");
    assert.deepEqual(loaded.config.tool.exclude, ["nmap"]);
    assert.equal(loadConfig({ env: { LOG_LEVEL: "debug" } }).config.logging.level, "debug");
    assert.equal(
      loadConfig({ env: { LOG_LEVEL: "debug", MCP_LOGGING_LEVEL: "error" } }).config.logging.level,
      "error",
    );
  });

  it("every key has its MCP_<SECTION>_<KEY> environment name", () => {
    const names = leafKeys().map(([key]) => envName(key));
    for (const expected of [
      "MCP_SERVER_TRANSPORT",
      "MCP_SERVER_HOST",
      "MCP_SERVER_PORT",
      "MCP_SECURITY_ALLOW_INTRUSIVE",
      "MCP_SECURITY_API_KEYS",
      "MCP_TOOL_NMAP_TIMEOUT",
      "MCP_AUDIT_PATH",
    ])
      assert.ok(names.includes(expected), expected);
  });

  it("the result is frozen", () => {
    const { config } = loadConfig({ env: {} });
    assert.throws(() => {
      (config.security as { allow_intrusive: boolean }).allow_intrusive = true;
    });
  });
});

describe("bad config is an error naming key, value, source and the allowed range", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { MCP_SECURITY_MAX_OUTPUT_SIZE: "12" },
      /security\.max_output_size = 12 \(from environment MCP_SECURITY_MAX_OUTPUT_SIZE\).*>=1024/,
    ],
    [{ MCP_SERVER_PORT: "http" }, /server\.port = "http".*expected number/],
    [{ MCP_SERVER_TRANSPORT: "carrier-pigeon" }, /server\.transport.*"stdio"\|"http"/],
    [{ MCP_SECURITY_ALLOW_INTRUSIVE: "maybe" }, /security\.allow_intrusive = "maybe".*boolean/],
    [{ MCP_SECURITY_ALLOWED_TARGETS: "RFC1918,not a host" }, /security\.allowed_targets.*"not a host"/],
    [{ MCP_TOOL_NMAP_MAX_NETWORK_PREFIX: "4" }, /tool\.nmap\.max_network_prefix = 4/],
    [{ TOOL_INCLUDE: "nmap,metasploit" }, /tool\.include/],
    [{ MCP_SERVER_TRANSPORT: "http", MCP_SERVER_HOST: "0.0.0.0" }, /without security\.api_keys/],
  ];
  for (const [env, message] of cases) {
    it(JSON.stringify(env), () => {
      assert.throws(
        () => loadConfig({ env }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it("unknown keys in YAML are named, not ignored", () => {
    const file = yamlFile("security:\n  allow_intrusiv: true\n");
    assert.throws(() => loadConfig({ file, env: {} }), /unknown config key security\.allow_intrusiv/);
  });

  it("YAML syntax errors name the file", () => {
    const file = yamlFile("security: [unclosed\n");
    assert.throws(() => loadConfig({ file, env: {} }), /not valid YAML/);
  });

  it("never prints an API key, even an invalid one", () => {
    const secret = "short-secret";
    assert.throws(
      () => loadConfig({ env: { MCP_SECURITY_API_KEYS: secret } }),
      (error: unknown) =>
        error instanceof ConfigError && !error.message.includes(secret) && /redacted/.test(error.message),
    );
  });
});
