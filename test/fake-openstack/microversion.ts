/**
 * Nova microversions as Nova reads them (nova 33.0.2):
 * - the header is `OpenStack-API-Version: compute X.Y` (several services may be
 *   listed, comma-separated; the last entry for "compute" wins) or else the
 *   legacy `X-OpenStack-Nova-API-Version: X.Y` (microversion_parse 2.0.0
 *   `get_version`); the standard header exists since 2.27, so a Nova whose
 *   maximum is below 2.27 reads only the legacy one;
 * - no header means 2.1; "latest" means the maximum;
 * - a version not matching ^([1-9]\d*)\.([1-9]\d*|0)$ is 400, one outside
 *   [min, max] is 406 (nova/api/openstack/api_version_request.py,
 *   nova/api/openstack/wsgi.py `set_api_version_request`, Resource.__call__).
 */
import type { IncomingHttpHeaders } from "node:http";

export interface Microversion {
    major: number;
    minor: number;
}

export const MIN_MICROVERSION = "2.1";
/** Nova 17.0.0 (Queens) answers up to 2.60; the fake models responses for 2.1 to 2.60. */
export const DEFAULT_MAX_MICROVERSION = "2.60";
export const HIGHEST_MODELLED_MICROVERSION = "2.62";
const STANDARD_HEADER_SINCE = "2.27";

export type MicroversionOutcome =
    | { ok: true; version: Microversion }
    | { ok: false; status: 400 | 406; message: string };

export function parseMicroversion(text: string): Microversion | undefined {
    const match = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text);
    return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

export function formatMicroversion(version: Microversion): string {
    return `${version.major}.${version.minor}`;
}

export function compare(a: Microversion, b: Microversion): number {
    return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function atLeast(version: Microversion, than: string): boolean {
    return compare(version, parseMicroversion(than) as Microversion) >= 0;
}

export function requestedMicroversion(headers: IncomingHttpHeaders, maxText: string): MicroversionOutcome {
    const min = parseMicroversion(MIN_MICROVERSION) as Microversion;
    const max = parseMicroversion(maxText) as Microversion;
    const standard = compare(max, parseMicroversion(STANDARD_HEADER_SINCE) as Microversion) >= 0 ? computeEntry(headers["openstack-api-version"]) : undefined;
    const legacy = headerText(headers["x-openstack-nova-api-version"])?.split(",").at(-1)?.trim();
    const text = standard ?? legacy;
    if (text === undefined) return { ok: true, version: min };
    if (text === "latest") return { ok: true, version: max };
    const version = parseMicroversion(text);
    if (!version) {
        return { ok: false, status: 400, message: `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.` };
    }
    if (compare(version, min) < 0 || compare(version, max) > 0) {
        return {
            ok: false,
            status: 406,
            message: `Version ${formatMicroversion(version)} is not supported by the API. Minimum is ${MIN_MICROVERSION} and maximum is ${maxText}.`,
        };
    }
    return { ok: true, version };
}

function computeEntry(header: string | string[] | undefined): string | undefined {
    const text = headerText(header);
    if (text === undefined) return undefined;
    for (const entry of text.split(",").reverse()) {
        const [service, version] = entry.trim().split(/\s+/, 2);
        if (version !== undefined && service.toLowerCase() === "compute") return version.trim();
    }
    return undefined;
}

function headerText(header: string | string[] | undefined): string | undefined {
    return Array.isArray(header) ? header.join(",") : header;
}
