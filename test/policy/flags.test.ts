import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flagsToArgv, parseFlags, type FlagContext } from "../../src/policy/flags.js";
import { splitArgs } from "../../src/policy/split-args.js";
import { NMAP_GRAMMAR } from "../../src/tools/nmap-grammar.js";

const plain: FlagContext = { allowIntrusive: false, netRaw: true };

function parse(text: string, ctx: FlagContext = plain) {
  const words = splitArgs(text);
  assert.ok(words.ok, `split ${text}`);
  return parseFlags(
    words.value.map((w) => ({ text: w, origin: "extra_args" })),
    NMAP_GRAMMAR,
    ctx,
  );
}

describe("nmap extra_args refused", () => {
  const attacks: [string, string, RegExp][] = [
    // files read or written, code loaded
    ["-iL /etc/passwd", "flag_denied", /reads or writes files/],
    ["-iL/etc/passwd", "flag_denied", /-iL with a value/],
    ["--excludefile /etc/shadow", "flag_denied", /files/],
    ["-oN /tmp/out", "flag_denied", /files/],
    ["-oX -", "flag_denied", /XML itself/],
    ["-oA/tmp/x", "flag_denied", /-oA with a value/],
    ["-oG=/tmp/x", "flag_denied", /files/],
    ["--append-output", "flag_denied", /files/],
    ["--resume /tmp/scan", "flag_denied", /files/],
    ["--datadir /tmp", "flag_denied", /directory/],
    ["--servicedb /tmp/x", "flag_denied", /files/],
    ["--versiondb /tmp/x", "flag_denied", /files/],
    ["--script-args-file /tmp/a", "flag_denied", /files/],
    ["--stylesheet http://evil/x.xsl", "flag_denied", /files/],
    ["--script /tmp/evil.nse", "flag_denied", /scripts field/],
    ["--script=vuln", "flag_denied", /scripts field/],
    ["-sC", "flag_denied", /default_scripts/],
    ["-A", "flag_denied", /os_detection/],
    ["--script-args newtargets", "flag_denied", /script_args field/],
    // abbreviations and single-dash long names, as getopt_long_only would read them
    ["--scrip=vuln", "flag_denied", /--script/],
    ["-script vuln", "flag_denied", /--script/],
    ["--excludef /etc/shadow", "flag_denied", /--excludefile/],
    ["-excludefile /etc/shadow", "flag_denied", /--excludefile/],
    ["--top-port 10", "flag_denied", /write --top-ports exactly/],
    ["-top-ports 10", "flag_denied", /write --top-ports exactly/],
    ["--datad /tmp", "flag_denied", /--datadir/],
    ["--ifl", "flag_denied", /--iflist/],
    // spoofing and third parties
    ["-S 10.0.0.9", "flag_denied", /spoofs/],
    ["-D 10.0.0.1,ME", "flag_denied", /spoofs/],
    ["-e eth0", "flag_denied", /spoofs/],
    ["-g 53", "flag_denied", /spoofs/],
    ["--source-port 53", "flag_denied", /spoofs/],
    ["--spoof-mac 0", "flag_denied", /spoofs/],
    ["--proxies http://10.0.0.1:8080", "flag_denied", /spoofs/],
    ["-sI 10.0.0.9", "flag_denied", /spoofs/],
    ["-b ftp://10.0.0.9", "flag_denied", /spoofs/],
    ["--ip-options R", "flag_denied", /spoofs/],
    ["--dns-servers 8.8.8.8", "flag_denied", /spoofs/],
    ["--data-string x", "flag_denied", /spoofs/],
    ["--traceroute", "flag_denied", /routers/],
    // revealing the server, or controls the server owns
    ["--iflist", "flag_denied", /network configuration/],
    ["--route-dst 10.0.0.1", "flag_denied", /network configuration/],
    ["--privileged", "flag_denied", /server sets it/],
    ["--unprivileged", "flag_denied", /server sets it/],
    ["--stats-every 1s", "flag_denied", /progress/],
    ["-d9", "flag_denied", /server sets it/],
    ["--packet-trace", "flag_denied", /server sets it/],
    ["-vvv", "flag_denied", /server sets it/],
    ["-6", "flag_denied", /address family/],
    ["-R", "flag_denied", /name resolution/],
    // more targets
    ["-iR 100", "flag_denied", /random hosts/],
    ["10.0.0.9", "flag_denied", /not an option/],
    ["-p 80 8.8.8.8", "flag_denied", /not an option/],
    ["--exclude 10.0.0.1", "flag_denied", /scope is set by the server/],
    // unknown, duplicated, malformed, out of range
    ["--badsum", "flag_denied", /not on the allowlist/],
    ["-p 80 -p 443", "flag_denied", /given twice/],
    ["-p80 --top-ports=5 -p 22", "flag_denied", /given twice/],
    ["-p http", "validation_error", /port list/],
    ["-p 1-70000", "validation_error", /port list/],
    ["-p 80,*", "validation_error", /port list/],
    ["-p", "validation_error", /needs a value/],
    ["-p -iL", "validation_error", /port list/],
    ["--max-retries 50", "validation_error", /0-10/],
    ["--host-timeout 2d", "validation_error", /duration/],
    ["--scan-delay 1h", "validation_error", /at most 10s/],
    ["-T 6", "validation_error", /0-5/],
    // intrusive without allow_intrusive
    ["-T5", "flag_denied", /allow_intrusive/],
    ["--min-rate 5000", "flag_denied", /values up to 1000/],
    ["--max-parallelism=500", "flag_denied", /allow_intrusive/],
  ];
  for (const [text, type, message] of attacks) {
    it(`${text} -> ${type}`, () => {
      const outcome = parse(text);
      assert.equal(outcome.ok, false, `${text} must be refused`);
      assert.equal(outcome.denial.type, type);
      assert.match(outcome.denial.message, message);
    });
  }

  it("a value over the hard cap is refused even with allow_intrusive", () => {
    const outcome = parse("--min-rate 20000", { allowIntrusive: true, netRaw: true });
    assert.equal(outcome.ok, false);
  });

  it("raw-socket scans are refused without CAP_NET_RAW, naming the capability", () => {
    for (const text of ["-sS", "-sU", "-O", "--osscan-guess"]) {
      const outcome = parse(text, { allowIntrusive: false, netRaw: false });
      assert.equal(outcome.ok, false, text);
      assert.match(outcome.denial.message, /CAP_NET_RAW/);
    }
  });

  it("too many words are refused", () => {
    const outcome = parse(Array.from({ length: 65 }, () => "--open").join(" "));
    assert.equal(outcome.ok, false);
  });
});

