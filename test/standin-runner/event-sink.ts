import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One event a stand-in runner POSTs to `/_fake/standin/events`. */
export interface StandinEvent {
  event: string;
  name: string;
  [key: string]: unknown;
}

/**
 * A minimal receiver for the stand-in runner's reports, for tests of the
 * stand-in itself (the boot test uses the fake GitHub instead).
 */
export class StandinEventSink {
  readonly events: StandinEvent[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(host = "127.0.0.1"): Promise<StandinEventSink> {
    let sink: StandinEventSink | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.method !== "POST" || request.url !== "/_fake/standin/events") {
          response.writeHead(404).end();
          return;
        }
        sink?.events.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as StandinEvent);
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const { port } = server.address() as AddressInfo;
    sink = new StandinEventSink(server, `http://${host}:${port}`);
    return sink;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
