/** Nova's limit on `user_data`, in characters after base64 encoding. */
export const NOVA_USER_DATA_LIMIT = 65535;

export class UserdataTooLargeError extends Error {
    constructor(
        readonly runnerName: string,
        readonly bytes: number,
        readonly base64Length: number,
    ) {
        super(
            `userdata for runner "${runnerName}" is ${bytes} bytes, ${base64Length} characters in base64; ` +
                `Nova accepts at most ${NOVA_USER_DATA_LIMIT} base64 characters (about 48 KiB raw). ` +
                `Shorten the pre-job script, the largest part a stack controls.`,
        );
        this.name = "UserdataTooLargeError";
    }
}

export function checkUserdataSize(runnerName: string, userdata: string): void {
    const bytes = Buffer.byteLength(userdata, "utf8");
    const base64Length = 4 * Math.ceil(bytes / 3);
    if (base64Length > NOVA_USER_DATA_LIMIT) {
        throw new UserdataTooLargeError(runnerName, bytes, base64Length);
    }
}
