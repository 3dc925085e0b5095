/**
 * The configuration reference (README) and stack-config.schema.json are
 * generated from the zod schema; the example stacks and hand-made stack files
 * are checked against the published JSON Schema with ajv, and against the
 * program, so the two never disagree on a stack file.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import yaml from "js-yaml";
import { ConfigError, parseStackConfig, type RawStackConfig } from "../components/config";
import { STACK_CONFIG_KEYS } from "../components/config/schema";
import { generatedFiles } from "../scripts/config-reference/main";
import { referenceRows } from "../scripts/config-reference/reference-table";
import { PROJECT, stackConfigFromYaml } from "../scripts/plan/stack-file";
import { TEST_SECRETS } from "./support/test-secrets";

const ROOT = join(__dirname, "..");
const REGENERATE = "run `npm run config-reference` (npx tsx scripts/config-reference/main.ts) and commit the result";

type StackDocument = { config?: Record<string, unknown>; [field: string]: unknown };

// strictRequired is off: the conditional `required` lists keys the root schema declares, which ajv's
// strictRequired looks for in the conditional subschema alone. Every other strict check is on.
const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "stack-config.schema.json"), "utf8")));

const schemaErrors = (document: StackDocument) => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
const loadStack = (file: string) => yaml.load(readFileSync(join(ROOT, file), "utf8")) as StackDocument;
const key = (name: string) => `${PROJECT}:${name}`;

/** Plaintexts of the `secure:` values the cases below write: the test secrets, or a value by path. */
function plaintextOf(extra: Record<string, string>) {
    return (path: string) => extra[path] ?? TEST_SECRETS[path] ?? assert.fail(`no plaintext for ${path}`);
}

/** What the program makes of a stack document, as Pulumi would hand it over. */
function programVerdict(document: StackDocument, plaintexts: Record<string, string> = {}): "accepted" | "rejected" {
    const { config, secretKeys } = stackConfigFromYaml(yaml.dump(document), PROJECT, plaintextOf(plaintexts));
    const prefix = key("");
    const values = Object.fromEntries(Object.entries(config).filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]));
    const raw: RawStackConfig = { project: PROJECT, stack: "test", values, secretKeys: new Set(secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))) };
    try {
        parseStackConfig(raw);
        return "accepted";
    } catch (error) {
        if (error instanceof ConfigError) return "rejected";
        throw error;
    }
}

/** dev's stack document with its config changed by `edit`. */
function devWith(edit: (config: Record<string, any>) => void): StackDocument {
    const document = loadStack("Pulumi.dev.yaml");
    edit(document.config as Record<string, any>);
    return document;
}

describe("generated files", { timeout: 60_000 }, () => {
    test("README's configuration reference and stack-config.schema.json are what the generator writes now", () => {
        for (const { file, expected, current } of generatedFiles(ROOT)) {
            assert.ok(current === expected, `${file} differs from what components/config generates: ${REGENERATE}`);
        }
    });

    test("every top-level key has a row; every row's meaning is the schema's description", () => {
        const rows = referenceRows();
        assert.deepEqual(rows.filter((row) => !row.key.includes(".") && !row.key.includes("[")).map((row) => row.key), STACK_CONFIG_KEYS);
        for (const row of rows) assert.ok(row.meaning.length > 10, `${row.key} has no meaning`);
        assert.ok(rows.some((row) => row.key === "pools[].schedules[].timezone" && row.default === "`UTC`" && /IANA time zone/.test(row.meaning)));
        assert.ok(rows.some((row) => row.key === "githubToken" && row.type === "secret string"));
        assert.ok(rows.some((row) => row.key === "bootstrapTimeoutMinutes" && row.type === "integer 1–1440" && row.default === "`20`"));
    });

    test("a key without a description stops the generator", () => {
        const schema = { type: "object", properties: { documented: { type: "string", description: "Has one." }, bare: { type: "string" } } } as const;
        assert.throws(() => referenceRows(schema), /bare has no description/);
    });
});

