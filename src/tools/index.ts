import { gobuster } from "./gobuster.js";
import { masscan } from "./masscan.js";
import { nmap } from "./nmap.js";
import type { AnyToolSpec } from "./spec.js";

/** Every tool the server offers; adding a tool is one file plus a line here. */
export const TOOLS: readonly AnyToolSpec[] = [nmap, masscan, gobuster];
