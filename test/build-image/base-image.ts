/**
 * A small Debian cloud image shaped like Ubuntu's (see make-base-image.sh),
 * made once per recipe and kept in a cache directory: the recipe's hash names
 * the file, so a changed recipe makes a new image and an unchanged one is reused.
 * Needs root, debootstrap, sgdisk, qemu-img and Debian's mirror.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { runChecked } from "./run-command";

export const MAKE_BASE_IMAGE_SCRIPT = path.join(__dirname, "make-base-image.sh");

export interface BaseImageRecipe {
    suite: string;
    mirror: string;
    size: string;
}

export const DEFAULT_BASE_IMAGE_RECIPE: BaseImageRecipe = {
    suite: "bookworm",
    mirror: "http://deb.debian.org/debian",
    size: "2G",
};

export interface BaseImage {
    /** qcow2 file, like Ubuntu's `<base>-server-cloudimg-<arch>.img`. */
    path: string;
    sha256: string;
}

/** The repository's gitignored cache directory. */
export function defaultCacheDir(): string {
    return path.resolve(__dirname, "..", "..", ".cache");
}

export async function sha256OfFile(file: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file)) {
        hash.update(chunk as Buffer);
    }
    return hash.digest("hex");
}

async function recipeHash(recipe: BaseImageRecipe): Promise<string> {
    const script = await readFile(MAKE_BASE_IMAGE_SCRIPT);
    return createHash("sha256").update(script).update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
}

async function readIfExists(file: string): Promise<string | undefined> {
    try {
        return (await readFile(file, "utf8")).trim();
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
    }
}

async function exists(file: string): Promise<boolean> {
    try {
        await access(file);
        return true;
    } catch {
        return false;
    }
}

/** Images of older recipes are never used again: each is half a gigabyte. */
async function removeOtherRecipes(dir: string, keep: string): Promise<void> {
    for (const file of await readdir(dir)) {
        if (/^debian-.*-cloudimg-amd64-[0-9a-f]{16}\.img(\.sha256)?$/.test(file) && !file.startsWith(keep)) {
            await rm(path.join(dir, file), { force: true });
        }
    }
}

/**
 * Returns the cached base image for the recipe, making it first when missing
 * (about 3 minutes with Debian's mirror; the .deb files are cached too).
 */
export async function ensureBaseImage(
    cacheDir: string = defaultCacheDir(),
    recipe: BaseImageRecipe = DEFAULT_BASE_IMAGE_RECIPE,
): Promise<BaseImage> {
    const dir = path.join(cacheDir, "base-images");
    const image = path.join(dir, `debian-${recipe.suite}-cloudimg-amd64-${await recipeHash(recipe)}.img`);
    const checksumFile = `${image}.sha256`;
    const known = await readIfExists(checksumFile);
    if (known !== undefined && (await exists(image))) {
        return { path: image, sha256: known };
    }
    await mkdir(dir, { recursive: true });
    const partial = `${image}.${process.pid}.qcow2`;
    try {
        await runChecked("bash", [
            MAKE_BASE_IMAGE_SCRIPT,
            "--output", partial,
            "--package-cache", path.join(cacheDir, "debian-packages"),
            "--suite", recipe.suite,
            "--mirror", recipe.mirror,
            "--size", recipe.size,
        ]);
        const sha256 = await sha256OfFile(partial);
        await rename(partial, image);
        await writeFile(checksumFile, `${sha256}\n`);
        await removeOtherRecipes(dir, path.basename(image));
        return { path: image, sha256 };
    } finally {
        await rm(partial, { force: true });
    }
}
