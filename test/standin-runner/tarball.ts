import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const execFileAsync = promisify(execFile);

/** The stand-in runner's files, laid out like the real actions runner tarball. */
export const STANDIN_RUNNER_LAYOUT = join(__dirname, "layout");

export const STANDIN_RUNNER_TARBALL_NAME = "actions-runner-linux-x64-standin.tar.gz";

export interface StandinRunnerTarball {
  path: string;
  sha256: string;
}

/**
 * Packs the stand-in runner into `dir` as a .tar.gz shaped like the real one
 * (`./run.sh`, `./config.sh`, `./bin/...` at the top). The archive is
 * byte-for-byte reproducible (sorted entries, fixed mtime and owner, gzip
 * without a timestamp), so its sha256 can key a build cache.
 */
export async function buildStandinRunnerTarball(dir: string): Promise<StandinRunnerTarball> {
  await mkdir(dir, { recursive: true });
  const { stdout } = await execFileAsync(
    "tar",
    [
      "--create",
      "--format=gnu",
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--exclude=__pycache__",
      "--directory",
      STANDIN_RUNNER_LAYOUT,
      ".",
    ],
    { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
  );
  const archive = gzipSync(stdout, { level: 9 });
  const path = join(dir, STANDIN_RUNNER_TARBALL_NAME);
  await writeFile(path, archive);
  const sha256 = createHash("sha256").update(archive).digest("hex");
  return { path, sha256 };
}
