import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ProcessReaper } from "../../src/exec/reaper.js";
import { invokeTool } from "../../src/pipeline.js";
import type { ToolResult } from "../../src/result.js";
import { dig } from "../../src/tools/dig.js";
import { generatedCount, hydra } from "../../src/tools/hydra.js";
import type { AnyToolSpec } from "../../src/tools/spec.js";
import { sqlmap } from "../../src/tools/sqlmap.js";
import { makeDeps } from "../helpers.js";

class CountingReaper extends ProcessReaper {
  spawned = 0;
  override add(pgid: number): void {
    this.spawned++;
    super.add(pgid);
  }
}

// Every refusal here must come before a process exists: the counter proves it.
const reaper = new CountingReaper();
const intrusive = makeDeps({ MCP_SECURITY_ALLOW_INTRUSIVE: "true" }, { reaper });
const cautious = makeDeps({}, { reaper });
after(() => {
  assert.equal(reaper.spawned, 0, "no refused call may spawn a process");
  reaper.dispose();
});

type Case = [label: string, input: Record<string, unknown>, type: string, message: RegExp];

function refusedTable(spec: AnyToolSpec, base: Record<string, unknown>, cases: Case[], deps = intrusive) {
  for (const [label, input, type, message] of cases) {
    it(`${label} -> ${type}`, async () => {
      const result: ToolResult = await invokeTool(spec, { ...base, ...input }, deps, { via: "test" });
      assert.equal(result.isError, true, `${label} must be refused`);
      assert.equal(result.fields.error_type, type, result.fields.error ?? "");
      assert.match(result.fields.error ?? "", message);
      assert.deepEqual(result.fields.command, []);
    });
  }
}

const args = (extra: string): Record<string, unknown> => ({ extra_args: extra });

