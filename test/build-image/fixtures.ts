/**
 * Inputs for a build-image.sh run in tests, all served by a local HTTP
 * server with their checksums: the Debian base image (with a SHA256SUMS next
 * to it, like Ubuntu's image server), the stand-in runner tarball and a
 * stand-in yq binary.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildStandinRunnerTarball } from "../standin-runner/tarball";
import { ensureBaseImage, sha256OfFile } from "./base-image";
import type { FileServer } from "./file-server";

export const STANDIN_YQ_SCRIPT = '#!/bin/sh\necho "yq (https://github.com/mikefarah/yq/) version v4.44.3 (test stand-in)"\n';
export const TEST_RUNNER_VERSION = "2.999.0";

export interface ServedBuildInputs {
    baseImagePath: string;
    baseImageUrl: string;
    baseImageSha256: string;
    runnerUrl: string;
    runnerSha256: string;
    yqUrl: string;
    yqSha256: string;
}

export async function serveBuildInputs(server: FileServer, cacheDir: string, scratchDir: string): Promise<ServedBuildInputs> {
    const base = await ensureBaseImage(cacheDir);
    const baseImageUrl = server.serve("/images/bookworm/current/debian-server-cloudimg-amd64.img", base.path);
    const sums = path.join(scratchDir, "SHA256SUMS");
    await writeFile(sums, `0000000000000000000000000000000000000000000000000000000000000000 *other.img\n${base.sha256} *debian-server-cloudimg-amd64.img\n`);
    server.serve("/images/bookworm/current/SHA256SUMS", sums);

    const runner = await buildStandinRunnerTarball(path.join(scratchDir, "runner"));
    const runnerUrl = server.serve(`/actions/runner/releases/download/v${TEST_RUNNER_VERSION}/actions-runner-linux-x64-${TEST_RUNNER_VERSION}.tar.gz`, runner.path);

    await mkdir(path.join(scratchDir, "yq"), { recursive: true });
    const yq = path.join(scratchDir, "yq", "yq_linux_amd64");
    await writeFile(yq, STANDIN_YQ_SCRIPT);
    await chmod(yq, 0o755);
    const yqUrl = server.serve("/mikefarah/yq/releases/download/v4.44.3/yq_linux_amd64", yq);

    return {
        baseImagePath: base.path,
        baseImageUrl,
        baseImageSha256: base.sha256,
        runnerUrl,
        runnerSha256: runner.sha256,
        yqUrl,
        yqSha256: await sha256OfFile(yq),
    };
}
