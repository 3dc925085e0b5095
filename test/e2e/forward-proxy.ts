/**
 * An HTTP forward proxy on the host for the guests, as a corporate proxy on a
 * private cloud: a guest sends it requests in absolute form (RFC 9112 §3.2.2)
 * and it forwards them, but only to the origins it is given (the GitHub front),
 * so a guest still reaches nothing else. Requests to other origins get 403,
 * CONNECT (tunnels) 405: the guests talk plain http to the test's GitHub.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

export interface ForwardProxy {
    readonly port: number;
    /** `METHOD absolute-URL status` of every request, for assertion messages. */
    readonly log: string[];
    close(): Promise<void>;
}

// Hop-by-hop fields end at the proxy (RFC 9110 §7.6.1); Proxy-Connection is their old, unregistered cousin.
const HOP_BY_HOP = ["connection", "proxy-connection", "keep-alive", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.includes(name.toLowerCase())));
}

export async function startForwardProxy(allowedOrigins: string[]): Promise<ForwardProxy> {
    const allowed = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
    const log: string[] = [];
    const server: Server = createServer((incoming, outgoing) => {
        const refuse = (status: number, message: string) => {
            log.push(`${incoming.method} ${incoming.url} ${status}`);
            outgoing.writeHead(status, { "content-type": "text/plain" });
            outgoing.end(`${message}\n`);
        };
        let target: URL;
        try {
            target = new URL(incoming.url ?? "");
        } catch {
            return refuse(400, "a proxy request names an absolute URL");
        }
        if (!allowed.has(target.origin)) return refuse(403, `the test proxy reaches only ${[...allowed].join(", ")}`);
        const upstream = httpRequest(
            {
                host: target.hostname,
                port: target.port,
                method: incoming.method,
                path: `${target.pathname}${target.search}`,
                headers: { ...endToEnd(incoming.headers), host: target.host },
            },
            (answer) => {
                log.push(`${incoming.method} ${incoming.url} ${answer.statusCode}`);
                outgoing.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
                answer.pipe(outgoing);
            },
        );
        upstream.on("error", (error) => refuse(502, `the test proxy could not reach ${target.origin}: ${error.message}`));
        incoming.pipe(upstream);
    });
    // node:http hands CONNECT requests to "connect" listeners, never to the request handler.
    server.on("connect", (incoming: IncomingMessage, socket: Duplex) => {
        log.push(`CONNECT ${incoming.url} 405`);
        socket.end("HTTP/1.1 405 Method Not Allowed\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nthe test proxy does not tunnel\n");
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    return {
        port: (server.address() as AddressInfo).port,
        log,
        close: async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
