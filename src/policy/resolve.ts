import { lookup } from "node:dns/promises";
import type { Resolver } from "./target.js";

/**
 * The OS resolver (getaddrinfo: /etc/hosts, then DNS), bounded in time. The tool is then given the address
 * we checked, so a second lookup that DNS could answer differently never happens.
 */
export function systemResolver(timeoutMs: number): Resolver {
  return async (name) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`lookup timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const answers = await Promise.race([lookup(name, { all: true, verbatim: true }), timeout]);
      return answers.map((a) => a.address);
    } finally {
      clearTimeout(timer);
    }
  };
}
