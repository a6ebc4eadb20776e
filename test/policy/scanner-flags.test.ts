import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flagsToArgv, parseFlags, type FlagContext, type FlagGrammar } from "../../src/policy/flags.js";
import { splitArgs } from "../../src/policy/split-args.js";
import { GOBUSTER_GRAMMAR } from "../../src/tools/gobuster-grammar.js";
import { MASSCAN_GRAMMAR } from "../../src/tools/masscan-grammar.js";

const plain: FlagContext = { allowIntrusive: false, netRaw: true };

function parse(grammar: FlagGrammar, text: string, ctx: FlagContext = plain) {
  const words = splitArgs(text);
  assert.ok(words.ok);
  return parseFlags(
    words.value.map((w) => ({ text: w, origin: "extra_args" })),
    grammar,
    ctx,
  );
}

function refusedTable(grammar: FlagGrammar, cases: [string, string, RegExp][]): void {
  for (const [text, type, message] of cases) {
    it(`${text} -> ${type}`, () => {
      const outcome = parse(grammar, text);
      assert.equal(outcome.ok, false, `${text} must be refused`);
      assert.equal(outcome.denial.type, type);
      assert.match(outcome.denial.message, message);
    });
  }
}

describe("masscan extra_args refused, in masscan's loose spellings too", () => {
  refusedTable(MASSCAN_GRAMMAR, [
    ["-c /etc/masscan.conf", "flag_denied", /files/],
    ["--conf /tmp/x", "flag_denied", /files/],
    ["--Conf=/tmp/x", "flag_denied", /read it as --conf/],
    ["-iL /etc/passwd", "flag_denied", /files/],
    ["--includefile /etc/passwd", "flag_denied", /files/],
    ["--include-file /etc/passwd", "flag_denied", /read it as --includefile/],
    ["--excludefile /x", "flag_denied", /files/],
    ["-oX /tmp/out", "flag_denied", /files/],
    ["-oJ -", "flag_denied", /JSON itself/],
    ["-oL /tmp/x", "flag_denied", /files/],
    ["-oG /tmp/x", "flag_denied", /files/],
    ["-oB /tmp/x", "flag_denied", /files/],
    ["--output-filename /tmp/x", "flag_denied", /files/],
    ["--Output-FileName=/tmp/x", "flag_denied", /read it as --output-filename/],
    ["--outputfilename:/tmp/x", "flag_denied", /read it as --output-filename/],
    ["--pcap /tmp/x.pcap", "flag_denied", /files/],
    ["--resume paused.conf", "flag_denied", /files/],
    ["--readscan /tmp/x", "flag_denied", /files/],
    ["--echo", "flag_denied", /configuration/],
    ["--adapter eth0", "flag_denied", /operator/],
    ["--adapter-ip 10.0.0.9", "flag_denied", /operator/],
    ["--AdapterIP 10.0.0.9", "flag_denied", /read it as --adapter-ip/],
    ["--router-mac 00:11:22:33:44:55", "flag_denied", /operator/],
    ["--source-ip 10.0.0.9", "flag_denied", /operator/],
    ["--spoof-mac 0", "flag_denied", /operator/],
    ["--range 10.0.0.0/8", "flag_denied", /target field/],
    ["10.0.0.5", "flag_denied", /not an option/],
    ["-p 80 10.9.9.9", "flag_denied", /not an option/],
    // rate: one rule for every spelling
    ["--rate 100000", "validation_error", /1-10000/],
    ["--rate=5000", "flag_denied", /allow_intrusive/],
    ["--max-rate 5000", "flag_denied", /allow_intrusive/],
    ["--rate 5 --max-rate 6", "flag_denied", /given twice/],
    ["--Rate 5", "flag_denied", /write --rate exactly/],
    ["--rate:5", "flag_denied", /write --rate exactly/],
    ["--maxrate=5", "flag_denied", /write --max-rate exactly/],
    ["--wait 600", "validation_error", /0-30/],
    ["--retries 99", "validation_error", /0-5/],
    ["--banners", "flag_denied", /allow_intrusive/],
    ["-p 70000", "validation_error", /port list/],
  ]);

  it("accepts the allowed forms and canonicalizes --max-rate to --rate", () => {
    const outcome = parse(MASSCAN_GRAMMAR, "-p80,443 --max-rate=500 --wait 2 --retries 1 --open");
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.denial.message);
    assert.deepEqual(flagsToArgv(outcome.value), [
      "-p",
      "80,443",
      "--rate",
      "500",
      "--wait",
      "2",
      "--retries",
      "1",
      "--open-only",
    ]);
  });

  it("high rates and banners pass with allow_intrusive, never above the hard cap", () => {
    assert.ok(parse(MASSCAN_GRAMMAR, "--rate 10000 --banners", { allowIntrusive: true, netRaw: true }).ok);
    assert.equal(parse(MASSCAN_GRAMMAR, "--rate 10001", { allowIntrusive: true, netRaw: true }).ok, false);
  });
});