describe("hydra refusals (no process is started)", () => {
  const form = { path: "/login", body: "u=^USER^&p=^PASS^", failure: "bad" };
  it("is brute force: refused without security.allow_intrusive", async () => {
    const result = await invokeTool(hydra, { target: "127.0.0.1", service: "ssh" }, cautious, {
      via: "test",
    });
    assert.equal(result.fields.error_type, "flag_denied");
    assert.match(result.fields.error ?? "", /hydra is intrusive .* needs security\.allow_intrusive/);
  });
  refusedTable(hydra, { target: "127.0.0.1", service: "ssh" }, [
    ["-L /etc/passwd", args("-L /etc/passwd"), "flag_denied", /usernames and passwords fields/],
    ["-P file", args("-P /root/pw.txt"), "flag_denied", /usernames and passwords fields/],
    ["-C file", args("-C /etc/shadow"), "flag_denied", /usernames and passwords fields/],
    ["-M targets", args("-M /tmp/hosts"), "flag_denied", /target field/],
    ["-o output", args("-o /etc/cron.d/x"), "flag_denied", /files/],
    ["-b json", args("-b json"), "flag_denied", /-o, which is refused/],
    ["-R restore", args("-R"), "flag_denied", /restore file/],
    ["-l login", args("-l root"), "flag_denied", /usernames and passwords fields/],
    ["-p password", args("-p toor"), "flag_denied", /usernames and passwords fields/],
    ["-s port", args("-s 2222"), "flag_denied", /port field/],
    ["-m module option", args("-m /admin"), "flag_denied", /typed path and form/],
    ["-V every attempt", args("-V"), "flag_denied", /every attempt/],
    ["-6 by hand", args("-6"), "flag_denied", /server sets it/],
    ["-I by hand", args("-I"), "flag_denied", /server sets it/],
    ["-t 64 threads", args("-t 64"), "validation_error", /integer 1-16/],
    ["threads 17", { threads: 17 }, "validation_error", /threads/],
    ["-w 600", args("-w 600"), "validation_error", /integer 1-60/],
    ["-x a huge generator", args("-x 1:8:aA1"), "flag_denied", /tool\.hydra\.max_attempts/],
    ["-x malformed", args("-x 1:3:/etc/passwd"), "validation_error", /MIN:MAX:CHARSET/],
    ["-e twice", args("-e nn"), "validation_error", /n, s and\/or r/],
    ["a path as usernames", { usernames: "/etc/passwd" }, "validation_error", /never accepted/],
    ["a relative path as passwords", { passwords: "../../etc/shadow" }, "validation_error", /never accepted/],
    ["an unknown list", { passwords: "rockyou" }, "not_found", /inline values give an array/],
    [
      "33 inline passwords",
      { passwords: Array.from({ length: 33 }, (_, i) => `p${i}`) },
      "validation_error",
      /passwords/,
    ],
    [
      "a line break inside an inline entry",
      { usernames: ["root\n-C /etc/shadow"] },
      "validation_error",
      /line breaks/,
    ],
    ["a 200-character entry", { passwords: ["x".repeat(200)] }, "validation_error", /passwords/],
    [
      "passwords and -x together",
      { passwords: ["a"], extra_args: "-x 1:2:a" },
      "validation_error",
      /not both/,
    ],
    ["service http-proxy (relays elsewhere)", { service: "http-proxy" }, "validation_error", /service/],
    ["service sshkey (reads key files)", { service: "sshkey" }, "validation_error", /service/],
    ["a form service without a form", { service: "http-post-form" }, "validation_error", /needs form/],
    [
      "a form with failure and success",
      { service: "http-post-form", form: { ...form, success: "ok" } },
      "validation_error",
      /exactly one/,
    ],
    [
      "a form without ^PASS^",
      { service: "http-post-form", form: { ...form, body: "u=^USER^" } },
      "validation_error",
      /\^PASS\^/,
    ],
    [
      "a backslash in a form",
      { service: "http-post-form", form: { ...form, failure: "a\\:b" } },
      "validation_error",
      /form/,
    ],
    ["a form for ssh", { form }, "validation_error", /only to the \*-form services/],
    ["a path for ssh", { path: "/x" }, "validation_error", /only to http/],
    [
      "a colon in a path (more module options)",
      { service: "http-get", path: "/x:A=NTLM" },
      "validation_error",
      /path/,
    ],
    ["a target outside the scope", { target: "10.0.0.1" }, "scope_denied", /outside the scope/],
    ["a network", { target: "127.0.0.0/30" }, "scope_denied", /largest allowed is \/32/],
    ["two hosts", { target: "127.0.0.1,127.0.0.2" }, "scope_denied", /./],
    ["a second target in extra_args", args("127.0.0.2"), "flag_denied", /not an option/],
  ]);
  it("attempts are capped: default lists against tool.hydra.max_attempts 100", async () => {
    const deps = makeDeps(
      { MCP_SECURITY_ALLOW_INTRUSIVE: "true", MCP_TOOL_HYDRA_MAX_ATTEMPTS: "100" },
      { reaper },
    );
    const result = await invokeTool(hydra, { target: "127.0.0.1", service: "ftp" }, deps, { via: "test" });
    assert.equal(result.fields.error_type, "flag_denied");
    assert.match(
      result.fields.error ?? "",
      /would try 2060 logins \(20 user names x 103 passwords\); the cap is 100/,
    );
  });
  it("counts what -x generates: a lower, A upper, 1 digits, others as given", () => {
    assert.equal(generatedCount("1:2:a"), 26 + 26 * 26);
    assert.equal(generatedCount("3:3:1"), 1000);
    assert.equal(generatedCount("1:1:aA1.-"), 64);
  });
});