describe("nmap extra_args accepted, canonicalized", () => {
  const legit: [string, string[]][] = [
    ["-p80", ["-p", "80"]],
    ["-p 22,80,8000-8100", ["-p", "22,80,8000-8100"]],
    ["-p T:80,U:53", ["-p", "T:80,U:53"]],
    ["--top-ports=100", ["--top-ports", "100"]],
    ["-T4 --max-retries 1", ["-T", "4", "--max-retries", "1"]],
    ["-sV --version-intensity 5", ["-sV", "--version-intensity", "5"]],
    ["-Pn --open --reason", ["-Pn", "--open", "--reason"]],
    ["--host-timeout 30s --scan-delay 100ms", ["--host-timeout", "30s", "--scan-delay", "100ms"]],
    ["--min-rate 1000", ["--min-rate", "1000"]],
    ["-sS -O", ["-sS", "-O"]],
    ["'-p' \"80\"", ["-p", "80"]],
  ];
  for (const [text, argv] of legit) {
    it(text, () => {
      const outcome = parse(text);
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.denial.message);
      assert.deepEqual(flagsToArgv(outcome.value), argv);
    });
  }

  it("intrusive values pass with allow_intrusive", () => {
    const outcome = parse("-T5 --min-rate 5000", { allowIntrusive: true, netRaw: true });
    assert.ok(outcome.ok);
  });
});

describe("splitting extra_args like a shell, without one", () => {
  const cases: [string, string[] | null][] = [
    ["-p 80  -T4", ["-p", "80", "-T4"]],
    ["'a b' \"c d\" e\\ f", ["a b", "c d", "e f"]],
    ['"say \\"hi\\""', ['say "hi"']],
    ["$(id);`id`|x", ["$(id);`id`|x"]],
    ["''", [""]],
    ["'open", null],
    ['"open', null],
    ["trailing\\", null],
  ];
  for (const [text, words] of cases) {
    it(JSON.stringify(text), () => {
      const outcome = splitArgs(text);
      if (words === null) assert.equal(outcome.ok, false);
      else assert.deepEqual(outcome.ok ? outcome.value : null, words);
    });
  }
});
