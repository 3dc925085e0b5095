/**
 * Logs as one JSON object per line: `time` (ISO 8601), `level`, `msg`, then the
 * fields. Every string (message and fields) passes the redactor first, so a
 * secret cannot reach the journal through a log call.
 */
import type { Redactor } from "./redact";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys a field may not take: they would overwrite the line's own. */
const RESERVED = new Set(["time", "level", "msg"]);

export interface Logger {
    log(level: LogLevel, msg: string, fields?: LogFields): void;
    debug(msg: string, fields?: LogFields): void;
    info(msg: string, fields?: LogFields): void;
    warn(msg: string, fields?: LogFields): void;
    error(msg: string, fields?: LogFields): void;
}

export function createJsonLogger(options: {
    redactor: Redactor;
    write: (line: string) => void;
    minLevel?: LogLevel;
    now?: () => number;
}): Logger {
    const minLevel = LEVEL_ORDER[options.minLevel ?? "info"];
    const now = options.now ?? Date.now;
    const clean = (value: string) => options.redactor.redact(value);
    const log = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
        if (LEVEL_ORDER[level] < minLevel) return;
        const line: Record<string, unknown> = { time: new Date(now()).toISOString(), level, msg: clean(msg) };
        for (const [key, value] of Object.entries(fields)) {
            if (value === undefined) continue;
            const name = RESERVED.has(key) ? `field_${key}` : key;
            if (typeof value === "string") line[name] = clean(value);
            else if (Array.isArray(value)) line[name] = value.map((item: string) => clean(item));
            else line[name] = value;
        }
        options.write(`${JSON.stringify(line)}\n`);
    };
    return {
        log,
        debug: (msg, fields) => log("debug", msg, fields),
        info: (msg, fields) => log("info", msg, fields),
        warn: (msg, fields) => log("warn", msg, fields),
        error: (msg, fields) => log("error", msg, fields),
    };
}
