/** maskUserInfo: URL passwords never reach an error message, whatever shape the text has. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { maskUserInfo } from "../components/config";
import { maskUserInfoDeep } from "../components/config/redact";

describe("maskUserInfo", { timeout: 60_000 }, () => {
    const cases: Array<[string, string]> = [
        ["http://bob:hunter2@proxy.example.net:3128", "http://***@proxy.example.net:3128"],
        ["https://ghp_token@github.com/acme/widgets", "https://***@github.com/acme/widgets"],
        ["http://bob:p@ss/w0rd@proxy:3128", "http://***@proxy:3128"],
        ["http://bob:hunter2@bad host:3128", "http://***@bad host:3128"],
        ["bob:hunter2@proxy.example.net:3128", "***@proxy.example.net:3128"],
        ["curl -x http://a:b@p1 https://c:d@p2/x", "curl -x http://***@p1 https://***@p2/x"],
        ["xhttp://bob:hunter2@h", "xhttp://***@h"],
    ];
    for (const [text, masked] of cases) {
        test(`${text} -> ${masked}`, () => assert.equal(maskUserInfo(text), masked));
    }

    test("text without user info is unchanged", () => {
        for (const text of ["http://proxy.example.net:3128", "ops@example.com", "localhost,127.0.0.1", "", "a:b"]) {
            assert.equal(maskUserInfo(text), text);
        }
    });

    test("every string inside a value is masked, keys and other types kept", () => {
        assert.deepEqual(maskUserInfoDeep({ http: "http://u:p@h", list: ["https://t@g", 3, true, null], nested: { x: "y" } }), {
            http: "http://***@h",
            list: ["https://***@g", 3, true, null],
            nested: { x: "y" },
        });
    });
});
