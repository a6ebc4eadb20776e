import { dig } from "./dig.js";
import { gobuster } from "./gobuster.js";
import { hydra } from "./hydra.js";
import { masscan } from "./masscan.js";
import { nmap } from "./nmap.js";
import { sqlmap } from "./sqlmap.js";
import type { AnyToolSpec } from "./spec.js";

/** Every tool the server offers; adding a tool is one file plus a line here. */
export const TOOLS: readonly AnyToolSpec[] = [nmap, masscan, gobuster, hydra, sqlmap, dig];
