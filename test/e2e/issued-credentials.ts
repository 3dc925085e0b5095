/**
 * The front between the program (and the guests, through the proxy) and the
 * fake GitHub, recording the credentials GitHub hands out (JIT configs,
 * registration tokens) as they pass, so the end-to-end test can look for them
 * where they must never appear (VM console logs). Nothing is logged; the
 * values stay in memory.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type RequestHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => void;

export class IssuedCredentials {
    /** Runner name -> the encoded JIT config GitHub issued for it. */
    readonly jitConfigs = new Map<string, string>();
    readonly registrationTokens: string[] = [];

    all(): string[] {
        return [...this.jitConfigs.values(), ...this.registrationTokens];
    }

    record(path: string, body: unknown): void {
        if (typeof body !== "object" || body === null) return;
        const answer = body as { encoded_jit_config?: unknown; runner?: { name?: unknown }; token?: unknown };
        if (/\/actions\/runners\/generate-jitconfig$/.test(path) && typeof answer.encoded_jit_config === "string" && typeof answer.runner?.name === "string") {
            this.jitConfigs.set(answer.runner.name, answer.encoded_jit_config);
        } else if (/\/actions\/runners\/registration-token$/.test(path) && typeof answer.token === "string") {
            this.registrationTokens.push(answer.token);
        }
    }
}

/** Forwards every request to `origin` (plain http) and records the credentials in 201 answers. */
export function forwardRecordingCredentials(origin: string, issued: IssuedCredentials): RequestHandler {
    const target = new URL(origin);
    return (incoming: IncomingMessage, outgoing: ServerResponse) => {
        const path = new URL(incoming.url ?? "/", target).pathname;
        const upstream = httpRequest(
            { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
            (answer) => {
                outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
                if (incoming.method !== "POST" || answer.statusCode !== 201) {
                    answer.pipe(outgoing);
                    return;
                }
                const chunks: Buffer[] = [];
                answer.on("data", (chunk: Buffer) => chunks.push(chunk));
                answer.on("end", () => {
                    const body = Buffer.concat(chunks);
                    try {
                        issued.record(path, JSON.parse(body.toString("utf8")));
                    } catch {
                        // Not JSON: nothing to record; the client sees the answer as it was.
                    }
                    outgoing.end(body);
                });
            },
        );
        upstream.on("error", (error) => {
            outgoing.writeHead(502, { "content-type": "application/json" });
            outgoing.end(JSON.stringify({ message: `forwarding to the fake GitHub failed: ${error.message}` }));
        });
        incoming.pipe(upstream);
    };
}

export interface GithubFront {
    /** http://127.0.0.1:PORT: the API URL the program uses (plain http is accepted for loopback). */
    readonly url: string;
    close(): Promise<void>;
}

/** Serves forwardRecordingCredentials on the host's loopback. */
export async function startGithubFront(origin: string, issued: IssuedCredentials): Promise<GithubFront> {
    const server: Server = createServer(forwardRecordingCredentials(origin, issued));
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
