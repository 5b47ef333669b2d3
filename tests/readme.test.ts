import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROFILE_DEFAULTS } from "../components/settings/profiles";
import { configRows, withReference } from "../scripts/config-reference";
import { pinnedCharts } from "../components/shared/charts";
import { Footprint } from "../scripts/footprint";
import { renderedStack } from "./scripts/full-render";
import { ROOT } from "../scripts/root";
import { EXEMPTIONS_FILE, STACKS } from "../scripts/scorecard";
import { KUBE_SCORE_FLAGS, kubeScoreBinary, knownChecks, OPTIONAL_CHECKS, renderStream, scoreAll } from "../scripts/scorecard/kube-score";
import { parseExemptions } from "../scripts/scorecard/exemptions";
import { judge, problemLines, scorecardSection, withScorecard } from "../scripts/scorecard/report";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** footprint.json of a stack's full render. */
async function footprintOf(stack: string): Promise<Footprint> {
    return JSON.parse((await renderedStack(stack)).files.find((f) => f.path === "footprint.json")!.content);
}

describe("README", function () {
    this.timeout(600_000);

    it("its configuration reference and sizing tables match the code and the full render (npm run docs:config -- --write)", async () => {
        assert.strictEqual(withReference(README, { dev: await footprintOf("dev"), prod: await footprintOf("prod") }), README);
    });

    it("its kube-score scorecard is kube-score's run on the full render, where every finding is fixed or exempted with a reason (npm run scorecard -- --readme)", async () => {
        const bin = kubeScoreBinary();
        const streams: Array<[string, string]> = [];
        for (const stack of STACKS) {
            streams.push([stack, renderStream((await renderedStack(stack)).files)]);
        }
        const scores = scoreAll(bin, streams);
        const exemptions = parseExemptions(fs.readFileSync(path.join(ROOT, EXEMPTIONS_FILE), "utf8"), EXEMPTIONS_FILE, knownChecks(bin), OPTIONAL_CHECKS, STACKS);
        const verdict = judge(scores, exemptions);
        assert.deepStrictEqual(problemLines(verdict, EXEMPTIONS_FILE), []);
        assert.strictEqual(withScorecard(README, scorecardSection(scores, verdict, KUBE_SCORE_FLAGS)), README);
    });

    it("documents every top-level configuration key", () => {
        for (const key of ["profile", "domain", "ingressClassName", "storageClassName", "protectData", "metrics", "alerting", "alertingSecrets", "logging", "tracing", "graylog", "graylogRootPassword", "tls", "access", "oidcClientSecret"]) {
            assert.ok(README.includes(`\`${key}`), key);
        }
    });

    it("names the test command that .ci/run runs", () => {
        const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
        assert.match(ci, /^npm test$/m);
        assert.match(README, /npm ci\nnpm test/);
    });

    it("node agents (every DaemonSet in the full render) fit the 150m / 256Mi per-node budget in every profile", async () => {
        for (const profile of ["dev", "staging", "prod"] as const) {
            const { perNode } = await footprintOf(profile);
            assert.ok(perNode.daemonSets.length >= 3, `${profile}: node-exporter, Fluent Bit and the OpenTelemetry agent`);
            assert.ok(perNode.cpu <= 150, `${profile}: ${perNode.cpu}m`);
            assert.ok(perNode.memory <= 256, `${profile}: ${perNode.memory}Mi`);
        }
    });

    it("the whole dev platform on one node requests at most 3 CPU and 6 GiB, operator-made pods included", async () => {
        const { perNode, total } = await footprintOf("dev");
        assert.ok(total.workloads.some((w) => w.kind === "Elasticsearch"), "operator-made pods are counted");
        assert.ok(perNode.cpu + total.cpu <= 3000, `dev requests ${perNode.cpu + total.cpu}m CPU`);
        assert.ok(perNode.memory + total.memory <= 6 * 1024, `dev requests ${perNode.memory + total.memory}Mi`);
        assert.strictEqual(PROFILE_DEFAULTS.dev.graylog.enabled, false, "Graylog would not fit");
    });

    describe("change safety (issue 25)", () => {
        const section = README.slice(README.indexOf("### Change safety"), README.indexOf("\n#", README.indexOf("### Change safety") + 1));
        const tableKeys = new Set([...section.matchAll(/^\|([^|]*)\|/gm)].flatMap(([, cell]) => [...cell.matchAll(/`([a-zA-Z.]+)`/g)].map((m) => m[1])));
        const schemaKeys = configRows().map((row) => row[0].replaceAll("`", ""));
        // A key touches stored data when it sizes, places, counts, versions or switches a store,
        // or sets how long data is kept; a new key of that kind must get a row.
        const STORED = /(^storageClassName$|^protectData$|storageSize$|replicas$|Replicas$|Members$|\.nodes$|\.version$|(^|\.)enabled$|retention|\.storage$|\.heap$|bufferLimit$|zoneAwareness$|elasticsearch\.resources$)/;

        it("has a row for every setting that touches stored data", () => {
            const stored = schemaKeys.filter((k) => STORED.test(k) && !/^(tls|access)\./.test(k));
            assert.ok(stored.length >= 25, `found ${stored.length} stored-data keys`);
            for (const key of stored) {
                assert.ok(tableKeys.has(key), `${key} has a row in "### Change safety"`);
            }
        });

        it("names only keys that exist, and every pinned chart", () => {
            for (const key of tableKeys) {
                assert.ok(schemaKeys.includes(key) || ["components/shared/charts.ts", "components/shared/images.ts"].includes(key), `${key} is a configuration key`);
            }
            for (const pin of pinnedCharts()) {
                assert.ok(section.includes(pin.chart), pin.chart);
            }
        });

        it("points to the procedures by hand", () => {
            assert.match(section, /\(#changing-stored-data-by-hand\)/);
        });
    });

    it("every policy rule has a row in the policy reference", () => {
        for (const rule of fs.readdirSync(path.join(ROOT, "policies")).filter((f) => /^[a-z-]+\.ts$/.test(f) && !["index.ts", "rules.ts", "crossguard.ts"].includes(f))) {
            assert.ok(README.includes(`| \`${rule.replace(/\.ts$/, "")}\``), rule);
        }
    });
});