describe("stack-config.schema.json against stack files", { timeout: 60_000 }, () => {
    test("Pulumi.dev.yaml and Pulumi.prod.yaml are valid", () => {
        for (const file of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
            assert.deepEqual(schemaErrors(loadStack(file)), [], file);
            assert.match(readFileSync(join(ROOT, file), "utf8"), /^# yaml-language-server: \$schema=\.\/stack-config\.schema\.json\n/, `${file} should point editors at the schema`);
        }
    });

    /** [what, the stack document, plaintexts of its secure values]: files both the schema and the program accept. */
    const accepted: Array<[string, StackDocument, Record<string, string>]> = [
        ["a number written as a YAML number or as text", devWith((c) => (c[key("bootstrapTimeoutMinutes")] = 45)), {}],
        ["a secret scalar key", devWith((c) => (c[key("preJobScript")] = { secure: "v1:abc" })), { [key("preJobScript")]: "echo hello" }],
        ["one secret value inside a key (--secret --path)", devWith((c) => (c[key("proxy")].http = { secure: "v1:abc" })), { [`${key("proxy")}.http`]: "http://bob:hunter2@proxy.example.net:3128" }],
        ["a whole structured key as one secret", devWith((c) => (c[key("proxy")] = { secure: "v1:abc" })), { [key("proxy")]: JSON.stringify({ http: "http://proxy.example.net:3128" }) }],
        ["free-form keys of other namespaces", devWith((c) => (c["openstack:insecure"] = { nested: [1, true] })), {}],
        [
            "a pool sized by demand with every OpenStack setting",
            devWith((c) => {
                const [pool] = c[key("pools")];
                delete pool.count;
                Object.assign(pool, { min: 1, max: 4, schedules: [{ cron: "* 8-17 * * 1-5", timezone: "Europe/Berlin", min: 2 }], bootVolume: { sizeGb: 40 }, availabilityZone: "az1", serverGroup: { policy: "anti-affinity" }, keyPair: "ops", metadata: { team: "ci" }, defaultLabels: false });
            }),
            {},
        ],
        ["an enterprise path with a token and a runner group", devWith((c) => (c[key("github")] = { path: "enterprise:acme", runnerGroup: "ci" })), {}],
    ];

    for (const [what, document, plaintexts] of accepted) {
        test(`accepted by both: ${what}`, () => {
            assert.deepEqual(schemaErrors(document), []);
            assert.equal(programVerdict(document, plaintexts), "accepted");
        });
    }

    test("a number as text is valid for the schema too", () => {
        assert.deepEqual(schemaErrors(devWith((c) => (c[key("bootstrapTimeoutMinutes")] = "45"))), []);
        assert.deepEqual(schemaErrors(loadStack("Pulumi.prod.yaml")), [], "prod's appId is a YAML number");
    });

    test("a stack that imports a Pulumi ESC environment may leave the required keys to it", () => {
        assert.deepEqual(schemaErrors({ environment: ["ci-runners/prod"], config: { [key("namePrefix")]: "gh-prod" } }), []);
        assert.notDeepEqual(schemaErrors({ config: { [key("namePrefix")]: "gh-prod" } }), []);
    });

    /** [what, the stack document, a part of the schema error]: files both the schema and the program refuse. */
    const refused: Array<[string, StackDocument, string]> = [
        ["a misspelt project key", devWith((c) => (c[key("pool")] = [])), "must NOT have additional properties"],
        ["the token in plain text", devWith((c) => (c[key("githubToken")] = "ghp_plain")), "/config/openstack-github-runners:githubToken must be object"],
        ["pools as a secret", devWith((c) => (c[key("pools")] = { secure: "v1:abc" })), "/config/openstack-github-runners:pools must be array"],
        ["namePrefix as a secret", devWith((c) => (c[key("namePrefix")] = { secure: "v1:abc" })), "/config/openstack-github-runners:namePrefix must be string"],
        ["a secret inside pools", devWith((c) => (c[key("pools")][0].name = { secure: "v1:abc" })), "/config/openstack-github-runners:pools/0/name must be string"],
        ["a count as text", devWith((c) => (c[key("pools")][0].count = "2")), "/config/openstack-github-runners:pools/0/count must be integer"],
        ["an unknown base", devWith((c) => (c[key("image")].base = "focal")), "must be equal to one of the allowed values"],
        ["the pools missing", devWith((c) => delete c[key("pools")]), "must have required property 'openstack-github-runners:pools'"],
        ["101 labels in a pool", devWith((c) => (c[key("pools")][0].labels = Array.from({ length: 101 }, (_, i) => `l${i}`))), "must NOT have more than 100 items"],
        ["a metadata value as a number", devWith((c) => (c[key("pools")][0].metadata = { cost: 12 })), "/metadata/cost must be string"],
        ["a bootstrap timeout as words", devWith((c) => (c[key("bootstrapTimeoutMinutes")] = "soon")), 'must match pattern "^[0-9]+$"'],
    ];

    for (const [what, document, error] of refused) {
        test(`refused by both: ${what}`, () => {
            const errors = schemaErrors(document);
            assert.ok(errors.some((e) => e.includes(error)), `expected an error with "${error}", got:\n${errors.join("\n")}`);
            assert.equal(programVerdict(document, { [key("pools")]: "[]", [key("namePrefix")]: "gh-dev", [`${key("pools")}[0].name`]: "small" }), "rejected");
        });
    }

    test("a key without a namespace is refused, as Pulumi refuses it", () => {
        const errors = schemaErrors(devWith((c) => (c["namePrefix"] = "gh-dev")));
        assert.ok(errors.some((e) => e.includes("must NOT have additional properties")), errors.join("\n"));
    });
});
