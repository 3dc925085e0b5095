/**
 * Errors the double ends with, and the exit code each maps to
 * (pulumi/pulumi v3.259 pkg/cmd/pulumi/cmd/exit_codes.go ExitCodeFor): 1 for a
 * generic error, 2 for malformed input or a missing confirmation flag, 6 for a
 * stack that does not exist, 8 for a cancelled update. The message goes to
 * stderr as "error: <message>" (pkg/cmd/pulumi/main.go DisplayErrorMessage).
 */

export class CliError extends Error {
    constructor(
        message: string,
        readonly exitCode = 1,
    ) {
        super(message);
        this.name = "CliError";
    }
}

/** backenderr.StackNotFoundError. */
export class StackNotFoundError extends CliError {
    constructor(stack: string) {
        super(`no stack named '${stack}' found`, 6);
    }
}

/** backenderr.NoConfirmationInNonInteractiveError. */
export class NoConfirmationError extends CliError {
    constructor() {
        super("--yes or --skip-preview or --preview-only must be passed in to proceed when running in non-interactive mode", 2);
    }
}

/** A flag the double recognises but does not simulate: refused rather than ignored. */
export class UnsupportedFlagError extends CliError {
    constructor(flag: string) {
        super(`the pulumi test double does not support --${flag}`, 2);
    }
}

/**
 * An operation that failed after reporting its errors as diagnostics: exit 1
 * and nothing more on stderr (result.BailError).
 */
export class BailError extends CliError {
    constructor() {
        super("", 1);
    }
}
