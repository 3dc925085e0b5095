/**
 * A throwaway self-signed certificate for 127.0.0.1, so a local stand-in for GitHub can serve
 * https:// (the stack config accepts only https API URLs, as GitHub Enterprise Server uses).
 * The program trusts it through NODE_EXTRA_CA_CERTS, the way a private CA is trusted in real use.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface LocalCertificate {
    key: string;
    cert: string;
    /** A file holding the certificate, for NODE_EXTRA_CA_CERTS. */
    certFile: string;
    remove(): void;
}

export function makeLocalCertificate(): LocalCertificate {
    const dir = mkdtempSync(path.join(tmpdir(), "harness-tls-"));
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", keyFile, "-out", certFile, "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    ], { stdio: "ignore" });
    return {
        key: readFileSync(keyFile, "utf8"),
        cert: readFileSync(certFile, "utf8"),
        certFile,
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
}
