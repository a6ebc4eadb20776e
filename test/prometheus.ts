import { spawn } from "node:child_process";
import { join } from "node:path";
import { freePort } from "./ports.js";

export const PROMETHEUS = "/usr/bin/prometheus";

export interface RunningPrometheus {
  /** Its HTTP API, e.g. `${api}/query?query=up`. */
  readonly api: string;
  stop(): void;
}

/** Debian's Prometheus on 127.0.0.1 with `dir/prometheus.yml`, its data in `dir/data`. */
export async function startPrometheus(dir: string): Promise<RunningPrometheus> {
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  return {
    api: `http://127.0.0.1:${port}/api/v1`,
    stop: () => {
      child.kill("SIGKILL");
    },
  };
}
