/**
 * Quoting for each place a value lands. Every function returns text that,
 * read back by its consumer, yields the original value byte for byte.
 */

/** A bash word: single quotes, with each `'` written as `'\''`. Safe for any value without NUL. */
export function shellQuote(value: string): string {
    return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * One double-quoted systemd assignment word (e.g. for `Environment=`). Inside
 * double quotes systemd processes C-style backslash escapes, and `%` starts a
 * specifier everywhere, so `\`, `"` and `%` are escaped.
 * https://www.freedesktop.org/software/systemd/man/latest/systemd.syntax.html
 * https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html#Specifiers
 */
export function systemdQuote(value: string): string {
    return `"${value.replace(/[\\"]/g, "\\$&").replaceAll("%", "%%")}"`;
}
