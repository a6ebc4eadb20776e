// 5. Parsing, run in a fresh process per measurement by bench/run.ts: a generated nmap XML report of N
// hosts (each with three ports, one with a service), fed in 64 KiB chunks to the nmap tool's streaming
// parser (`ours`) or to a bare saxes parser with no handlers (`floor`). Prints {ms, growthMiB, bytes, hosts}.
// Usage: node --import tsx bench/parse-nmap.ts ours|floor HOSTS
import { SaxesParser } from "saxes";
import { nmap } from "../src/tools/nmap.js";

const [mode = "ours", hostsText = "20000"] = process.argv.slice(2);
const hosts = Number(hostsText);

function report(n: number): string[] {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" args="nmap -oX - -sT 10.0.0.0/16" start="1700000000" version="7.93" xmloutputversion="1.05">\n<scaninfo type="connect" protocol="tcp" numservices="3" services="22,80,443"/>\n',
  ];
  for (let i = 0; i < n; i++) {
    const addr = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    parts.push(
      `<host starttime="1700000000" endtime="1700000001"><status state="up" reason="syn-ack" reason_ttl="0"/>\n<address addr="${addr}" addrtype="ipv4"/>\n<hostnames><hostname name="host${i}.lab.internal" type="PTR"/></hostnames>\n<ports><extraports state="closed" count="997"><extrareasons reason="conn-refused" count="997"/></extraports>\n<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2" extrainfo="protocol 2.0" method="probed" conf="10"/></port>\n<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="http" method="table" conf="3"/></port>\n<port protocol="tcp" portid="443"><state state="filtered" reason="no-response" reason_ttl="0"/><service name="https" method="table" conf="3"/></port>\n</ports>\n<times srtt="100" rttvar="50" to="100000"/>\n</host>\n`,
    );
  }
  parts.push(
    `<runstats><finished time="1700000100" timestr="x" summary="done" elapsed="100.00" exit="success"/><hosts up="${n}" down="0" total="${n}"/></runstats>\n</nmaprun>\n`,
  );
  // 64 KiB chunks, as a pipe delivers them.
  const text = parts.join("");
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 65_536) chunks.push(text.slice(i, i + 65_536));
  return chunks;
}

const chunks = report(hosts);
const buffers = mode === "floor" ? [] : chunks.map((c) => Buffer.from(c));
const bytes = chunks.reduce((n, c) => n + c.length, 0);
global.gc?.();
const before = process.memoryUsage().rss;
let peak = before;
const started = performance.now();
let parsedHosts = 0;
if (mode === "floor") {
  const parser = new SaxesParser();
  for (const [i, chunk] of chunks.entries()) {
    parser.write(chunk);
    if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  parser.close();
} else {
  const parser = nmap.createParser(() => undefined);
  for (const [i, chunk] of buffers.entries()) {
    parser.write(chunk);
    if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  parsedHosts = (parser.end() as { hosts: unknown[] }).hosts.length;
}
const ms = performance.now() - started;
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(
  JSON.stringify({ ms, growthMiB: (peak - before) / 2 ** 20, bytes, hosts: parsedHosts }) + "\n",
);
