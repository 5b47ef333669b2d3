import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { platformRuleGroups, RuleScope } from "../../../components/metrics/alert-rules";
import { runTool, tempDir } from "../../helpers/tools";

const ALL: RuleScope = {
    logging: true, tracing: true, graylog: true, tls: true,
    namespaces: { logging: "logging", tracing: "tracing", graylog: "graylog" },
};

function writeRules(dir: string, scope: RuleScope): string {
    const file = path.join(dir, "rules.yaml");
    fs.writeFileSync(file, YAML.stringify({ groups: platformRuleGroups(scope) }));
    return file;
}

describe("platform alert rules", () => {
    const dir = tempDir("rules");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("pass promtool check rules", () => {
        const r = runTool("promtool", ["check", "rules", writeRules(dir, ALL)]);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /SUCCESS: \d+ rules found/);
    });

    it("pass their promtool unit tests", () => {
        writeRules(dir, ALL);
        fs.copyFileSync(path.join(__dirname, "../../fixtures/platform-rules.test.yaml"), path.join(dir, "platform-rules.test.yaml"));
        const r = runTool("promtool", ["test", "rules", "platform-rules.test.yaml"], dir);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /SUCCESS/);
    });

    it("promtool rejects a broken expression, so the check above can fail", () => {
        const file = path.join(dir, "broken.yaml");
        fs.writeFileSync(file, YAML.stringify({ groups: [{ name: "x", rules: [{ alert: "X", expr: "sum(rate(x[5m])" }] }] }));
        assert.notStrictEqual(runTool("promtool", ["check", "rules", file]).status, 0);
    });

    it("every rule has a severity, summary, description and runbook hint", () => {
        for (const group of platformRuleGroups(ALL)) {
            for (const rule of group.rules) {
                assert.ok(["critical", "warning"].includes(rule.labels.severity), rule.alert);
                assert.ok(rule.annotations.summary && rule.annotations.description && rule.annotations.runbook, rule.alert);
                assert.match(rule.for, /^\d+[mh]$/, `${rule.alert} waits before firing`);
            }
        }
    });

    it("covers each component that can break silently", () => {
        const names = platformRuleGroups(ALL).flatMap((g) => g.rules.map((r) => r.alert));
        for (const expected of [
            "PlatformNodeMemoryPressure", "PlatformNodeCPUSaturated", "PlatformNodeDiskPressure", "PlatformPodCrashLooping",
            "PlatformDaemonSetNotOnEveryNode", "PlatformPersistentVolumeFillingUp", "FluentBitOutputErrors",
            "FluentBitOutputRetriesExhausted", "ElasticsearchClusterRed", "ElasticsearchDiskHighWatermark",
            "OtelAgentDroppingSpans", "JaegerDroppingSpans", "GraylogJournalBacklog", "CertificateExpiresSoon",
        ]) {
            assert.ok(names.includes(expected), `missing ${expected}`);
        }
    });

    it("ships no rules for pillars a stack leaves out", () => {
        const names = platformRuleGroups({ ...ALL, logging: false, tracing: false, graylog: false, tls: false }).map((g) => g.name);
        assert.deepStrictEqual(names, ["platform.nodes", "platform.workloads"]);
    });
});
