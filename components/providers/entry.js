// The stable entry point of this project's dynamic providers.
//
// CONTRACT: every RunnerRegistration and RunnerDeregistration in a stack's state
// names THIS FILE, by its path relative to the project root
// ("components/providers/entry.js"), in its serialized `__provider`. Pulumi runs
// a resource's delete with the provider text stored in the state, so moving or
// renaming this file (or the export names below) breaks `pulumi up` and
// `pulumi destroy` of existing slots. Everything behind it may move freely:
// update the requires below. See components/providers/loader.ts.
"use strict";

// The provider host has no TypeScript loader of its own; the project's
// implementation is TypeScript. tsx is a runtime dependency (package.json).
const { register } = require("tsx/cjs/api");
register();

module.exports = {
    get registration() {
        return require("../github/registration/provider").registrationProvider;
    },
    get drainGuard() {
        return require("../github/deregistration/provider").drainGuardProvider;
    },
};
