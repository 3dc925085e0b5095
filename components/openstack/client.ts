/**
 * The OpenStack client the operators' tools use: resolved credentials in,
 * a few Nova and Glance calls out. Call `close()` when done (keep-alive sockets).
 */
import { readFileSync } from "node:fs";
import type { OpenstackCredentials } from "./credentials/types";
import { OpenstackCredentialsError } from "./errors";
import { deleteImage, getImage, type GlanceImage, listImages, type ListImagesOptions } from "./glance";
import { DEFAULT_RETRY_POLICY, realSleep, type RetryPolicy, type Sleep } from "./http/retry";
import { createHttpTransport, type HttpTransport } from "./http/transport";
import { deleteServer, getServer, listServers, type ListServersOptions, type NovaServer } from "./nova";
import { OpenstackSession } from "./session";

export interface OpenstackClientOptions {
    /** Retries for network errors, 429 and 5xx (defaults: 4 tries, 0.5 s doubling to 8 s). */
    retry?: Partial<RetryPolicy>;
    /** Per request, connect to last byte (default 30 s). */
    timeoutMs?: number;
    /** Clock for token expiry (tests move it). */
    now?: () => number;
    /** Waits between retries (tests make them instant). */
    sleep?: Sleep;
    /** Replaces the node:http(s) transport (tests only). */
    transport?: HttpTransport;
}

export interface OpenstackClient {
    listServers(options?: ListServersOptions): Promise<NovaServer[]>;
    /** undefined when Nova does not know the server. */
    getServer(id: string): Promise<NovaServer | undefined>;
    deleteServer(id: string): Promise<"deleted" | "already-gone">;
    listImages(options?: ListImagesOptions): Promise<GlanceImage[]>;
    /** undefined when Glance does not know the image (or the project may not see it). */
    getImage(id: string): Promise<GlanceImage | undefined>;
    /** Throws OpenstackImageInUseError when a store still uses the image (409). */
    deleteImage(id: string): Promise<"deleted" | "already-gone">;
    /** Keystone tokens issued so far by this client (it caches one until shortly before expiry). */
    readonly tokensIssued: number;
    close(): void;
}

export const USER_AGENT = "openstack-github-runners";

export function createOpenstackClient(credentials: OpenstackCredentials, options: OpenstackClientOptions = {}): OpenstackClient {
    const transport = options.transport ?? createHttpTransport(readTls(credentials.tls));
    const session = new OpenstackSession(credentials, {
        transport,
        retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
        timeoutMs: options.timeoutMs ?? 30_000,
        now: options.now ?? Date.now,
        sleep: options.sleep ?? realSleep,
        userAgent: USER_AGENT,
    });
    return {
        listServers: (listOptions) => listServers(session, listOptions),
        getServer: (id) => getServer(session, id),
        deleteServer: (id) => deleteServer(session, id),
        listImages: (listOptions) => listImages(session, listOptions),
        getImage: (id) => getImage(session, id),
        deleteImage: (id) => deleteImage(session, id),
        get tokensIssued() {
            return session.tokensIssued;
        },
        close: () => transport.close(),
    };
}

function readTls(tls: OpenstackCredentials["tls"]) {
    const read = (file: string | undefined, what: string): string | undefined => {
        if (file === undefined) return undefined;
        try {
            return readFileSync(file, "utf8");
        } catch (error) {
            throw new OpenstackCredentialsError(`OpenStack credentials: cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); fix the path`);
        }
    };
    const ca = read(tls.caCertFile, "CA file (openstack:cacertFile / OS_CACERT / cacert)");
    const cert = read(tls.clientCertFile, "client certificate (openstack:cert / OS_CERT / cert)");
    const key = read(tls.clientKeyFile, "client key (openstack:key / OS_KEY / key)");
    return { insecure: tls.insecure, ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
}
