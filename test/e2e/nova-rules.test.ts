/**
 * The Nova rules the qemu server backend applies between Nova and the guest:
 * the user_data limit and decoding, and the hostname Nova's metadata service
 * derives from a server name. Expected hostnames were computed with Nova
 * 33.0.0's sanitize_hostname.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { NOVA_USER_DATA_MAX_LENGTH, novaInstanceHostname, novaMetadataHostname, novaServedUserData } from "./nova-rules";

test("Nova serves the decoded bytes and refuses user data over its limit", () => {
    const bytes = gzipSync(Buffer.from("#!/bin/bash\ntrue\n"));
    assert.deepEqual(novaServedUserData(bytes.toString("base64")), bytes);
    assert.doesNotThrow(() => novaServedUserData("A".repeat(NOVA_USER_DATA_MAX_LENGTH)), "the limit itself is allowed");
    assert.throws(() => novaServedUserData("A".repeat(NOVA_USER_DATA_MAX_LENGTH + 1)), /65536 characters of base64, more than Nova's 65535/);
});

test("the instance hostname is Nova's sanitize_hostname of the server name", () => {
    const cases: Array<[string, string]> = [
        ["gh-dev-small-0-a1b2c3d4e5f6", "gh-dev-small-0-a1b2c3d4e5f6"],
        ["My_Server.Name", "my-server-name"],
        ["  spaced  ", "spaced"],
        ["héllo☃ Wörld", "héllo-wörld"],
        ["a:b#c", "abc"],
        ["Ünïcode¼²ºµß-X", "ünïcode¼²ºµß-x"],
        ["x".repeat(70), "x".repeat(63)],
        [".-lead-and-trail-.", "lead-and-trail"],
        ["tab\there", "tabhere"],
    ];
    for (const [name, hostname] of cases) assert.equal(novaInstanceHostname(name, "uuid-1"), hostname, JSON.stringify(name));
    assert.equal(novaInstanceHostname("!!!", "0b4e"), "Server-0b4e", "an empty result falls back to Server-<uuid>");
});

test("the metadata hostname carries Nova's dhcp_domain unless it is empty", () => {
    assert.equal(novaMetadataHostname("gh-dev-small-0-a1b2", "id"), "gh-dev-small-0-a1b2.novalocal");
    assert.equal(novaMetadataHostname("gh-dev-small-0-a1b2", "id", "cloud.example"), "gh-dev-small-0-a1b2.cloud.example");
    assert.equal(novaMetadataHostname("gh-dev-small-0-a1b2", "id", ""), "gh-dev-small-0-a1b2");
});
