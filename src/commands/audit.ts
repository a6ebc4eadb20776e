import { verifyAuditLog } from "../observability/audit.js";
import { printError, printLine } from "./output.js";

/** `security-mcp audit verify FILE`: exit 0 when the chain is intact, 1 naming the first bad line. */
export function auditCommand(action: string | undefined, file: string | undefined): number {
  if (action !== "verify" || file === undefined) {
    printError("usage: security-mcp audit verify FILE");
    return 2;
  }
  const result = verifyAuditLog(file);
  if (result.ok) {
    printLine(`ok: ${result.records} records, chain intact (${result.files.join(", ")})`);
    return 0;
  }
  printLine(`broken: ${result.file} line ${result.line}: ${result.reason}`);
  return 1;
}
