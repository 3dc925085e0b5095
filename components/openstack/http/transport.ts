/**
 * One HTTP exchange over node:http/node:https. Not fetch: node's fetch takes
 * a per-client CA bundle, `insecure` or a client certificate only through an
 * undici Agent, and the undici package is not a dependency here; the
 * provider's cacertFile/insecure/cert/key must work for private clouds.
 * Keep-alive agents are per client; `close()` ends their sockets.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";

export interface HttpRequest {
    method: "GET" | "POST" | "DELETE";
    url: string;
    headers: Record<string, string>;
    body?: string;
    /** The whole exchange (connect, send, receive) must finish within this. */
    timeoutMs: number;
}

export interface HttpResponse {
    status: number;
    headers: IncomingHttpHeaders;
    body: string;
}

export interface HttpTransport {
    send(request: HttpRequest): Promise<HttpResponse>;
    close(): void;
}

export interface TransportTls {
    ca?: string;
    insecure: boolean;
    cert?: string;
    key?: string;
}

/** No HTTP answer: connection refused or reset, DNS failure, TLS failure, timeout. */
export class NetworkError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message);
        this.name = "NetworkError";
    }
}

/** A Nova page of 1000 detailed servers is a few MiB; anything far larger is not an API answer. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export function createHttpTransport(tls: TransportTls): HttpTransport {
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const httpsAgent = new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        rejectUnauthorized: !tls.insecure,
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
    });
    return {
        send: (request) => exchange(request, request.url.startsWith("https:") ? httpsAgent : httpAgent),
        close: () => {
            httpAgent.destroy();
            httpsAgent.destroy();
        },
    };
}

function exchange(request: HttpRequest, agent: http.Agent): Promise<HttpResponse> {
    const url = new URL(request.url);
    const module = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        let settled = false;
        const finish = (outcome: () => void) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            outcome();
        };
        const headers: Record<string, string> = { ...request.headers };
        if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
        const req = module.request(url, { method: request.method, headers, agent }, (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
                size += chunk.length;
                if (size > MAX_RESPONSE_BYTES) {
                    req.destroy(new NetworkError("ERESPONSETOOLARGE", `the answer exceeded ${MAX_RESPONSE_BYTES} bytes`));
                    return;
                }
                chunks.push(chunk);
            });
            res.on("end", () =>
                finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") })),
            );
            res.on("error", (error) => finish(() => reject(asNetworkError(error))));
        });
        const timer = setTimeout(() => {
            req.destroy(new NetworkError("ETIMEDOUT", `no complete answer within ${request.timeoutMs} ms`));
        }, request.timeoutMs);
        req.on("error", (error) => finish(() => reject(asNetworkError(error))));
        req.end(request.body);
    });
}

function asNetworkError(error: Error): NetworkError {
    if (error instanceof NetworkError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? "ENETWORK";
    return new NetworkError(code, error.message.includes(code) ? error.message : `${code}: ${error.message}`);
}
