/**
 * Reading request bodies and writing answers with the headers GitHub sends on
 * every REST response (media type, rate-limit status).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeResponse } from "./github-handlers";

const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new Error("request body too large"));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

export function send(res: ServerResponse, answer: FakeResponse): void {
    const headers: Record<string, string> = {
        "x-github-media-type": "github.v3; format=json",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
        "x-ratelimit-resource": "core",
        ...answer.headers,
    };
    if (answer.body === undefined) {
        res.writeHead(answer.status, headers).end();
        return;
    }
    headers["content-type"] = "application/json; charset=utf-8";
    res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
}
