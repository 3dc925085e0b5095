/**
 * Cron schedules and time zones of pool sizing: standard five-field cron
 * expressions (minute hour day-of-month month day-of-week) read by cron-parser,
 * and IANA time zone names checked with Intl.
 */
import { type CronExpression, CronExpressionParser } from "cron-parser";

export const CRON_EXAMPLE = "* 8-17 * * 1-5";

const FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const;
// Numbers, '*', ranges, lists and steps in every field; three-letter names only for months and weekdays.
// cron-parser also reads seconds, '@daily', 'L', '#', 'H' and '?': none of them is standard cron.
const NUMERIC_FIELD = /^[0-9*,/-]+$/;
const NAMED_FIELD = /^(?:[0-9*,/-]|[A-Za-z]{3})+$/;

/** What is wrong with a cron expression, or undefined when it is a valid standard five-field one. */
export function cronProblem(expression: string): string | undefined {
    const fields = expression.trim().split(/\s+/);
    if (expression.trim() === "" || fields.length !== FIELDS.length) {
        return `it has ${expression.trim() === "" ? 0 : fields.length} fields`;
    }
    for (const [index, field] of fields.entries()) {
        const allowed = FIELDS[index] === "month" || FIELDS[index] === "day of week" ? NAMED_FIELD : NUMERIC_FIELD;
        if (!allowed.test(field)) {
            return `its ${FIELDS[index]} field "${field}" is not standard cron (numbers, '*', '-', ',', '/'${allowed === NAMED_FIELD ? " and three-letter names" : ""})`;
        }
    }
    try {
        CronExpressionParser.parse(expression);
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
    return undefined;
}

/** A parsed expression evaluated in `timeZone`; call only with values the config schema accepted. */
export function parseCron(expression: string, timeZone: string): CronExpression {
    return CronExpressionParser.parse(expression, { tz: timeZone });
}

/** True for an IANA time zone name Intl knows ("Europe/Berlin", "UTC"); false for offsets such as "+01:00". */
export function isIanaTimeZone(name: string): boolean {
    try {
        const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
        return !/^[+-]/.test(resolved);
    } catch {
        return false;
    }
}
