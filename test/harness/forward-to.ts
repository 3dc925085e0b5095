/**
 * A request handler for GithubRecorder that forwards every request to another (plain http)
 * server, e.g. the fake GitHub, so the program can reach it through an https:// API URL.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { RequestHandler } from "./github-recorder";

export function forwardTo(origin: string): RequestHandler {
    const target = new URL(origin);
    return (incoming: IncomingMessage, outgoing: ServerResponse) => {
        const upstream = httpRequest(
            {
                host: target.hostname,
                port: target.port,
                method: incoming.method,
                path: incoming.url,
                headers: { ...incoming.headers, host: target.host },
            },
            (answer) => {
                outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(outgoing);
            },
        );
        upstream.on("error", (error) => {
            outgoing.writeHead(502, { "content-type": "application/json" });
            outgoing.end(JSON.stringify({ message: `harness forwarding failed: ${error.message}` }));
        });
        incoming.pipe(upstream);
    };
}