describe("sqlmap refusals (no process is started)", () => {
  refusedTable(sqlmap, { target: "http://127.0.0.1:8080/item?id=1" }, [
    [
      "a second -u to another host",
      args("-u http://10.0.0.9/?id=1"),
      "flag_denied",
      /only the URL in the target field/,
    ],
    ["--url=", args("--url=http://10.0.0.9/"), "flag_denied", /only the URL/],
    ["-m bulk file", args("-m /tmp/urls"), "flag_denied", /only the URL/],
    ["-r request file", args("-r /tmp/req.txt"), "flag_denied", /request file/],
    ["-l proxy log", args("-l /tmp/burp.log"), "flag_denied", /proxy log/],
    ["-g google dork", args("-g inurl:id"), "flag_denied", /Google/],
    ["-c config file", args("-c /etc/sqlmap.conf"), "flag_denied", /configuration file/],
    ["--crawl", args("--crawl=3"), "flag_denied", /crawling/],
    ["--forms", args("--forms"), "flag_denied", /forms/],
    [
      "--output-dir /etc/cron.d",
      args("--output-dir /etc/cron.d"),
      "flag_denied",
      /private directory per call/,
    ],
    ["--output-dir=", args("--output-dir=/etc/cron.d"), "flag_denied", /private directory per call/],
    ["--tmp-dir", args("--tmp-dir=/tmp/x"), "flag_denied", /files/],
    ["--os-shell", args("--os-shell"), "flag_denied", /takes over/],
    ["--os-cmd", args("--os-cmd=id"), "flag_denied", /takes over/],
    ["--os-sh (abbreviated)", args("--os-sh"), "flag_denied", /read it as --os-shell/],
    ["--os-pwn", args("--os-pwn"), "flag_denied", /takes over/],
    ["--file-read", args("--file-read=/etc/passwd"), "flag_denied", /takes over/],
    ["--file-write", args("--file-write=/tmp/x --file-dest=/var/www/x.php"), "flag_denied", /takes over/],
    ["--reg-read", args("--reg-read"), "flag_denied", /takes over/],
    ["--eval", args("--eval=__import__('os').system('id')"), "flag_denied", /Python code/],
    ["--sql-shell", args("--sql-shell"), "flag_denied", /no terminal/],
    ["--sql-query", args("--sql-query='DROP TABLE users'"), "flag_denied", /arbitrary SQL/],
    ["--sql-file", args("--sql-file=/tmp/x.sql"), "flag_denied", /files/],
    ["--proxy", args("--proxy=http://203.0.113.1:8080"), "flag_denied", /outside the scope/],
    ["--tor", args("--tor"), "flag_denied", /outside the scope/],
    ["--dns-domain", args("--dns-domain=evil.example"), "flag_denied", /exfiltration/],
    ["--tamper with a path", args("--tamper=/tmp/evil.py"), "validation_error", /never paths/],
    ["--tamper climbing out", args("--tamper=../../tmp/evil"), "validation_error", /never paths/],
    ["--shell", args("--shell"), "flag_denied", /no terminal/],
    ["--wizard", args("--wizard"), "flag_denied", /terminal/],
    ["--purge", args("--purge"), "flag_denied", /deletes/],
    ["-s session file", args("-s /tmp/s.sqlite"), "flag_denied", /session file/],
    ["-t traffic file", args("-t /tmp/traffic.txt"), "flag_denied", /traffic log/],
    ["--dump-all", args("--dump-all"), "flag_denied", /every database/],
    ["--safe-url elsewhere", args("--safe-url=http://10.0.0.9/"), "flag_denied", /only the URL/],
    ["--csrf-url elsewhere", args("--csrf-url=http://10.0.0.9/"), "flag_denied", /only the URL/],
    ["--host spoofing", args("--host=evil.example"), "flag_denied", /server sets it/],
    ["-H Host:", { headers: { Host: "evil.example" } }, "validation_error", /never Host/],
    // sqlmap pre-scans argv words for --tamper/--skip/--ignore-code repeats: a header word must not look like one.
    [
      "a header named like an option",
      args('--tamper=space2comment -H "--tamper: x=/tmp/evil.py"'),
      "validation_error",
      /starting with a letter or digit/,
    ],
    [
      "a typed header named like an option",
      { headers: { "--tamper": "x=/tmp/evil.py" } },
      "validation_error",
      /letter or digit/,
    ],
    ["--answers", args("--answers=follow=Y"), "flag_denied", /server sets it/],
    ["-z mnemonics", args("-z flu,bat"), "flag_denied", /mnemonics/],
    ["--alert", args("--alert=id"), "flag_denied", /runs a command/],
    ["--level 5", { level: 5 }, "validation_error", /level/],
    ["--level=5 in extra_args", args("--level=5"), "validation_error", /integer 1-3/],
    ["--threads 10", args("--threads 10"), "validation_error", /integer 1-4/],
    ["--time-sec 60", { time_sec: 60 }, "validation_error", /time_sec/],
    ["an unknown --dbms", args("--dbms=evil"), "validation_error", /one of MySQL/],
    ["--technique X", args("--technique=X"), "validation_error", /BEUSTQ/],
    ["a value starting with a dash", args("-T --os-shell"), "validation_error", /names of letters/],
    [
      "dump rows over the cap",
      { dump: true, table: "users", dump_rows: 101 },
      "flag_denied",
      /max_dump_rows/,
    ],
    ["--stop without --dump", args("--stop=5"), "validation_error", /only with --dump/],
    ["a target outside the scope", { target: "http://10.0.0.1/?id=1" }, "scope_denied", /outside the scope/],
    ["an ftp URL", { target: "ftp://127.0.0.1/" }, "validation_error", /http:\/\/ or https:\/\//],
    ["credentials in the URL", { target: "http://a:b@127.0.0.1/?id=1" }, "validation_error", /credentials/],
  ]);
  describe("without security.allow_intrusive", () => {
    refusedTable(
      sqlmap,
      { target: "http://127.0.0.1:8080/item?id=1" },
      [
        ["level 3", { level: 3 }, "flag_denied", /--level 3 is intrusive/],
        ["risk 2", { risk: 2 }, "flag_denied", /--risk 2 is intrusive/],
        ["--dump", { dump: true, table: "users" }, "flag_denied", /--dump is intrusive/],
      ],
      cautious,
    );
  });
});

describe("dig refusals (no process is started)", () => {
  const lab = makeDeps({ MCP_SECURITY_ALLOWED_TARGETS: "loopback,.lab.internal" }, { reaper });
  refusedTable(
    dig,
    { target: "www.lab.internal", server: "127.0.0.1" },
    [
      ["-f batch file", args("-f /etc/passwd"), "flag_denied", /reads a file/],
      ["-k key file", args("-k /etc/bind/rndc.key"), "flag_denied", /TSIG key/],
      ["-y key on the command line", args("-y hmac-sha256:name:c2VjcmV0"), "flag_denied", /TSIG secret/],
      ["+trace", args("+trace"), "flag_denied", /other than the one given/],
      ["+tra (abbreviated +trace)", args("+tra"), "flag_denied", /read it as \+trace/],
      ["+nssearch", args("+nssearch"), "flag_denied", /other than the one given/],
      ["+sit cookie", args("+sit=abc"), "flag_denied", /old name of \+cookie/],
      ["+search", args("+search"), "flag_denied", /search domains/],
      ["+short", args("+short"), "flag_denied", /parses dig's full output/],
      ["-b source address", args("-b 127.0.0.2"), "flag_denied", /source address/],
      ["-x by hand", args("-x 127.0.0.1"), "flag_denied", /give the address as the target/],
      ["-q another name", args("-q example.com"), "flag_denied", /target field/],
      ["@server in extra_args", args("@10.0.0.1"), "flag_denied", /not an option/],
      ["a second name in extra_args", args("example.com"), "flag_denied", /not an option/],
      ["+time=100", args("+time=100"), "validation_error", /integer 1-30/],
      ["-p 0", args("-p 0"), "validation_error", /integer 1-65535/],
      ["an unknown + option", args("+bogus"), "flag_denied", /Allowed \+ options/],
      ["AXFR", { record_type: "AXFR" }, "flag_denied", /AXFR .* needs security\.allow_intrusive/],
      [
        "IXFR",
        { record_type: "IXFR", ixfr_serial: 7 },
        "flag_denied",
        /IXFR .* needs security\.allow_intrusive/,
      ],
      ["-t AXFR in extra_args", args("-t AXFR"), "flag_denied", /AXFR/],
      ["a name outside the scope", { target: "example.com" }, "scope_denied", /not under an allowed domain/],
      ["a reverse lookup outside the scope", { target: "10.0.0.1" }, "scope_denied", /outside the scope/],
      [
        "a reverse lookup of a network",
        { target: "127.0.0.0/24" },
        "scope_denied",
        /largest allowed is \/32/,
      ],
      ["a server outside the scope", { server: "10.0.0.1" }, "scope_denied", /^server: .*outside the scope/],
      ["no server at all", { server: undefined }, "validation_error", /give server/],
      ["an option-like name", { target: "-f/etc/passwd" }, "validation_error", /not a domain name/],
    ],
    lab,
  );
});
