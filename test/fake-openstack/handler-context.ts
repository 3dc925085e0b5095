/**
 * What a service handler of the fake gets: the world, the clock, the request,
 * and ways to build URLs and to report what the fake does not model.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { FakeAnswer, ServiceName } from "./answers";
import type { Microversion } from "./microversion";
import type { FakeToken, FakeWorld } from "./state";

export type EndpointInterface = "public" | "internal" | "admin";

export interface FakeUrls {
    /** Keystone's root (discovery), no trailing slash. */
    identityRoot: string;
    /** A service endpoint as the catalog lists it (Nova with /v2.1, Glance unversioned). */
    endpoint(service: "compute" | "image", region: string, iface: EndpointInterface): string;
    regions: readonly string[];
}

export interface HandlerContext {
    world: FakeWorld;
    nowMs: number;
    params: Record<string, string>;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    bodyText: string;
    urls: FakeUrls;
    /** The endpoint the request came in on (compute and image). */
    endpoint?: { service: ServiceName; region: string; iface: EndpointInterface; base: string };
    /** The caller's token (compute and image; already checked). */
    token?: FakeToken;
    /** The served Nova microversion (compute). */
    microversion?: Microversion;
    /** Something the real service would do that the fake does not model: records a violation and gives the 500 to send. */
    unimplemented(problem: string): FakeAnswer;
    /** A request the real service refuses for its shape (the fake answers as the service does, and records it). */
    badRequest(problem: string): void;
    /** Query parameters the service silently ignores (recorded on the request). */
    ignoredQuery: string[];
}
