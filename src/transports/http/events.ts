import type { ServerResponse } from "node:http";
import type { Runtime } from "../../runtime.js";
import type { HealthMonitor } from "../../observability/health.js";

/**
 * GET /events: Server-Sent Events with `tool` (a call started or ended) and `health` (each check round).
 * The number of open streams is capped; a stream ends when the client goes away.
 */
export class EventStreams {
  #open = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly health: HealthMonitor,
  ) {}

  /** False when the cap is reached (the caller answers 503). */
  open(res: ServerResponse): boolean {
    if (this.#open >= this.runtime.deps.config.server.max_sse_streams) return false;
    this.#open++;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const onTool = (data: unknown): void => {
      send("tool", data);
    };
    const events = this.runtime.deps.events;
    events.on("tool", onTool);
    const sendHealth = (): void => {
      void this.health.report().then((report) => {
        send("health", { status: report.status, timestamp: report.timestamp, summary: report.summary });
      });
    };
    sendHealth();
    const timer = setInterval(sendHealth, this.runtime.deps.config.health.check_interval * 1000);
    res.on("close", () => {
      this.#open--;
      clearInterval(timer);
      events.off("tool", onTool);
    });
    return true;
  }
}
