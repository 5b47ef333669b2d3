#!/usr/bin/env node
/**
 * The policy checker's command (package.json `bin`, `npm run policy:check`), run as JavaScript
 * compiled into dist/ by `npm run build:checker` (npm ci's `prepare` and npm test run it), so no
 * TypeScript compiler starts at check time. It refuses to run rules older than their sources.
 */
import * as fs from "fs";
import * as nodeModule from "module";
import * as path from "path";

// Node's on-disk cache of compiled modules: a second check skips compiling the checker's code.
nodeModule.enableCompileCache?.();

/** The compiled folder this file runs from, and the checkout it was compiled from (dist/..). */
const outDir = path.resolve(__dirname, "..");
const root = path.dirname(outDir);

function run(): number {
    if (fs.existsSync(path.join(outDir, ".compiled.json"))) {
        const { staleSources } = require("./compiled") as typeof import("./compiled");
        const stale = staleSources(outDir, root);
        if (stale.length > 0) {
            process.stderr.write(`error: ${path.relative(process.cwd(), outDir) || "."}/ was compiled from older sources than ${stale.join(", ")}; run npm run build:checker\n`);
            return 2;
        }
    }
    const { main } = require("./policy-check") as typeof import("./policy-check");
    return main(process.argv.slice(2));
}

process.exitCode = run();
