/**
 * The clouds.yaml entry the provider uses when `openstack:cloud` or OS_CLOUD
 * names one, found, merged and overridden as gophercloud/utils does at the
 * commit terraform-provider-openstack v1.54.1 pins (05e9e7f5ea4d,
 * `openstack/clientconfig/requests.go` GetCloudFromYAML and `utils.go`):
 *
 * - clouds.yaml: OS_CLIENT_CONFIG_FILE when that file exists, else the first
 *   of ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml,
 *   and only when none exists the same three with `.yml`. These are the
 *   locations openstacksdk documents (openstacksdk 4.18.0,
 *   doc/source/user/config/configuration.rst, "Config Files").
 * - secure.yaml (optional, same locations, same `.yml` fallback) is merged
 *   over the entry: its non-empty values win ("secure.yaml ... will take
 *   precedence over anything in the clouds.yaml file", same document). The
 *   pinned gophercloud/utils does not read OS_CLIENT_SECURE_FILE, so neither do we.
 * - A merge never overrides with an empty value (`mergeInterfaces`: zero
 *   values such as "", 0 and false do not override), lists are concatenated.
 * - With a region chosen, a matching `regions: [{name, values}]` item is
 *   merged over the entry.
 * - `profile`/`cloud` (vendor profiles from clouds-public.yaml) are not
 *   supported here: they fail with a clear error instead of being ignored.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { OpenstackCredentialsError } from "../errors";
import type { Environment } from "./provider-settings";

/** The keys of a clouds.yaml entry the provider reads (gophercloud/utils `results.go` Cloud). */
export interface CloudEntry {
    auth?: Record<string, string>;
    auth_type?: string;
    region_name?: string;
    regions?: { name: string; values?: CloudEntry }[];
    identity_api_version?: string;
    verify?: boolean;
    cacert?: string;
    cert?: string;
    key?: string;
    profile?: string;
    cloud?: string;
}

export interface CloudFileLocations {
    cwd: string;
    homeDir: string | undefined;
    /** /etc/openstack unless a test points elsewhere. */
    siteConfigDir: string;
    env: Environment;
}

export interface LoadedCloud {
    entry: CloudEntry;
    cloudsFile: string;
    secureFile?: string;
}

const STRING_KEYS = ["auth_type", "region_name", "identity_api_version", "cacert", "cert", "key", "profile", "cloud"] as const;

export function loadCloud(cloudName: string, cloudOrigin: string, region: string | undefined, where: CloudFileLocations): LoadedCloud {
    const searched: string[] = [];
    const cloudsFile = findCloudsFile(where, searched);
    if (cloudsFile === undefined) {
        throw new OpenstackCredentialsError(
            `OpenStack credentials: ${cloudOrigin} names the cloud "${cloudName}", but no clouds.yaml exists; looked at ${searched.join(", ")}. ` +
                `Create one of them, set OS_CLIENT_CONFIG_FILE to your clouds.yaml, or unset the cloud setting and use openstack:* / OS_* settings`,
        );
    }
    const clouds = readCloudsFile(cloudsFile);
    const found = clouds[cloudName];
    if (found === undefined) {
        const known = Object.keys(clouds);
        throw new OpenstackCredentialsError(
            `OpenStack credentials: ${cloudOrigin} names the cloud "${cloudName}", which ${cloudsFile} does not define ` +
                `(it defines: ${known.length > 0 ? known.map((k) => `"${k}"`).join(", ") : "none"}); fix the name or the file`,
        );
    }
    let entry = checkEntry(found, `${cloudsFile} clouds.${cloudName}`);
    if (entry.profile !== undefined || entry.cloud !== undefined) {
        throw new OpenstackCredentialsError(
            `OpenStack credentials: ${cloudsFile} clouds.${cloudName} uses a vendor profile (profile/cloud), which this tool does not read; ` +
                `copy the profile's auth_url and settings into the entry`,
        );
    }
    const secureFile = findYaml("secure", where, []);
    if (secureFile !== undefined) {
        const secure = readCloudsFile(secureFile)[cloudName];
        if (secure !== undefined) entry = mergeCloud(checkEntry(secure, `${secureFile} clouds.${cloudName}`), entry);
    }
    if (region !== undefined) {
        const override = (entry.regions ?? []).find((r) => r.name === region);
        if (override?.values !== undefined) entry = mergeCloud(override.values, entry);
    }
    return { entry, cloudsFile, secureFile };
}

