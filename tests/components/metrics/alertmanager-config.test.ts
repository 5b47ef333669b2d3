import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { alertmanagerConfig, alertmanagerConfigYaml, NULL_RECEIVER } from "../../../components/metrics/alertmanager-config";
import { AlertingSettings } from "../../../components/settings/profiles";
import { buildSettings } from "../../../components/settings";
import { readStackFile, ROOT } from "../../../scripts/mock-program";
import { runTool, tempDir } from "../../helpers/tools";

const ALERTING: AlertingSettings = {
    receivers: [
        { name: "pager", type: "pagerduty" },
        { name: "team-slack", type: "slack", channel: "#platform-alerts" },
        { name: "ops-mail", type: "email", to: "ops@example.com" },
        { name: "hook", type: "webhook" },
    ],
    defaultReceiver: "team-slack",
    criticalReceiver: "pager",
    smtp: { smarthost: "smtp.example.com:587", from: "alertmanager@example.com", username: "alertmanager", requireTls: true },
    groupWait: "30s",
    groupInterval: "5m",
    repeatInterval: "4h",
};
const CREDENTIALS = {
    pager: "pd-routing-key-0123456789",
    "team-slack": "https://hooks.slack.com/services/T000/B000/XXXX",
    "ops-mail": "smtp-password",
    hook: "https://alerts.example.com/hook?token=abc",
};

describe("Alertmanager configuration", () => {
    const dir = tempDir("amtool");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function check(config: string): { status: number; output: string } {
        const file = path.join(dir, "alertmanager.yaml");
        fs.writeFileSync(file, config);
        return runTool("amtool", ["check-config", file]);
    }

    it("passes amtool check-config with every receiver kind", () => {
        const r = check(alertmanagerConfigYaml(ALERTING, CREDENTIALS));
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /SUCCESS/);
        assert.match(r.output, /5 receivers/);
    });

    it("passes amtool check-config with no receivers at all", () => {
        const r = check(alertmanagerConfigYaml({ ...ALERTING, receivers: [], defaultReceiver: undefined, criticalReceiver: undefined, smtp: undefined }, {}));
        assert.strictEqual(r.status, 0, r.output);
    });

    it("amtool rejects a route to an undefined receiver, so the check above can fail", () => {
        const broken = alertmanagerConfig(ALERTING, CREDENTIALS) as any;
        broken.route.receiver = "nobody";
        assert.notStrictEqual(check(YAML.stringify(broken)).status, 0);
    });

    it("sends critical alerts to the pager and the rest to the default receiver", () => {
        const config = alertmanagerConfig(ALERTING, CREDENTIALS) as any;
        assert.strictEqual(config.route.receiver, "team-slack");
        const critical = config.route.routes.find((r: any) => r.matchers.includes('severity = "critical"'));
        assert.strictEqual(critical.receiver, "pager");
        assert.strictEqual(check(alertmanagerConfigYaml(ALERTING, CREDENTIALS)).status, 0);
        const route = (...labels: string[]) => {
            const r = runTool("amtool", ["config", "routes", "test", `--config.file=${path.join(dir, "alertmanager.yaml")}`, ...labels]);
            return r.output.split("\n").filter((l) => l && !l.startsWith("Warning")).join("\n").trim();
        };
        assert.strictEqual(route("severity=critical", "alertname=X"), "pager");
        assert.strictEqual(route("severity=warning", "alertname=X"), "team-slack");
        assert.strictEqual(route("alertname=Watchdog", "severity=none"), NULL_RECEIVER);
    });

    describe("the shipped prod stack", () => {
        const settings = buildSettings({ stack: "prod", config: readStackFile(path.join(ROOT, "Pulumi.prod.yaml")).config });
        // Real-looking credentials in place of the stack's placeholders: amtool checks their form.
        const credentials: Record<string, string> = {
            pager: "pd-routing-key-0123456789",
            team: "https://hooks.slack.com/services/T000/B000/XXXX",
        };
        const routesTo = (...labels: string[]) => {
            const r = runTool("amtool", ["config", "routes", "test", `--config.file=${path.join(dir, "alertmanager.yaml")}`, ...labels]);
            return r.output.split("\n").filter((l) => l && !l.startsWith("Warning")).join("\n").trim();
        };

        it("has a credential for every receiver, so the check below uses the stack's own receivers", () => {
            assert.deepStrictEqual(settings.alerting.receivers.map((r) => r.name).sort(), Object.keys(credentials).sort());
        });

        it("passes amtool check-config and routes warnings to the team receiver, critical alerts to the pager", () => {
            const r = check(alertmanagerConfigYaml(settings.alerting, credentials));
            assert.strictEqual(r.status, 0, r.output);
            for (const alertname of ["PodDisruptionBudgetBlockingDrain", "ElasticsearchClusterYellow", "FluentBitBufferNearlyFull", "CertificateExpiresSoon"]) {
                assert.strictEqual(routesTo("severity=warning", `alertname=${alertname}`), "team", alertname);
            }
            assert.strictEqual(routesTo("severity=info", "alertname=X"), "team");
            assert.strictEqual(routesTo("severity=critical", "alertname=X"), "pager");
            assert.strictEqual(routesTo("alertname=Watchdog", "severity=none"), NULL_RECEIVER);
        });
    });

    it("inhibits warnings while a critical of the same alert on the same target fires, node by node and volume by volume", () => {
        const config = alertmanagerConfig(ALERTING, CREDENTIALS) as any;
        assert.deepStrictEqual(config.inhibit_rules[0], {
            source_matchers: ['severity = "critical"'],
            target_matchers: ['severity = "warning"'],
            equal: ["alertname", "namespace", "instance", "node", "persistentvolumeclaim"],
        });
    });

    it("puts each credential only in its own receiver", () => {
        const config = alertmanagerConfig(ALERTING, CREDENTIALS) as any;
        const byName = Object.fromEntries(config.receivers.map((r: any) => [r.name, r]));
        assert.strictEqual(byName.pager.pagerduty_configs[0].routing_key, CREDENTIALS.pager);
        assert.strictEqual(byName["team-slack"].slack_configs[0].api_url, CREDENTIALS["team-slack"]);
        assert.strictEqual(byName["ops-mail"].email_configs[0].auth_password, CREDENTIALS["ops-mail"]);
        assert.strictEqual(byName.hook.webhook_configs[0].url, CREDENTIALS.hook);
    });
});
