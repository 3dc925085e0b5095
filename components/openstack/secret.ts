/**
 * A credential value (password, application credential secret, token) that
 * prints as "[secret]" however it is printed: string conversion, JSON,
 * util.inspect and console.log all see the mask. Only `reveal()` gives the
 * value, and only the code that puts it on the wire calls it.
 */
import { inspect } from "node:util";

const MASK = "[secret]";

export class Secret {
    readonly #value: string;

    constructor(value: string) {
        this.#value = value;
    }

    reveal(): string {
        return this.#value;
    }

    toString(): string {
        return MASK;
    }

    toJSON(): string {
        return MASK;
    }

    [inspect.custom](): string {
        return MASK;
    }
}
