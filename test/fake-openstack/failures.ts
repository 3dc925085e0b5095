/**
 * Failure injection: the next N requests matching a pattern get an error
 * answer shaped as that service shapes it (answers.ts), a late answer, or
 * no answer at all (the connection is dropped).
 */
import type { ServiceName } from "./answers";

export interface RequestPattern {
    service?: ServiceName;
    /** HTTP method; any when omitted. */
    method?: string;
    /** The service-relative path (`/servers/detail`, `/v3/auth/tokens`, `/images/ID`): a RegExp, or a string for equality. */
    path?: RegExp | string;
}

export interface InjectedFailure {
    /** The status to answer; omit it to answer normally (after `delayMs`). */
    status?: 400 | 401 | 403 | 404 | 409 | 429 | 500 | 502 | 503 | 504;
    /** Replaces the service's usual message for the status. */
    message?: string;
    /** Retry-After seconds (Nova's 429 overLimit, or the proxy's 503). */
    retryAfterSeconds?: number;
    /** Wait this long before answering (a slow service). */
    delayMs?: number;
    /** Close the connection without answering (after `delayMs`). */
    drop?: boolean;
}

interface Rule {
    pattern: RequestPattern;
    failure: InjectedFailure;
    remaining: number;
}

export class FailureInjector {
    private readonly rules: Rule[] = [];

    add(pattern: RequestPattern, failure: InjectedFailure, times: number): void {
        if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
        if (failure.status === undefined && failure.delayMs === undefined && !failure.drop) {
            throw new Error("an injected failure needs a status, a delay or drop");
        }
        this.rules.push({ pattern, failure, remaining: times });
    }

    take(service: ServiceName, method: string, path: string): InjectedFailure | undefined {
        const rule = this.rules.find((r) => r.remaining > 0 && matches(r.pattern, service, method, path));
        if (!rule) return undefined;
        rule.remaining--;
        return rule.failure;
    }

    pending(): number {
        return this.rules.reduce((sum, r) => sum + r.remaining, 0);
    }

    clear(): void {
        this.rules.length = 0;
    }
}

function matches(pattern: RequestPattern, service: ServiceName, method: string, path: string): boolean {
    if (pattern.service !== undefined && pattern.service !== service) return false;
    if (pattern.method !== undefined && pattern.method.toUpperCase() !== method.toUpperCase()) return false;
    if (pattern.path === undefined) return true;
    return typeof pattern.path === "string" ? pattern.path === path : pattern.path.test(path);
}
