import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isEnabled, type Deps } from "../deps.js";
import { runProcess } from "../exec/run.js";
import { toolEnvironment } from "../exec/sandbox.js";
import type { AnyToolSpec } from "../tools/spec.js";

export interface ToolStatus {
  name: string;
  enabled: boolean;
  binary: string | null;
  version: string | null;
}

/** Whether a tool is enabled, where its binary is, and the version it reports (first line). */
export async function toolStatus(spec: AnyToolSpec, deps: Deps): Promise<ToolStatus> {
  const binary = deps.findBinary(spec.binary);
  const status: ToolStatus = {
    name: spec.name,
    enabled: isEnabled(deps.config, spec.name),
    binary,
    version: null,
  };
  if (binary === null) return status;
  const workdir = await mkdtemp(join(tmpdir(), "security-mcp-version-"));
  try {
    const outcome = await runProcess(
      {
        argv: [binary, ...spec.versionArgs],
        cwd: workdir,
        env: toolEnvironment(workdir),
        timeoutMs: 10_000,
        graceMs: 1000,
        maxStdoutBytes: 64 * 1024,
        maxStderrBytes: 64 * 1024,
      },
      deps.reaper,
    );
    const line = `${outcome.stdout}\n${outcome.stderr}`.split("\n").find((l) => l.trim() !== "");
    // hydra's version line goes on into a copyright notice and a plea; the version is what matters.
    status.version = line?.trim().replace(/\s+\(c\)\s.*$/i, "") ?? null;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
  return status;
}
