/**
 * A local HTTP server for build tests: serves chosen files under chosen URL
 * paths (streamed, so images of any size work) and 404 for everything else.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FileServer {
    /** http://127.0.0.1:PORT, no trailing slash. */
    baseUrl: string;
    /** Serves `file` at `urlPath` (starting with "/") from now on; returns its full URL. */
    serve(urlPath: string, file: string): string;
    /** Paths requested so far, in order, to check what the build fetched. */
    requests: string[];
    close(): Promise<void>;
}

export async function startFileServer(): Promise<FileServer> {
    const routes = new Map<string, string>();
    const requests: string[] = [];
    const server: Server = createServer((request, response) => {
        const urlPath = new URL(request.url ?? "/", "http://localhost").pathname;
        requests.push(urlPath);
        const file = routes.get(urlPath);
        if (file === undefined || (request.method !== "GET" && request.method !== "HEAD")) {
            response.writeHead(404, { "content-type": "text/plain" }).end(`no such file: ${urlPath}\n`);
            return;
        }
        stat(file).then(
            (info) => {
                response.writeHead(200, { "content-type": "application/octet-stream", "content-length": info.size });
                if (request.method === "HEAD") {
                    response.end();
                    return;
                }
                createReadStream(file).on("error", () => response.destroy()).pipe(response);
            },
            () => response.writeHead(404).end(),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    return {
        baseUrl,
        requests,
        serve(urlPath, file) {
            routes.set(urlPath, file);
            return `${baseUrl}${urlPath}`;
        },
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.closeAllConnections();
                server.close((error) => (error ? reject(error) : resolve()));
            }),
    };
}
