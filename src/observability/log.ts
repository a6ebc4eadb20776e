import { pino, type Logger } from "pino";

export type { Logger };

/** Logs go to stderr (fd 2): stdout is the MCP channel in stdio mode. */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { name: "security-mcp" },
      redact: { paths: ["*.api_keys", "api_keys", "*.authorization", "authorization"], censor: "[redacted]" },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
