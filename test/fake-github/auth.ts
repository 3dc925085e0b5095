/**
 * Authentication as GitHub does it for the endpoints the fake serves: an API
 * token (`Authorization: token X` or `Bearer X`) for everything except the
 * App endpoint, which takes an RS256 JWT signed by the App's private key.
 */
import { createPublicKey, verify } from "node:crypto";
import type { FakeApp, FakeState } from "./state";

export type AuthResult = { ok: true; token: string } | { ok: false; message: string };

/** GitHub refuses App JWTs whose lifetime exceeds ten minutes (plus clock drift we allow). */
const MAX_JWT_LIFETIME_SECONDS = 10 * 60 + 60;

export function credentialsOf(authorization: string | undefined): string | undefined {
    const found = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(authorization ?? "");
    return found?.[1];
}

/** An API token the fake issued or was given, and not expired. */
export function authenticateToken(state: FakeState, authorization: string | undefined, nowMs: number): AuthResult {
    const token = credentialsOf(authorization);
    if (!token) return { ok: false, message: "Requires authentication" };
    const issued = state.tokens.get(token);
    const usable = issued && (issued.kind === "pat" || issued.kind === "installation");
    if (!usable || (issued.expiresAt !== undefined && issued.expiresAt <= nowMs)) return { ok: false, message: "Bad credentials" };
    return { ok: true, token };
}

/** Verifies an App JWT; returns the App it was signed for. */
export function authenticateAppJwt(
    state: FakeState,
    authorization: string | undefined,
    nowMs: number,
): { ok: true; app: FakeApp } | { ok: false; message: string } {
    const jwt = credentialsOf(authorization);
    if (!jwt) return { ok: false, message: "A JSON web token could not be decoded" };
    const parts = jwt.split(".");
    if (parts.length !== 3) return { ok: false, message: "A JSON web token could not be decoded" };
    const [headerText, payloadText, signatureText] = parts;
    let header: { alg?: unknown };
    let payload: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
        header = JSON.parse(Buffer.from(headerText, "base64url").toString("utf8")) as typeof header;
        payload = JSON.parse(Buffer.from(payloadText, "base64url").toString("utf8")) as typeof payload;
    } catch {
        return { ok: false, message: "A JSON web token could not be decoded" };
    }
    if (header.alg !== "RS256") return { ok: false, message: "A JSON web token could not be decoded" };
    const app = state.apps.find((a) => a.appId === String(payload.iss));
    if (!app) return { ok: false, message: "Integration not found" };
    const signed = Buffer.from(`${headerText}.${payloadText}`, "utf8");
    const signatureOk = verify("RSA-SHA256", signed, createPublicKey(app.publicKeyPem), Buffer.from(signatureText, "base64url"));
    if (!signatureOk) return { ok: false, message: "A JSON web token could not be decoded" };
    const now = Math.floor(nowMs / 1000);
    if (typeof payload.exp !== "number" || payload.exp <= now) {
        return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
    }
    if (typeof payload.iat !== "number" || payload.iat > now + 60) {
        return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
    }
    if (payload.exp - payload.iat > MAX_JWT_LIFETIME_SECONDS) {
        return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
    }
    return { ok: true, app };
}
