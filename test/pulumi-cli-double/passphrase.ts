/**
 * The diy backend's default secrets manager, the passphrase one (pulumi/pulumi
 * v3.259 pkg/secrets/passphrase/manager.go, sdk/go/common/resource/config/crypt.go):
 * the stack file's `encryptionsalt` is "v1:<base64 8-byte salt>:<"pulumi"
 * encrypted>", the key is PBKDF2-SHA256 of the passphrase with that salt,
 * 1,000,000 iterations, 32 bytes; values are AES-256-GCM "v1:<nonce>:<sealed>".
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SymmetricCrypter } from "../harness/checkpoint/crypter";
import { CliError } from "./errors";

const PBKDF2_ITERATIONS = 1_000_000;
/** The known plaintext the state carries, to tell a wrong passphrase (manager.go). */
const CHECK_MESSAGE = "pulumi";

export class PassphraseError extends CliError {}

/** manager.go readPassphrase (non-interactive): the variable, or the file's content trimmed. */
export function passphraseFromEnvironment(env: NodeJS.ProcessEnv): string {
    const phrase = env["PULUMI_CONFIG_PASSPHRASE"];
    if (phrase !== undefined) return phrase;
    const file = env["PULUMI_CONFIG_PASSPHRASE_FILE"];
    if (file !== undefined && file !== "") {
        try {
            return readFileSync(path.resolve(file), "utf8").trim();
        } catch (error) {
            throw new PassphraseError(`unable to read PULUMI_CONFIG_PASSPHRASE_FILE: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
    throw new PassphraseError("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables");
}

function crypterFor(passphrase: string, salt: Buffer): SymmetricCrypter {
    return new SymmetricCrypter(pbkdf2Sync(passphrase, salt, PBKDF2_ITERATIONS, 32, "sha256"));
}

/** manager.go symmetricCrypterFromPhraseAndState. */
export function crypterFromState(passphrase: string, state: string): SymmetricCrypter {
    const parts = state.split(":");
    if (parts.length < 3) throw new PassphraseError("malformed state value");
    if (parts[0] !== "v1") throw new PassphraseError("unknown state version");
    const crypter = crypterFor(passphrase, Buffer.from(parts[1] as string, "base64"));
    let check: string | undefined;
    try {
        check = crypter.decrypt(parts.slice(2).join(":"));
    } catch {
        check = undefined;
    }
    if (check !== CHECK_MESSAGE) throw new PassphraseError("incorrect passphrase");
    return crypter;
}

/** manager.go NewPassphraseSecretsManager: a new salt and the state to store as `encryptionsalt`. */
export function newPassphraseState(passphrase: string): { state: string; crypter: SymmetricCrypter } {
    const salt = randomBytes(8);
    const crypter = crypterFor(passphrase, salt);
    return { state: `v1:${salt.toString("base64")}:${crypter.encrypt(CHECK_MESSAGE)}`, crypter };
}
