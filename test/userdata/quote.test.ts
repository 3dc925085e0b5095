import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { shellQuote, systemdQuote } from "../../components/userdata/quote";
import { dumpUnit } from "./systemd-dump";

/** Deterministic pseudo-random strings (xorshift32), weighted towards characters that need quoting. */
function hostileStrings(count: number, seed: number, alphabet: string[]): string[] {
    let state = seed;
    const next = () => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) / 0x1_0000_0000;
    };
    return Array.from({ length: count }, () =>
        Array.from({ length: Math.floor(next() * 24) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""),
    );
}

const SPECIAL = [..."'\"`$\\%!&|;<>(){}[]*?~#= \t", "$(", "${", "\\'", "%%", "é", "€", "😀"];
const PRINTABLE_ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

test("shellQuote round-trips every string through real bash, line breaks and control characters included", () => {
    const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1));
    const values = [
        "",
        "'",
        "''",
        "\n",
        "a'b'c",
        "$(touch /pwned)",
        ...hostileStrings(300, 0x2545f491, [...SPECIAL, ...SPECIAL, ...PRINTABLE_ASCII, ...controls]),
    ];
    const script = `printf '%s\\0' ${values.map(shellQuote).join(" ")}\n`;
    const result = spawnSync("bash", ["--noprofile", "--norc", "-c", script], { encoding: "utf8" });
    assert.equal(result.stderr, "");
    assert.deepEqual(result.stdout.split("\0").slice(0, -1), values);
});

test("systemdQuote round-trips single-line strings through systemd's own Environment= parser", () => {
    const values = ["", '"', "\\", "%", "%%n", "a b", '\\"', ...hostileStrings(200, 0x1234567, [...SPECIAL, ...PRINTABLE_ASCII])];
    const dir = mkdtempSync(join(tmpdir(), "userdata-systemd-quote-"));
    try {
        chmodSync(dir, 0o755);
        const environment = values.map((value, i) => `Environment=${systemdQuote(`V${i}=${value}`)}\n`).join("");
        writeFileSync(join(dir, "quote-probe.service"), `[Service]\nExecStart=/bin/true\n${environment}`, { mode: 0o644 });
        const dump = dumpUnit("quote-probe.service", [dir]);
        assert.deepEqual(dump.warnings, []);
        assert.deepEqual(dump.settings.get("Environment"), values.map((value, i) => `V${i}=${value}`));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