describe("gobuster extra_args refused", () => {
  refusedTable(GOBUSTER_GRAMMAR, [
    ["-u http://10.0.0.9/", "flag_denied", /target field/],
    ["--url=http://10.0.0.9/", "flag_denied", /target field/],
    ["-d example.com", "flag_denied", /target field/],
    ["--domain example.com", "flag_denied", /target field/],
    ["-r", "flag_denied", /redirects/],
    ["--follow-redirect", "flag_denied", /redirects/],
    ["-o /tmp/out", "flag_denied", /files/],
    ["--proxy http://10.0.0.9:3128", "flag_denied", /third party/],
    ["-p patterns.txt", "flag_denied", /files/],
    ["-X exts.txt", "flag_denied", /files/],
    ["--client-cert-pem /etc/ssl/key.pem", "flag_denied", /files/],
    ["-U admin", "flag_denied", /credentials/],
    ["-P secret", "flag_denied", /credentials/],
    ["-c session=abc", "flag_denied", /credentials/],
    ["-w /etc/passwd", "flag_denied", /catalog name/],
    ["--wordlist=/etc/shadow", "flag_denied", /catalog name/],
    ["--resolver 8.8.8.8", "flag_denied", /DNS server/],
    ["-m POST", "validation_error", /GET, HEAD/],
    ["-H 'Host: evil.example'", "validation_error", /never Host/],
    ["-H 'host:evil.example'", "validation_error", /never Host/],
    ["-H 'Authorization: Basic eDp5'", "validation_error", /never Host/],
    ["-H 'X-Test: a\u0007b'", "validation_error", /printable/],
    ["-t 500", "validation_error", /1-50/],
    ["-kr", "flag_denied", /not on the allowlist/],
    ["--delay 1h", "validation_error", /at most 5s/],
    ["-s 200,abc", "validation_error", /status codes/],
    ["-H 'A: 1' -H 'B: 2' -H 'C: 3' -H 'D: 4' -H 'E: 5' -H 'F: 6'", "flag_denied", /more than 5/],
    ["http://10.0.0.9/", "flag_denied", /not an option/],
    ["--timeout 0s", "validation_error", /at least 1s/],
    ["--timeout 30", "validation_error", /with a unit/],
    ["--delay 1", "validation_error", /with a unit/],
    ["--discover-backup", "flag_denied", /allow_intrusive/],
    ["-H 'X-HTTP-Method-Override: DELETE'", "validation_error", /method overrides/],
    ["-H 'X-Method-Override: PUT'", "validation_error", /method overrides/],
    ["-H 'X-Original-URL: /admin'", "validation_error", /URL rewrites/],
  ]);

  it("accepts typed options, several headers, and canonical spellings", () => {
    const outcome = parse(
      GOBUSTER_GRAMMAR,
      "-x php,txt -s 200,301-302 -t 5 -k -H 'X-A: 1' -H 'X-B: two words' --threads=5",
    );
    assert.equal(outcome.ok, false, "-t and --threads are one option");
    const ok = parse(
      GOBUSTER_GRAMMAR,
      "-x php,txt -s 200,301-302 --threads=5 -k -H 'X-A: 1' -H 'X-B: two words'",
    );
    assert.ok(ok.ok, ok.ok ? "" : ok.denial.message);
    assert.deepEqual(flagsToArgv(ok.value), [
      "-x",
      "php,txt",
      "-s",
      "200,301-302",
      "-t",
      "5",
      "-k",
      "-H",
      "X-A: 1",
      "-H",
      "X-B: two words",
    ]);
  });
});
