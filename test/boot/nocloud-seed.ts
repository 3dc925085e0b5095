import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface NocloudSeed {
    /**
     * The whole userdata, byte for byte as cloud-init receives it from OpenStack's
     * metadata service (Nova serves the base64-decoded `user_data`; cloud-init
     * itself decompresses gzip content).
     */
    userData: string | Uint8Array;
    /** Becomes `instance-id`: a new one makes cloud-init treat the boot as a first boot. */
    instanceId: string;
    /** `local-hostname`: OpenStack passes the instance name here; it may be long. */
    localHostname: string;
    /** `network-config` (cloud-init network config, YAML); without it cloud-init runs DHCP on the first NIC. */
    networkConfig?: string;
}

/**
 * Writes a NoCloud seed: an ISO 9660 volume labelled `cidata` holding
 * `user-data`, `meta-data` and, when given, `network-config`, which
 * cloud-init's NoCloud datasource finds by label.
 * https://cloudinit.readthedocs.io/en/latest/reference/datasources/nocloud.html
 * Needs genisoimage (Debian package genisoimage).
 */
export async function writeNocloudSeed(seed: NocloudSeed, isoPath: string): Promise<string> {
    const staging = await mkdtemp(`${isoPath}.staging-`);
    try {
        await mkdir(staging, { recursive: true });
        await writeFile(join(staging, "user-data"), seed.userData, { mode: 0o600 });
        // meta-data is YAML; JSON is YAML, so JSON.stringify quotes the values safely.
        const metaData = `instance-id: ${JSON.stringify(seed.instanceId)}\nlocal-hostname: ${JSON.stringify(seed.localHostname)}\n`;
        await writeFile(join(staging, "meta-data"), metaData);
        const files = [join(staging, "user-data"), join(staging, "meta-data")];
        if (seed.networkConfig !== undefined) {
            await writeFile(join(staging, "network-config"), seed.networkConfig);
            files.push(join(staging, "network-config"));
        }
        await execFileAsync("genisoimage", ["-quiet", "-output", isoPath, "-volid", "cidata", "-joliet", "-rock", ...files]);
        return isoPath;
    } finally {
        await rm(staging, { recursive: true, force: true });
    }
}
