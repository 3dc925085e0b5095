/**
 * An https server standing in for the GitHub API during a program run: it records every request
 * (method and path, never headers, which carry the token) and hands it to a handler, by default
 * one that answers 404 like GitHub does for an unknown route.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { makeLocalCertificate, type LocalCertificate } from "./tls-certificate";

export interface RecordedRequest {
    method: string;
    path: string;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

function notFound(_request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify({ message: "Not Found", documentation_url: "https://docs.github.com/rest" }));
}

export class GithubRecorder {
    readonly requests: RecordedRequest[] = [];
    private readonly certificate: LocalCertificate;
    private readonly server: Server;

    constructor(handler: RequestHandler = notFound) {
        this.certificate = makeLocalCertificate();
        this.server = createServer({ key: this.certificate.key, cert: this.certificate.cert }, (request, response) => {
            this.requests.push({ method: request.method ?? "", path: request.url ?? "" });
            handler(request, response);
        });
    }

    async start(): Promise<void> {
        await new Promise<void>((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(0, "127.0.0.1", () => resolve());
        });
    }

    get apiUrl(): string {
        return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    /** Environment for the program so it trusts this server's certificate. */
    get programEnv(): Record<string, string> {
        return { NODE_EXTRA_CA_CERTS: this.certificate.certFile };
    }

    /** Requests that would change something on GitHub. */
    writes(): RecordedRequest[] {
        return this.requests.filter((request) => !["GET", "HEAD"].includes(request.method));
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.certificate.remove();
    }
}
