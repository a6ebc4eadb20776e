import { deny, ok, type Outcome } from "../errors.js";
import { describeScope, isHostname, nameMatches, type Scope } from "./scope.js";

/**
 * A domain to enumerate (DNS names under it are queried, no host is contacted directly): it must be an
 * allowed exact host name, or lie under an allowed `.suffix` (or be the suffix itself).
 */
export function checkDomainTarget(raw: string, scope: Scope): Outcome<string> {
  const name = raw.toLowerCase().replace(/\.$/, "");
  if (!isHostname(name))
    return deny(
      "validation_error",
      `target ${JSON.stringify(raw)} is not a domain name (letters, digits, "-" and "." only; IDNs in xn-- form)`,
    );
  const excluded = nameMatches(scope.excluded, name) ?? nameMatches(scope.excluded, `.${name}`);
  if (excluded)
    return deny("scope_denied", `${name} is excluded by security.excluded_targets entry ${excluded.label}`);
  const allowed = nameMatches(scope.allowed, name) ?? nameMatches(scope.allowed, `.${name}`);
  if (!allowed)
    return deny(
      "scope_denied",
      `domain ${name} is not under an allowed domain; allowed: ${describeScope(scope.allowed.filter((r) => r.kind !== "network"))}`,
    );
  return ok(name);
}
