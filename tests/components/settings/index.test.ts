import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PROFILE_DEFAULTS } from "../../../components/settings/profiles";
import { parseQuantity } from "../../../components/shared/quantity";
import { buildSettings, ConfigError, PlatformSettings, resourcePaths } from "../../../components/settings";

const P = "observability-platform";

function build(config: Record<string, unknown>, stack = "dev"): PlatformSettings {
    const strings = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [`${P}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    return buildSettings({ stack, config: strings });
}

function problemsOf(config: Record<string, unknown>): string {
    try {
        build(config);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.message;
    }
    assert.fail("expected the configuration to be rejected");
}

describe("settings", () => {
    describe("profile defaults", () => {
        it("dev runs one replica of everything, keeps data three days and protects nothing", () => {
            const s = build({ profile: "dev" });
            assert.strictEqual(s.metrics.prometheus.replicas, 1);
            assert.strictEqual(s.metrics.prometheus.retentionDays, 3);
            assert.strictEqual(s.logging.retentionDays, 3);
            assert.strictEqual(s.logging.elasticsearch.nodes, 1);
            assert.strictEqual(s.tracing.storage, "memory");
            assert.strictEqual(s.tracing.samplingPercentage, 100);
            assert.strictEqual(s.graylog.enabled, false);
            assert.strictEqual(s.protectData, false);
        });

        it("staging turns on Graylog and stores traces in Elasticsearch", () => {
            const s = build({ profile: "staging" }, "staging");
            assert.strictEqual(s.graylog.enabled, true);
            assert.strictEqual(s.tracing.storage, "elasticsearch");
            assert.strictEqual(s.logging.elasticsearch.nodes, 3);
            assert.strictEqual(s.metrics.prometheus.retentionDays, 15);
            assert.strictEqual(s.protectData, false);
        });

        it("prod is highly available and protects its data", () => {
            const s = build({ profile: "prod" }, "prod");
            assert.ok(s.metrics.prometheus.replicas >= 2);
            assert.strictEqual(s.metrics.alertmanager.replicas, 3);
            assert.ok(s.logging.elasticsearch.nodes >= 3);
            assert.ok(s.graylog.replicas >= 3 && s.graylog.dataNodeReplicas >= 3);
            assert.strictEqual(s.graylog.mongodbMembers, 3);
            assert.strictEqual(s.metrics.prometheus.retentionDays, 30);
            assert.strictEqual(s.protectData, true);
            assert.ok(s.tracing.samplingPercentage < 100);
        });

        for (const profile of ["dev", "staging", "prod"] as const) {
            it(`${profile}: node agents together request at most 150m CPU and 256Mi per node`, () => {
                const d = PROFILE_DEFAULTS[profile];
                const agents = [d.metrics.nodeExporter.resources, d.logging.fluentBit.resources, d.tracing.agent.resources];
                const cpu = agents.reduce((sum, r) => sum + parseQuantity(r.requests.cpu), 0);
                const memory = agents.reduce((sum, r) => sum + parseQuantity(r.requests.memory), 0);
                assert.ok(cpu <= 0.15 + 1e-9, `agents request ${cpu} CPU`);
                assert.ok(memory <= 256 * 2 ** 20, `agents request ${memory / 2 ** 20}Mi`);
            });

            it(`${profile}: every request is at most its limit`, () => {
                for (const [where, r] of resourcePaths(build({ profile }, profile))) {
                    for (const what of ["cpu", "memory"] as const) {
                        assert.ok(parseQuantity(r.requests[what]) <= parseQuantity(r.limits[what]), `${where}.${what}`);
                    }
                }
            });
        }
    });

    describe("overrides", () => {
        it("an explicit key replaces only that default", () => {
            const s = build({ profile: "prod", metrics: { prometheus: { retentionDays: 90 } } }, "prod");
            assert.strictEqual(s.metrics.prometheus.retentionDays, 90);
            assert.strictEqual(s.metrics.prometheus.replicas, PROFILE_DEFAULTS.prod.metrics.prometheus.replicas);
            assert.strictEqual(s.metrics.prometheus.storageSize, PROFILE_DEFAULTS.prod.metrics.prometheus.storageSize);
        });

        it("a partial resources block keeps the other defaults", () => {
            const s = build({ profile: "dev", logging: { fluentBit: { resources: { limits: { memory: "512Mi" } } } } });
            assert.strictEqual(s.logging.fluentBit.resources.limits.memory, "512Mi");
            assert.strictEqual(s.logging.fluentBit.resources.requests.cpu, PROFILE_DEFAULTS.dev.logging.fluentBit.resources.requests.cpu);
        });

        it("booleans arrive as the strings the CLI passes", () => {
            assert.strictEqual(build({ profile: "dev", protectData: "true" }).protectData, true);
        });

        it("the result is frozen all the way down", () => {
            const s = build({ profile: "dev" });
            assert.ok(Object.isFrozen(s) && Object.isFrozen(s.metrics.prometheus.resources.requests));
        });

        it("receiver credentials come back as a Pulumi secret", async () => {
            const s = build({
                profile: "dev",
                alerting: { receivers: [{ name: "oncall", type: "pagerduty" }], criticalReceiver: "oncall" },
                alertingSecrets: { oncall: "routing-key" },
            });
            assert.ok(await (s.alertingSecrets as any).isSecret);
        });
    });

    describe("rejects bad input, naming the key, the value and what is allowed", () => {
        const cases: Array<[string, Record<string, unknown>, RegExp]> = [
            ["a misspelt top-level key", { profile: "dev", retentoin: "3" },
                /observability-platform:retentoin: unknown key; allowed keys here: profile, domain/],
            ["a misspelt nested key, with a suggestion", { profile: "dev", metrics: { prometheus: { replcas: 2 } } },
                /metrics\.prometheus\.replcas: unknown key \(did you mean "replicas"\?\)/],
            ["an unknown profile", { profile: "production" },
                /observability-platform:profile: got "production"; allowed: one of dev, staging, prod/],
            ["a missing profile", {}, /observability-platform:profile: is required; allowed: one of dev, staging, prod/],
            ["a malformed quantity", { profile: "dev", metrics: { prometheus: { storageSize: "10Gix" } } },
                /metrics\.prometheus\.storageSize: got "10Gix"; allowed: a positive Kubernetes quantity/],
            ["a negative quantity", { profile: "dev", logging: { elasticsearch: { storageSize: "-5Gi" } } },
                /logging\.elasticsearch\.storageSize: got "-5Gi"; allowed: a positive Kubernetes quantity/],
            ["a zero quantity", { profile: "dev", metrics: { alertmanager: { storageSize: "0" } } },
                /metrics\.alertmanager\.storageSize: got "0"/],
            ["a retention of zero days", { profile: "dev", logging: { retentionDays: 0 } },
                /logging\.retentionDays: got 0; allowed: an integer from 1 to 3650 \(days\)/],
            ["a metrics retention above two years", { profile: "dev", metrics: { prometheus: { retentionDays: 9999 } } },
                /metrics\.prometheus\.retentionDays: got 9999; allowed: an integer from 1 to 730 \(days\)/],
            ["a fractional replica count", { profile: "dev", metrics: { grafana: { replicas: 1.5 } } },
                /metrics\.grafana\.replicas: got 1.5; allowed: an integer from 1 to 10/],
            ["a string where a number belongs", { profile: "dev", tracing: { samplingPercentage: "ten" } },
                /tracing\.samplingPercentage: got "ten"; allowed: a number from 0 to 100/],
            ["a sampling rate above 100%", { profile: "dev", tracing: { samplingPercentage: 150 } },
                /tracing\.samplingPercentage: got 150/],
            ["a domain that is not a DNS name", { profile: "dev", domain: "Obs_Platform" },
                /observability-platform:domain: got "Obs_Platform"; allowed: a lower-case DNS name/],
            ["a single-label domain", { profile: "dev", domain: "localhost" }, /domain: got "localhost"/],
            ["a boolean that is not true or false", { profile: "dev", protectData: "yes" },
                /protectData: got "yes"; allowed: true or false/],
            ["an object key given a scalar", { profile: "dev", metrics: "big" },
                /observability-platform:metrics: got "big"; allowed: an object \{enabled, prometheus/],
            ["an unknown receiver type", { profile: "dev", alerting: { receivers: [{ name: "x", type: "teams" }] } },
                /alerting\.receivers\[0\]\.type: got "teams"; allowed: one of email, slack, pagerduty, webhook/],
            ["a receiver without its credential", { profile: "dev", alerting: { receivers: [{ name: "oncall", type: "pagerduty" }] } },
                /alertingSecrets\.oncall: is required for receiver "oncall"/],
            ["a critical receiver that does not exist", { profile: "dev", alerting: { criticalReceiver: "pager" } },
                /alerting\.criticalReceiver: got "pager"; allowed: one of the receivers \(none defined\)/],
            ["an email receiver without SMTP", {
                profile: "dev",
                alerting: { receivers: [{ name: "mail", type: "email", to: "ops@example.com" }] },
                alertingSecrets: { mail: "pw" },
            }, /alerting\.smtp: is required with an email receiver/],
            ["a request above its limit", { profile: "dev", metrics: { grafana: { resources: { requests: { cpu: "2" } } } } },
                /metrics\.grafana\.resources\.requests\.cpu: got "2"; allowed: at most the limit \(500m\)/],
            ["an Elasticsearch heap above half its memory", { profile: "dev", logging: { elasticsearch: { heap: "2Gi" } } },
                /logging\.elasticsearch\.heap: got "2Gi"; allowed: at most half/],
            ["a Prometheus size cap at or above its volume", { profile: "dev", metrics: { prometheus: { retentionSize: "20GB" } } },
                /metrics\.prometheus\.retentionSize: got "20GB"; allowed: less than metrics\.prometheus\.storageSize \(10Gi\)/],
            ["traces in Elasticsearch with logging off", { profile: "staging", logging: { enabled: false }, graylog: { enabled: false } },
                /tracing\.storage: got "elasticsearch" with logging disabled/],
            ["an even number of MongoDB members", { profile: "prod", graylog: { mongodbMembers: 2 } },
                /graylog\.mongodbMembers: got 2; allowed: 1, 3 or 5/],
            ["an ACME email without a domain", { profile: "dev", tls: { acmeEmail: "ops@example.com" } },
                /tls\.acmeEmail: is set without observability-platform:domain/],
        ];
        for (const [what, config, expected] of cases) {
            it(what, () => {
                const message = problemsOf(config);
                assert.match(message, expected);
                assert.match(message, /^Invalid configuration for stack "dev"/);
            });
        }

        it("reports every problem of a run together", () => {
            const message = problemsOf({ profile: "dev", retentoin: "3", domain: "x", metrics: { prometheus: { storageSize: "1Q" } } });
            assert.match(message, /\(3 problems\)/);
            assert.match(message, /retentoin/);
            assert.match(message, /domain/);
            assert.match(message, /storageSize/);
        });

        it("never prints a secret value", () => {
            const message = problemsOf({ profile: "dev", alertingSecrets: { ghost: "hunter2-very-secret" } });
            assert.match(message, /alertingSecrets\.ghost: unknown receiver/);
            assert.doesNotMatch(message, /hunter2/);
            const typed = problemsOf({ profile: "dev", alertingSecrets: { oncall: 12345 } });
            assert.match(typed, /alertingSecrets\.oncall: got \[secret\]/);
            assert.doesNotMatch(typed, /12345/);
        });

        it("ignores keys of other namespaces such as kubernetes:context", () => {
            const s = buildSettings({ stack: "dev", config: { [`${P}:profile`]: "dev", "kubernetes:context": "kind-dev" } });
            assert.strictEqual(s.profile, "dev");
        });

        it("is a RunError, so pulumi up prints it without a stack trace", () => {
            try {
                build({});
            } catch (err) {
                assert.ok(pulumi.RunError.isInstance(err));
                return;
            }
            assert.fail("expected an error");
        });
    });
});
