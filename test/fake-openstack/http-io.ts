/**
 * Reading request bodies and writing the fake's answers: JSON bodies as
 * application/json, proxy pages as text/html, Nova's version headers on
 * answers served at a microversion (nova/api/openstack/wsgi.py: 
 * OpenStack-API-Version "compute X.Y", X-OpenStack-Nova-API-Version "X.Y",
 * Vary naming both).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeAnswer } from "./answers";

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

/** The headers an answer goes out with (the contract check sees these). */
export function finalHeaders(answer: FakeAnswer): Record<string, string> {
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.microversion !== undefined && answer.status !== 401) {
        headers["openstack-api-version"] = `compute ${answer.microversion}`;
        headers["x-openstack-nova-api-version"] = answer.microversion;
        headers.vary = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
    }
    if (answer.body !== undefined) headers["content-type"] = "application/json";
    else if (answer.text !== undefined) headers["content-type"] = "text/html; charset=UTF-8";
    return headers;
}

export function send(res: ServerResponse, answer: FakeAnswer): void {
    const headers = finalHeaders(answer);
    if (answer.body !== undefined) res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
    else if (answer.text !== undefined) res.writeHead(answer.status, headers).end(answer.text);
    else res.writeHead(answer.status, headers).end();
}
