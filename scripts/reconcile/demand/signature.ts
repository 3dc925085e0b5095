/**
 * X-Hub-Signature-256 checks with @octokit/webhooks (the library GitHub's own
 * docs use for TypeScript: docs.github.com webhooks/using-webhooks/validating-
 * webhook-deliveries). Several secrets may be accepted at once, so a webhook
 * secret can be rotated without losing deliveries: the new one first, the old
 * one until GitHub uses the new one.
 */
import type { Webhooks } from "@octokit/webhooks";

export class SignatureVerifier {
    private constructor(private readonly verifiers: Webhooks[]) {}

    static async create(secrets: readonly string[]): Promise<SignatureVerifier> {
        if (secrets.length === 0) throw new Error("a webhook receiver needs its webhook secret; none was given");
        secrets.forEach((secret, i) => {
            if (typeof secret !== "string" || secret.length === 0) throw new Error(`webhook secret #${i + 1} is empty; expected the secret set on the GitHub webhook`);
        });
        // @octokit/webhooks is an ES module whose dependencies resolve only through `import`, not `require`.
        const { Webhooks: WebhooksClass } = await import("@octokit/webhooks");
        return new SignatureVerifier(secrets.map((secret) => new WebhooksClass({ secret })));
    }

    /** True when `signature` is the sha256 HMAC of `body` under one of the secrets. */
    async verify(body: string, signature: string | undefined): Promise<boolean> {
        if (signature === undefined || signature === "" || body === "") return false;
        for (const webhooks of this.verifiers) {
            try {
                if (await webhooks.verify(body, signature)) return true;
            } catch {
                // The library throws on inputs it cannot compare; that is a failed check.
            }
        }
        return false;
    }
}
