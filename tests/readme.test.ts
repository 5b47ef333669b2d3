import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROFILE_DEFAULTS } from "../components/settings/profiles";
import { agentBudget, budget, withReference } from "../scripts/config-reference";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
    it("its configuration reference and budget tables match the code (npm run docs:config -- --write)", () => {
        assert.strictEqual(withReference(README), README);
    });

    it("documents every top-level configuration key", () => {
        for (const key of ["profile", "domain", "ingressClassName", "storageClassName", "protectData", "metrics", "alerting", "alertingSecrets", "logging", "tracing", "graylog", "graylogRootPassword", "tls", "access", "oidcClientSecret"]) {
            assert.ok(README.includes(`\`${key}`), key);
        }
    });

    it("names the test command that .ci/run runs", () => {
        const ci = fs.readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");
        assert.match(ci, /^npm test$/m);
        assert.match(README, /npm ci\nnpm test/);
    });

    it("node agents fit the 150m / 256Mi per-node budget in every profile", () => {
        for (const profile of ["dev", "staging", "prod"] as const) {
            const agents = agentBudget(profile);
            assert.ok(agents.reduce((s, b) => s + b.cpu, 0) <= 0.15 + 1e-9, profile);
            assert.ok(agents.reduce((s, b) => s + b.memory, 0) <= 256 * 2 ** 20, profile);
        }
    });

    it("the whole dev platform on one node requests at most 3 CPU and 6 GiB", () => {
        const all = [...budget("dev"), ...agentBudget("dev")];
        const cpu = all.reduce((s, b) => s + b.cpu, 0);
        const memory = all.reduce((s, b) => s + b.memory, 0);
        assert.ok(cpu <= 3, `dev requests ${cpu} CPU`);
        assert.ok(memory <= 6 * 2 ** 30, `dev requests ${memory / 2 ** 30} GiB`);
        assert.strictEqual(PROFILE_DEFAULTS.dev.graylog.enabled, false, "Graylog would not fit");
    });

    it("every policy rule has a row in the policy reference", () => {
        for (const rule of fs.readdirSync(path.join(__dirname, "..", "policies")).filter((f) => /^[a-z-]+\.ts$/.test(f) && !["index.ts", "rules.ts", "crossguard.ts"].includes(f))) {
            assert.ok(README.includes(`| \`${rule.replace(/\.ts$/, "")}\``), rule);
        }
    });
});
