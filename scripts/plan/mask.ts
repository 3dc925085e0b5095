/**
 * The offline plan prints rendered userdata; every value that is secret must
 * be masked there. The plan therefore renders from a copy of the config whose
 * secret values are replaced by markers: keys set with --secret, and the
 * password in any proxy URL (a proxy's user:password is a credential even when
 * the key itself was not set as a secret).
 */
import type { FleetConfig } from "../../components/config";

export const MASK = "***";

/** The URL with its password (and, when `all`, the whole URL) masked. */
export function maskUrl(url: string | undefined, key: string, all: boolean): string | undefined {
    if (url === undefined) return undefined;
    if (all) return `<secret: ${key}>`;
    try {
        const parsed = new URL(url);
        if (parsed.password === "") return url;
        parsed.password = MASK;
        return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
    } catch {
        return `<secret: ${key}>`;
    }
}

export function maskSecretsForDisplay(config: FleetConfig): FleetConfig {
    const secret = (key: string) => config.secretKeys.has(key);
    const masked: FleetConfig = { ...config };
    if (config.proxy !== undefined) {
        masked.proxy = {
            ...config.proxy,
            http: maskUrl(config.proxy.http, "proxy.http", secret("proxy")),
            https: maskUrl(config.proxy.https, "proxy.https", secret("proxy")),
            ...(config.proxy.noProxy !== undefined && secret("proxy") ? { noProxy: "<secret: proxy.noProxy>" } : {}),
        };
    }
    if (config.dockerhubMirror !== undefined && secret("dockerhubMirror")) masked.dockerhubMirror = "<secret: dockerhubMirror>";
    if (config.preJobScript !== undefined && secret("preJobScript")) masked.preJobScript = "<secret: preJobScript>";
    if (secret("sshDebug")) {
        masked.sshDebug = config.sshDebug.map((server) => ({ ...server, host: "<secret: sshDebug.host>", rsaFingerprint: MASK, ed25519Fingerprint: MASK }));
    }
    return masked;
}
