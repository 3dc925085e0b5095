// Preloaded (NODE_OPTIONS=--require) by the benchmarks into the processes of the `up`s whose GitHub
// write spacing is not what they measure: bench-reconcile's set-up `up`s (never a measured one) and
// the demand benchmark's `pulumi` double (whose simulated clock stands still while an `up` runs, so
// the spacing would only make a burst take longer to run, never change a result). In the
// dynamic-provider host only, it sets the shared GitHub client's write spacing to 0 ms
// (components/github/shared-client.ts setSharedClientTuning, the hook the project's own tests use),
// so N registrations against the local fake GitHub do not wait the throttling plugin's default
// second between writes. Every other process (the CLI double, the program) is left alone.
"use strict";

const path = require("node:path");

if ((process.argv[1] ?? "").includes(`${path.sep}cmd${path.sep}dynamic-provider`)) {
    // The TypeScript loader components/providers/entry.js registers too (tsx is a runtime
    // dependency), so the module instance is the one the providers then require.
    require("tsx/cjs/api").register();
    // The host runs in the program's directory (the providers' loader resolves entry.js from it), which
    // is another copy of the project under bench-reconcile --program-dir: tune that copy's client.
    require(path.join(process.cwd(), "components", "github", "shared-client")).setSharedClientTuning({ writeSpacingMs: 0 });
}
