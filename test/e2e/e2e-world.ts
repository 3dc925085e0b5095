/**
 * Everything the end-to-end scenarios run against on this machine: the fake
 * GitHub; the front the program uses as GitHub's API (http on the loopback,
 * recording the credentials GitHub issues); the proxy through which guests
 * reach that front; the runner image; and the qemu server backend booting it.
 * The guests reach exactly two host ports, at GUEST_GITHUB_ADDRESS: the fake
 * (where JIT configs point) and the proxy. close() stops every VM and server
 * and removes the work directory, whatever happened before.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { advertisedOriginForGuest, GUEST_GITHUB_ADDRESS } from "../boot/boot-with-userdata";
import type { RunnerImage } from "../boot/runner-image";
import { FakeGithub } from "../fake-github";
import { type ForwardProxy, startForwardProxy } from "./forward-proxy";
import { type GithubFront, IssuedCredentials, startGithubFront } from "./issued-credentials";
import { QemuServerBackend } from "./qemu-server-backend";

export interface E2eWorldOptions {
    image: RunnerImage;
    cpus: number;
    memoryMiB: number;
    nicMtu: number;
    vmTimeLimitMs: number;
}

export class E2eWorld {
    private constructor(
        readonly fake: FakeGithub,
        readonly front: GithubFront,
        readonly proxy: ForwardProxy,
        readonly issued: IssuedCredentials,
        readonly backend: QemuServerBackend,
        /** The Glance image id under which the backend knows the runner image. */
        readonly imageId: string,
        private readonly workRoot: string,
    ) {}

    static async start(options: E2eWorldOptions): Promise<E2eWorld> {
        const workRoot = await mkdtemp("/var/tmp/e2e-");
        const started: Array<() => Promise<void>> = [() => rm(workRoot, { recursive: true, force: true })];
        try {
            const fake = await FakeGithub.start({ advertisedOrigin: advertisedOriginForGuest() });
            started.unshift(() => fake.stop());
            const issued = new IssuedCredentials();
            const front = await startGithubFront(fake.apiUrl, issued);
            started.unshift(() => front.close());
            const proxy = await startForwardProxy([front.url]);
            return E2eWorld.around(options, workRoot, fake, issued, front, proxy);
        } catch (error) {
            for (const stop of started) await stop();
            throw error;
        }
    }

    private static around(options: E2eWorldOptions, workRoot: string, fake: FakeGithub, issued: IssuedCredentials, front: GithubFront, proxy: ForwardProxy): E2eWorld {
        const imageId = randomUUID();
        const backend = new QemuServerBackend({
            images: { [imageId]: options.image.path },
            workRoot,
            forwards: [
                { guestAddress: GUEST_GITHUB_ADDRESS, guestPort: fake.port, hostPort: fake.port },
                { guestAddress: GUEST_GITHUB_ADDRESS, guestPort: proxy.port, hostPort: proxy.port },
            ],
            cpus: options.cpus,
            memoryMiB: options.memoryMiB,
            nicMtu: options.nicMtu,
            vmTimeLimitMs: options.vmTimeLimitMs,
        });
        return new E2eWorld(fake, front, proxy, issued, backend, imageId, workRoot);
    }

    /** The proxy as the guests reach it. */
    get guestProxyUrl(): string {
        return `http://${GUEST_GITHUB_ADDRESS}:${this.proxy.port}`;
    }

    /** Stops everything, each part even when another failed to stop. */
    async close(): Promise<void> {
        const parts = [() => this.backend.close(), () => this.proxy.close(), () => this.front.close(), () => this.fake.stop(), () => rm(this.workRoot, { recursive: true, force: true })];
        const failures: unknown[] = [];
        for (const stop of parts) await stop().catch((error: unknown) => failures.push(error));
        if (failures.length > 0) throw failures[0];
    }
}
