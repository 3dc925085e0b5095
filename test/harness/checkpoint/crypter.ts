/**
 * The checkpoint's secret encryption (pulumi/pulumi v3.259 sdk/go/common/resource/config/crypt.go
 * symmetricCrypter): AES-256-GCM with a 32-byte key and a random 12-byte nonce, stored as
 * "v1:<base64 nonce>:<base64 ciphertext with its 16-byte tag appended>" (Go's AEAD Seal output).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const SYMMETRIC_KEY_BYTES = 32;

export class SymmetricCrypter {
    constructor(private readonly key: Buffer) {
        if (key.length !== SYMMETRIC_KEY_BYTES) throw new Error(`AES-256-GCM needs a ${SYMMETRIC_KEY_BYTES} byte key, got ${key.length}`);
    }

    static random(): SymmetricCrypter {
        return new SymmetricCrypter(randomBytes(SYMMETRIC_KEY_BYTES));
    }

    get keyBase64(): string {
        return this.key.toString("base64");
    }

    encrypt(plaintext: string): string {
        const nonce = randomBytes(12);
        const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
        const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
        return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
    }

    decrypt(value: string): string {
        const parts = value.split(":");
        if (parts.length !== 3 || parts[0] !== "v1") throw new Error("bad value: expected \"v1:<nonce>:<ciphertext>\"");
        const nonce = Buffer.from(parts[1]!, "base64");
        const sealed = Buffer.from(parts[2]!, "base64");
        if (nonce.length !== 12) throw new Error("bad value: nonce size is incorrect");
        const decipher = createDecipheriv("aes-256-gcm", this.key, nonce);
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
    }
}
