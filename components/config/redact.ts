/**
 * Hides the user info of URL-like text before a value is shown: a proxy such as
 * `http://user:password@proxy:3128` is valid config, but its password must not
 * reach an error message, a log or the console. Errs on the side of hiding:
 * text that is not a valid URL (the case an error message shows) is masked by
 * shape, not by a URL parser.
 */
export const MASKED_USER_INFO = "***";

const SCHEME_START = /(?<![A-Za-z0-9+.-])(?=[A-Za-z][A-Za-z0-9+.-]*:\/\/)/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** One piece of text that starts with `scheme://`: everything between `://` and its last '@' is user info. */
function maskSchemeSegment(segment: string): string {
    const scheme = SCHEME.exec(segment);
    if (scheme === null) {
        return segment;
    }
    const at = segment.lastIndexOf("@");
    return at < scheme[0].length ? segment : `${scheme[0]}${MASKED_USER_INFO}${segment.slice(at)}`;
}

export function maskUserInfo(text: string): string {
    if (text.includes("://")) {
        return text.split(SCHEME_START).map(maskSchemeSegment).join("");
    }
    // No scheme (e.g. `user:password@proxy:3128`): a ':' before the last '@' marks a password.
    const at = text.lastIndexOf("@");
    return at > 0 && text.slice(0, at).includes(":") ? `${MASKED_USER_INFO}${text.slice(at)}` : text;
}

/** The same value with maskUserInfo applied to every string inside it. */
export function maskUserInfoDeep(value: unknown): unknown {
    if (typeof value === "string") {
        return maskUserInfo(value);
    }
    if (Array.isArray(value)) {
        return value.map(maskUserInfoDeep);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskUserInfoDeep(item)]));
    }
    return value;
}
