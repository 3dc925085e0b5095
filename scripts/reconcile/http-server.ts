/**
 * The reconciler's own HTTP endpoints: GET /healthz (200 or 503 with a JSON body
 * saying why) and GET /metrics (Prometheus text format). Nothing else: the
 * webhook receiver is the demand source's, on its own port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthReport } from "./health";

export interface StatusServerOptions {
    host: string;
    port: number;
    health: () => HealthReport;
    metrics: () => Promise<{ contentType: string; body: string }>;
}

export class StatusServer {
    private constructor(private readonly server: Server) {}

    static async start(options: StatusServerOptions): Promise<StatusServer> {
        const server = createServer((request, response) => {
            const path = new URL(request.url ?? "/", "http://localhost").pathname;
            const send = (status: number, contentType: string, body: string) => {
                response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
                response.end(request.method === "HEAD" ? undefined : body);
            };
            if (request.method !== "GET" && request.method !== "HEAD") {
                response.setHeader("allow", "GET, HEAD");
                return send(405, "application/json", JSON.stringify({ error: `${request.method} is not allowed; use GET` }));
            }
            if (path === "/healthz") {
                const report = options.health();
                return send(report.httpStatus, "application/json", `${JSON.stringify(report.body)}\n`);
            }
            if (path === "/metrics") {
                options.metrics().then(
                    ({ contentType, body }) => send(200, contentType, body),
                    (error: unknown) => send(500, "text/plain", `collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
                );
                return;
            }
            send(404, "application/json", JSON.stringify({ error: `no such endpoint ${path}; try /healthz or /metrics` }));
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(options.port, options.host, () => {
                server.removeListener("error", reject);
                resolve();
            });
        });
        return new StatusServer(server);
    }

    get port(): number {
        return (this.server.address() as AddressInfo).port;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
