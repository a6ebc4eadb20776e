import type { FlagGrammar } from "../policy/flags.js";

const ports = { kind: "ports", maxItems: 256 } as const;
const FILES = "it reads or writes files on the server";
const ADAPTER =
  "the adapter, router and source addresses are set by the operator (tool.masscan.*), never by a caller";
const TARGETS = "targets come only from the target field";

/**
 * masscan compares option names loosely (case and punctuation ignored, ":" like "="); acceptance here is
 * exact, and the loose form only explains refusals such as --Output-FileName.
 */
export function masscanLooseName(name: string): string {
  return (name.split(/[:=]/)[0] ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");
}

export const MASSCAN_GRAMMAR: FlagGrammar = {
  tool: "masscan",
  maxTokens: 32,
  looseName: masscanLooseName,
  rules: [
    { flag: "-p", aliases: ["--ports"], value: ports, joined: true },
    {
      flag: "--rate",
      aliases: ["--max-rate"],
      value: { kind: "int", min: 1, max: 10_000, intrusiveAbove: 1000 },
    },
    { flag: "--wait", value: { kind: "int", min: 0, max: 30 } },
    { flag: "--retries", value: { kind: "int", min: 0, max: 5 } },
    { flag: "--banners", intrusive: true },
    { flag: "--connection-timeout", value: { kind: "int", min: 1, max: 30 } },
    { flag: "--open-only", aliases: ["--open"] },
    { flag: "--ping" },
    { flag: "--ttl", value: { kind: "int", min: 1, max: 255 } },
  ],
  refusals: {
    "-c": FILES,
    "--conf": FILES,
    "--config": FILES,
    "-iL": FILES,
    "--includefile": FILES,
    "--excludefile": FILES,
    "--exclude": TARGETS,
    "--range": TARGETS,
    "--ranges": TARGETS,
    "--include": TARGETS,
    "-oX": `${FILES}; the server reads masscan's JSON itself`,
    "-oJ": `${FILES}; the server reads masscan's JSON itself`,
    "-oL": FILES,
    "-oG": FILES,
    "-oB": FILES,
    "-oU": FILES,
    "--output-filename": FILES,
    "--output-format": "the server sets the output format",
    "--pcap": FILES,
    "--pcap-payloads": FILES,
    "--nmap-payloads": FILES,
    "--resume": FILES,
    "--readscan": FILES,
    "--readrange": FILES,
    "--echo": "it prints the server's configuration",
    "--adapter": ADAPTER,
    "-e": ADAPTER,
    "--adapter-ip": ADAPTER,
    "--adapter-mac": ADAPTER,
    "--adapter-port": ADAPTER,
    "--adapter-vlan": ADAPTER,
    "--router-mac": ADAPTER,
    "--router-ip": ADAPTER,
    "--source-ip": ADAPTER,
    "--source-port": ADAPTER,
    "--source-mac": ADAPTER,
    "-S": ADAPTER,
    "--spoof-ip": ADAPTER,
    "--spoof-mac": ADAPTER,
    "--hello-file": FILES,
    "--hello-string": "it sends caller-chosen payloads",
    "--regress": "it is a self-test",
    "--selftest": "it is a self-test",
  },
};
