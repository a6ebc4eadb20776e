import { maxNetworkPrefix, type Deps } from "./deps.js";
import { deny, ok, type Outcome } from "./errors.js";
import { checkDomainTarget } from "./policy/domain-target.js";
import { checkHostTarget, type CheckedTarget, type TargetPolicy } from "./policy/target.js";
import { checkUrlTarget } from "./policy/url-target.js";
import type { AnyToolSpec, Checked, CommonInput } from "./tools/spec.js";

/** Checks the target field the way the spec declares it: a host, a URL or a domain. */
export async function checkTarget(
  spec: AnyToolSpec,
  input: CommonInput,
  deps: Deps,
): Promise<Outcome<Checked>> {
  const declared = spec.target.kind;
  const kind = typeof declared === "function" ? declared(input) : declared;
  if (kind === "domain") {
    const domain = checkDomainTarget(input.target, deps.scope);
    return domain.ok ? ok({ kind, domain: domain.value }) : domain;
  }
  const policy = targetPolicy(spec, deps);
  if (kind === "url") {
    const url = await checkUrlTarget(input.target, policy);
    return url.ok ? ok({ kind, url: url.value }) : url;
  }
  const host = await checkHostTarget(input.target, policy);
  return host.ok ? ok({ kind, host: host.value }) : host;
}

/**
 * Checks the other hosts a call contacts (dig's server) like the target, each as one host: a network or
 * range there would be a mistake, and a name is pinned to its checked address.
 */
export async function checkSecondaryTargets(
  spec: AnyToolSpec,
  input: CommonInput,
  deps: Deps,
): Promise<Outcome<ReadonlyMap<string, CheckedTarget>>> {
  const checked = new Map<string, CheckedTarget>();
  for (const { field, value } of spec.secondaryTargets?.(input, deps.config) ?? []) {
    const host = await checkHostTarget(value, { ...targetPolicy(spec, deps), allowRanges: false });
    if (!host.ok) return deny(host.denial.type, `${field}: ${host.denial.message}`);
    if (host.value.kind === "network")
      return deny("validation_error", `${field} must be one host, not the network ${value}`);
    checked.set(field, host.value);
  }
  return ok(checked);
}

function targetPolicy(spec: AnyToolSpec, deps: Deps): TargetPolicy {
  const allowIntrusive = deps.config.security.allow_intrusive;
  const configured = maxNetworkPrefix(deps.config, spec);
  const intrusive = spec.target.intrusiveMaxNetworkPrefix;
  const unlocked = allowIntrusive && intrusive !== undefined && intrusive < configured;
  const key = `tool.${spec.name}.max_network_prefix`;
  return {
    scope: deps.scope,
    maxNetworkPrefix: unlocked ? intrusive : configured,
    capHint: unlocked
      ? "the cap with security.allow_intrusive"
      : intrusive === undefined
        ? `set by ${key}`
        : `set by ${key}; up to /${intrusive} with security.allow_intrusive`,
    resolver: deps.resolver,
    allowRanges: spec.target.allowRanges ?? false,
    ipv4Only: spec.target.ipv4Only ?? false,
  };
}

/** What the summary line names: the address, URL or domain the tool was given. */
export function describeChecked(target: Checked): string {
  switch (target.kind) {
    case "host":
      return target.host.argument;
    case "url":
      return target.url.pinned;
    case "domain":
      return target.domain;
  }
}
