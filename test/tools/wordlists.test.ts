import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { findWordlist, listWordlists } from "../../src/tools/wordlists.js";

const root = mkdtempSync(join(tmpdir(), "wordlists-"));
const operatorDir = join(root, "operator");
mkdirSync(operatorDir);
writeFileSync(join(operatorDir, "team.txt"), "alpha\nbeta\ngamma\n");
writeFileSync(join(root, "outside.txt"), "secret\n");
symlinkSync(join(root, "outside.txt"), join(operatorDir, "escape.txt"));
symlinkSync("/etc/passwd", join(operatorDir, "passwd"));
// A sparse 1 GB file: refused by its size before anything reads it.
writeFileSync(join(operatorDir, "huge.txt"), "");
truncateSync(join(operatorDir, "huge.txt"), 1024 * 1024 * 1024);
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const MAX = 50 * 1024 * 1024;

describe("wordlist catalog", () => {
  it("finds the shipped lists by name", () => {
    const common = findWordlist("common", [], MAX);
    assert.ok(common.ok);
    assert.ok(common.value.lines > 50);
    assert.ok(common.value.path.endsWith("/wordlists/common.txt"));
    for (const name of ["common", "dns-common", "vhost-common"]) assert.ok(listWordlists([]).includes(name));
  });

  it("finds operator lists and counts their lines", () => {
    const team = findWordlist("team", [operatorDir], MAX);
    assert.ok(team.ok);
    assert.equal(team.value.lines, 3);
  });

  const refused: [string, string, RegExp][] = [
    ["/etc/passwd", "validation_error", /paths are never accepted/],
    ["../outside", "validation_error", /catalog name/],
    ["team/../../x", "validation_error", /catalog name/],
    ["escape", "flag_denied", /outside its directory/],
    ["passwd", "flag_denied", /outside its directory/],
    ["huge", "validation_error", /1073741824 bytes; the cap is 52428800/],
    ["missing", "not_found", /available: .*common/],
  ];
  for (const [name, type, message] of refused) {
    it(`refuses ${name}`, () => {
      const outcome = findWordlist(name, [operatorDir], MAX);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.denial.type, type);
      assert.match(outcome.denial.message, message);
    });
  }
});
