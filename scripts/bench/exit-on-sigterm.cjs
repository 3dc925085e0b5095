// Preloaded (NODE_OPTIONS=--require) with --cpu-prof when the benchmark profiles: the harness
// stops the dynamic-provider host with SIGTERM, whose default action ends the process before
// Node writes its --cpu-prof profile; exiting from a handler lets Node write it first
// (nodejs.org/api/cli.html --cpu-prof: "the profile is written when Node.js exits").
"use strict";

process.once("SIGTERM", () => process.exit(143));
