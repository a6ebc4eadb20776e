/** Every tool name the server knows; config keys tool.<name>.* exist for each. */
export const TOOL_NAMES = ["nmap", "masscan", "gobuster", "hydra", "sqlmap", "dig"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
