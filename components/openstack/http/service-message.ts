/**
 * The human message inside an OpenStack error answer. The shapes:
 * - Nova faults: `{"itemNotFound": {"code": 404, "message": "..."}}`
 *   (nova/api/openstack/wsgi.py `Fault`, nova 33.0.2);
 * - Keystone and keystonemiddleware: `{"error": {"code", "title", "message"}}`
 *   (keystone/server/flask/application.py, keystone 29.0.2;
 *   keystonemiddleware/auth_token/__init__.py, keystonemiddleware 13.0.0);
 * - Glance (webob's JSON error page): `{"code": "404 Not Found", "title", "message"}`
 *   where the message carries webob's `<br /><br />` template
 *   (webob 1.8.9 src/webob/exc.py `json_formatter`, `body_template_obj`);
 * - anything else (a proxy's HTML or text page): its first line of text.
 */
const MAX_MESSAGE_LENGTH = 300;

export function serviceMessageOf(body: string): string | undefined {
    const text = body.trim();
    if (text === "") return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return clean(text.replace(/<[^>]*>/g, " "));
    }
    if (typeof parsed !== "object" || parsed === null) return clean(String(parsed));
    const record = parsed as Record<string, unknown>;
    if (typeof record.message === "string") return clean(record.message);
    for (const value of Object.values(record)) {
        if (typeof value === "object" && value !== null && typeof (value as Record<string, unknown>).message === "string") {
            return clean((value as Record<string, string>).message);
        }
    }
    return clean(text);
}

function clean(message: string): string | undefined {
    const line = message
        .replace(/<br\s*\/?>/gi, " ")
        .split(/\r?\n/)
        .map((part) => part.trim())
        .filter((part) => part !== "")
        .join(" ")
        .replace(/\s+/g, " ")
        .trim();
    if (line === "") return undefined;
    return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH)}…` : line;
}