function findCloudsFile(where: CloudFileLocations, searched: string[]): string | undefined {
    const explicit = where.env.OS_CLIENT_CONFIG_FILE;
    if (explicit !== undefined && explicit !== "") {
        searched.push(`${explicit} (OS_CLIENT_CONFIG_FILE)`);
        if (existsSync(explicit)) return explicit;
    }
    return findYaml("clouds", where, searched);
}

function findYaml(base: "clouds" | "secure", where: CloudFileLocations, searched: string[]): string | undefined {
    for (const extension of [".yaml", ".yml"]) {
        const candidates = [path.join(where.cwd, base + extension)];
        if (where.homeDir) candidates.push(path.join(where.homeDir, ".config", "openstack", base + extension));
        candidates.push(path.join(where.siteConfigDir, base + extension));
        for (const candidate of candidates) {
            searched.push(candidate);
            if (existsSync(candidate)) return candidate;
        }
    }
    return undefined;
}

function readCloudsFile(file: string): Record<string, unknown> {
    let parsed: unknown;
    try {
        parsed = yaml.load(readFileSync(file, "utf8"));
    } catch (error) {
        // Only the reason and line: js-yaml's full message quotes the file, which may hold a password.
        const reason = error instanceof yaml.YAMLException ? `${error.reason} at line ${error.mark.line + 1}` : (error as Error).message;
        throw new OpenstackCredentialsError(`OpenStack credentials: ${file} is not valid YAML (${reason}); fix the file`);
    }
    if (parsed === undefined || parsed === null) return {};
    const clouds = isObject(parsed) ? parsed.clouds : undefined;
    if (clouds === undefined || clouds === null) return {};
    if (!isObject(clouds)) {
        throw new OpenstackCredentialsError(`OpenStack credentials: ${file}: "clouds" must be a mapping of cloud names to settings`);
    }
    return clouds;
}

/** Checks the types of the keys the provider reads; scalars become strings as yaml.v2 does for string fields. */
function checkEntry(raw: unknown, where: string): CloudEntry {
    if (!isObject(raw)) throw new OpenstackCredentialsError(`OpenStack credentials: ${where} must be a mapping of settings`);
    const entry: CloudEntry = {};
    if (raw.auth !== undefined && raw.auth !== null) {
        if (!isObject(raw.auth)) throw new OpenstackCredentialsError(`OpenStack credentials: ${where}.auth must be a mapping`);
        entry.auth = {};
        for (const [key, value] of Object.entries(raw.auth)) {
            if (value === null || value === undefined) continue;
            if (typeof value === "object") throw new OpenstackCredentialsError(`OpenStack credentials: ${where}.auth.${key} must be a single value`);
            entry.auth[key] = String(value);
        }
    }
    for (const key of STRING_KEYS) {
        const value = raw[key];
        if (value === undefined || value === null) continue;
        if (typeof value === "object") throw new OpenstackCredentialsError(`OpenStack credentials: ${where}.${key} must be a single value`);
        entry[key] = String(value);
    }
    if (raw.verify !== undefined && raw.verify !== null) {
        if (typeof raw.verify !== "boolean") throw new OpenstackCredentialsError(`OpenStack credentials: ${where}.verify must be true or false`);
        entry.verify = raw.verify;
    }
    if (raw.regions !== undefined && raw.regions !== null) {
        if (!Array.isArray(raw.regions)) throw new OpenstackCredentialsError(`OpenStack credentials: ${where}.regions must be a list`);
        // A region is a plain name or {name, values} (gophercloud/utils Region.UnmarshalYAML).
        entry.regions = raw.regions.map((item, index) => {
            if (typeof item === "string") return { name: item };
            if (isObject(item) && typeof item.name === "string") {
                return item.values === undefined ? { name: item.name } : { name: item.name, values: checkEntry(item.values, `${where}.regions[${index}].values`) };
            }
            throw new OpenstackCredentialsError(`OpenStack credentials: ${where}.regions[${index}] must be a name or {name, values}`);
        });
    }
    return entry;
}

/** gophercloud/utils `mergeClouds(override, base)`: override's non-empty values win, lists concatenate. */
export function mergeCloud(override: CloudEntry, base: CloudEntry): CloudEntry {
    return mergeValues(override, base) as CloudEntry;
}

function mergeValues(override: unknown, base: unknown): unknown {
    if (isObject(override)) {
        if (!isObject(base)) return override;
        const merged: Record<string, unknown> = { ...override };
        for (const [key, value] of Object.entries(base)) {
            merged[key] = key in override ? mergeValues(override[key], value) : value;
        }
        return merged;
    }
    if (Array.isArray(override)) return Array.isArray(base) ? [...override, ...base] : override;
    const isZero = override === undefined || override === null || override === "" || override === 0 || override === false;
    return isZero ? base : override;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
