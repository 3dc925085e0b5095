/**
 * Keeps secrets out of everything the reconciler prints. The Automation API's
 * errors carry the CLI's whole stdout and stderr, which can show config values
 * (a program that logs one, a provider error that quotes a request), so every
 * string bound for a log line passes through here.
 *
 * Two layers: the exact values known to be secret (the stack's secret config,
 * the webhook secret, the passphrase and other secret-named environment
 * variables), and shapes of credentials whatever their source.
 */

export const REDACTED = "[secret]";

/**
 * Credential shapes: GitHub tokens (prefixes documented in "About authentication
 * to GitHub", docs.github.com: ghp_, gho_, ghu_, ghs_, ghr_, and github_pat_ for
 * fine-grained tokens), PEM private keys, JWTs (an App's signed assertion), and
 * a JIT runner config as the generate-jitconfig answer names it.
 */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
    /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
    /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
    /("?encoded_jit_config"?\s*[:=]\s*"?)[A-Za-z0-9+/=]{16,}/g,
];

/** Environment variables whose values are secret by their name. */
const SECRET_ENV_NAME = /(PASSPHRASE|PASSWORD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL|ACCESS_KEY)/i;

/** Secret values shorter than this are not searched for: "1" or "no" would blank out unrelated text. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
    private readonly secrets = new Set<string>();

    /** Adds values to hide; each is also hidden in its JSON-escaped form (how it appears inside JSON text). */
    addSecrets(values: Iterable<string>): void {
        for (const value of values) {
            for (const form of [value, JSON.stringify(value).slice(1, -1), value.trim()]) {
                if (form.length >= MIN_SECRET_LENGTH) this.secrets.add(form);
            }
            // A multi-line secret (a PEM key) is also hidden line by line, as logs may cut it.
            for (const line of value.split(/\r?\n/)) if (line.trim().length >= 16) this.secrets.add(line.trim());
        }
    }

    /** Adds the values of secret-named variables of an environment (PULUMI_CONFIG_PASSPHRASE, ...). */
    addSecretEnvironment(env: NodeJS.ProcessEnv): void {
        this.addSecrets(Object.entries(env).filter(([name, value]) => SECRET_ENV_NAME.test(name) && value !== undefined).map(([, value]) => value as string));
    }

    get knownSecretCount(): number {
        return this.secrets.size;
    }

    redact(text: string): string {
        let result = text;
        // Longest first, so a secret that contains another is hidden whole.
        for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
            if (result.includes(secret)) result = result.split(secret).join(REDACTED);
        }
        for (const pattern of CREDENTIAL_PATTERNS) {
            result = result.replace(pattern, (match: string, prefix?: string) => (typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED));
        }
        return result;
    }
}
