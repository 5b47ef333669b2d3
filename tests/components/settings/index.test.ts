import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { PROFILE_DEFAULTS } from "../../../components/settings/profiles";
import { parseQuantity } from "../../../components/shared/quantity";
import { buildSettings, closest, ConfigError, isConfigError, PlatformSettings, resourcePaths } from "../../../components/settings";
import { configSchema } from "../../../components/settings/schema";
import { z } from "zod";
import { ROOT } from "../../../scripts/root";
import { runProgram } from "../../../scripts/mock-program";
import { PROD_BACKUP } from "../../helpers/settings";

const P = "observability-platform";

function build(config: Record<string, unknown>, stack = "dev"): PlatformSettings {
    const strings = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [`${P}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    return buildSettings({ stack, config: strings });
}

/** A prod stack's receivers for critical and other alerts, which prod requires (here one for both). */
const PAGER = {
    alerting: { receivers: [{ name: "pager", type: "pagerduty" }], criticalReceiver: "pager", defaultReceiver: "pager" },
    alertingSecrets: { pager: "routing-key" },
    // A prod stack also names its backup repository (or declines backups); tested under "backups".
    ...PROD_BACKUP,
};

function problemsOf(config: Record<string, unknown>, stack = "dev"): string {
    try {
        build(config, stack);
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
            const s = build({ profile: "prod", ...PAGER }, "prod");
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
                for (const [where, r] of resourcePaths(build({ profile, ...(profile === "prod" ? PAGER : {}) }, profile))) {
                    for (const what of ["cpu", "memory"] as const) {
                        assert.ok(parseQuantity(r.requests[what]) <= parseQuantity(r.limits[what]), `${where}.${what}`);
                    }
                }
            });
        }
    });

    describe("overrides", () => {
        it("an explicit key replaces only that default", () => {
            const s = build({ profile: "prod", ...PAGER, metrics: { prometheus: { retentionDays: 90 } } }, "prod");
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

    describe("a prod stack pages someone", () => {
        it("refuses prod without a receiver for critical alerts, saying how to add one", () => {
            const message = problemsOf({ profile: "prod" }, "prod");
            assert.match(message, /alerting\.criticalReceiver: is required in a prod stack; without it critical alerts .* go to the null receiver/);
            assert.match(message, /pulumi config set --path 'alerting\.receivers\[0\]\.name' pager/);
            assert.match(message, /pulumi config set --secret --path 'alertingSecrets\.pager' <routing-key>/);
        });

        it("accepts prod with a critical receiver, or with a default receiver that critical alerts fall back to", () => {
            assert.strictEqual(build({ profile: "prod", ...PAGER }, "prod").alerting.criticalReceiver, "pager");
            const fallback = { ...PAGER, alerting: { receivers: PAGER.alerting.receivers, defaultReceiver: "pager" } };
            assert.strictEqual(build({ profile: "prod", ...fallback }, "prod").alerting.defaultReceiver, "pager");
        });

        it("refuses prod without alerting.defaultReceiver (warnings would reach nobody), saying how to add one", () => {
            const pagerOnly = { ...PAGER, alerting: { receivers: PAGER.alerting.receivers, criticalReceiver: "pager" } };
            const message = problemsOf({ profile: "prod", ...pagerOnly }, "prod");
            assert.match(message, /^Invalid configuration for stack "prod" \(1 problem\)/);
            assert.match(message, /alerting\.defaultReceiver: is required in a prod stack; without it every alert that is not critical .* goes to the null receiver/);
            assert.match(message, /a team receiver of type slack or email/);
            assert.match(message, /pulumi config set --path 'alerting\.receivers\[1\]\.name' team && pulumi config set --path 'alerting\.receivers\[1\]\.type' slack/);
            assert.match(message, /pulumi config set --path alerting\.defaultReceiver team && pulumi config set --secret --path 'alertingSecrets\.team' <slack-webhook-url>/);
            const neither = problemsOf({ profile: "prod", ...PROD_BACKUP }, "prod");
            assert.match(neither, /\(2 problems\)/);
            assert.match(neither, /'alerting\.receivers\[0\]\.name' pager/);
            assert.match(neither, /'alerting\.receivers\[1\]\.name' team/, "the team receiver goes after the pager the other message adds");
        });

        it("registers nothing for a prod stack without alerting.defaultReceiver", async () => {
            // eslint-disable-next-line @typescript-eslint/no-var-requires
            const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
            const original = MockMonitor.prototype.registerResource;
            const registered: string[] = [];
            MockMonitor.prototype.registerResource = function (req: any, callback: unknown) {
                registered.push(req.getType());
                return original.call(this, req, callback);
            };
            try {
                await assert.rejects(
                    runProgram("prod", { config: { [`${P}:alerting`]: JSON.stringify({ receivers: [{ name: "pager", type: "pagerduty" }], criticalReceiver: "pager" }) } }),
                    (e: unknown) => isConfigError(e) && /alerting\.defaultReceiver: is required in a prod stack/.test((e as Error).message),
                );
            } finally {
                MockMonitor.prototype.registerResource = original;
            }
            assert.deepStrictEqual(registered.filter((t) => t !== "pulumi:pulumi:Stack"), []);
        });

        it("accepts prod without receivers when it has no metrics (no Alertmanager to route)", () => {
            assert.strictEqual(build({ profile: "prod", metrics: { enabled: false }, ...PROD_BACKUP }, "prod").metrics.enabled, false);
        });

        for (const profile of ["dev", "staging"] as const) {
            it(`lets ${profile} keep the null receiver`, () => {
                assert.deepStrictEqual(build({ profile }, profile).alerting.receivers, []);
            });
        }

        it("the repository's prod stack file routes critical alerts to a receiver", () => {
            const stack = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config;
            const name = stack[`${P}:alerting`].criticalReceiver;
            assert.ok(stack[`${P}:alerting`].receivers.some((r: { name: string }) => r.name === name));
            assert.ok(stack[`${P}:alertingSecrets`][name].secure, "its credential is a stack secret");
        });

        it("the repository's prod stack file routes warnings to a team receiver that needs no invented settings", () => {
            const stack = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config;
            const alerting = stack[`${P}:alerting`];
            const team = alerting.receivers.find((r: { name: string }) => r.name === alerting.defaultReceiver);
            assert.ok(team, "defaultReceiver is one of the receivers");
            assert.notStrictEqual(alerting.defaultReceiver, alerting.criticalReceiver, "warnings do not page");
            assert.ok(["slack", "email"].includes(team.type), "a team channel or mailbox");
            assert.ok(stack[`${P}:alertingSecrets`][team.name].secure, "its credential is a stack secret");
        });
    });

    describe("Grafana runs one replica: its database is SQLite on one ReadWriteOnce volume", () => {
        it("refuses metrics.grafana.replicas 2 in every profile, naming the key and what is allowed", () => {
            for (const profile of ["dev", "staging", "prod"]) {
                const config = { profile, ...(profile === "prod" ? PAGER : {}), metrics: { grafana: { replicas: 2 } } };
                assert.match(problemsOf(config, profile), /observability-platform:metrics\.grafana\.replicas: got 2; allowed: 1 \(Grafana keeps its database, SQLite, on one ReadWriteOnce volume, and no shared database is configured/);
            }
        });
        it("accepts one replica, and more when metrics are off", () => {
            assert.strictEqual(build({ profile: "dev", metrics: { grafana: { replicas: 1 } } }).metrics.grafana.replicas, 1);
            assert.strictEqual(build({ profile: "dev", metrics: { enabled: false, grafana: { replicas: 2 } } }).metrics.grafana.replicas, 2);
        });
    });

    describe("a prod Graylog keeps a replica of every index on a second Data Node", () => {
        it("refuses graylog.dataNodeReplicas 1 in prod, naming the key and what is allowed", () => {
            assert.match(problemsOf({ profile: "prod", ...PAGER, graylog: { dataNodeReplicas: 1 } }, "prod"),
                /observability-platform:graylog\.dataNodeReplicas: got 1 in a prod stack; allowed: 2 or more/);
        });
        it("accepts one Data Node outside prod, and in prod with Graylog off", () => {
            assert.strictEqual(build({ profile: "staging", graylog: { dataNodeReplicas: 1 } }, "staging").graylog.dataNodeReplicas, 1);
            assert.strictEqual(build({ profile: "prod", ...PAGER, graylog: { enabled: false, dataNodeReplicas: 1 } }, "prod").graylog.enabled, false);
        });
    });

    describe("Elasticsearch node counts are quorum-safe", () => {
        const nodes = (n: number, profile = "dev") => ({ profile, ...(profile === "prod" ? PAGER : {}), logging: { elasticsearch: { nodes: n } } });
        it("refuses 2 nodes in any profile, saying why", () => {
            for (const profile of ["dev", "staging", "prod"]) {
                assert.match(problemsOf(nodes(2, profile), profile), /logging\.elasticsearch\.nodes: got 2; allowed: 1, or 3 and more \(every node is master-eligible and a master needs a majority: two nodes survive the loss of neither\)/);
            }
        });
        it("accepts 1 and 3 nodes outside prod", () => {
            assert.strictEqual(build(nodes(1)).logging.elasticsearch.nodes, 1);
            assert.strictEqual(build(nodes(3)).logging.elasticsearch.nodes, 3);
        });
        it("requires at least 3 in prod: 1 is refused, 3 and 4 are accepted", () => {
            assert.match(problemsOf(nodes(1, "prod"), "prod"), /logging\.elasticsearch\.nodes: got 1 in a prod stack; allowed: 3 or more \(a majority of master-eligible nodes must survive the loss of one\)/);
            assert.strictEqual(build(nodes(3, "prod"), "prod").logging.elasticsearch.nodes, 3);
            assert.strictEqual(build(nodes(4, "prod"), "prod").logging.elasticsearch.nodes, 4);
        });
        it("does not judge node counts when logging is off", () => {
            assert.strictEqual(build({ profile: "dev", logging: { enabled: false, elasticsearch: { nodes: 2 } }, tls: { enabled: false } }).logging.enabled, false);
        });
    });

    describe("node logs (logging.nodeLogs)", () => {
        it("are on in every profile, and a boolean", () => {
            for (const profile of ["dev", "staging", "prod"] as const) {
                assert.strictEqual(PROFILE_DEFAULTS[profile].logging.nodeLogs, true, profile);
            }
            assert.strictEqual(build({ profile: "dev", logging: { nodeLogs: false } }).logging.nodeLogs, false);
            assert.match(problemsOf({ profile: "dev", logging: { nodeLogs: "yes" } }), /logging\.nodeLogs: got "yes"; allowed: true or false/);
        });
    });

    describe("redaction (logging.redaction)", () => {
        /** A stack that passes: two built-ins and two patterns of its own. Each case below changes one thing. */
        const FIXTURE = {
            enabled: true,
            builtins: ["email", "card-number"],
            patterns: [
                { name: "api-key", pattern: "sk_live_%w+", minLength: 20 },
                { name: "iban", pattern: "%f[%w]%u%u%d%d[%u%d]+", minLength: 15 },
            ],
        };
        const withPatterns = (...patterns: unknown[]) => ({ ...FIXTURE, patterns });
        const problems = (redaction: unknown) =>
            problemsOf({ profile: "dev", logging: { redaction } }).split("\n").slice(1).map((l) => l.replace(/^  - observability-platform:/, ""));

        it("accepts the fixture as it is", () => {
            assert.deepStrictEqual(build({ profile: "dev", logging: { redaction: FIXTURE } }).logging.redaction, FIXTURE);
        });

        it("is off in every profile, with every built-in chosen for when it is turned on", () => {
            for (const profile of ["dev", "staging", "prod"] as const) {
                assert.deepStrictEqual(PROFILE_DEFAULTS[profile].logging.redaction, {
                    enabled: false, builtins: ["email", "jwt", "bearer-token", "card-number", "password"], patterns: [],
                }, profile);
            }
        });

        const cases: Array<[string, unknown, string[]]> = [
            ["an unknown built-in", { ...FIXTURE, builtins: ["email", "ssn"] },
                ["logging.redaction.builtins[1]: got \"ssn\"; allowed: one of email, jwt, bearer-token, card-number, password"]],
            ["a pattern name with capitals and an underscore", withPatterns({ name: "Api_Key", pattern: "sk_live_%w+" }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].name: got \"Api_Key\"; allowed: a lower-case name of letters, digits and '-', starting with a letter, at most 31 characters"]],
            ["a non-ASCII pattern", withPatterns(FIXTURE.patterns[0], { name: "iban", pattern: "IBAN°%d+" }),
                ["logging.redaction.patterns[1].pattern: got \"IBAN°%d+\"; allowed: a Lua pattern of 1 to 200 printable ASCII characters (no tabs, no letters beyond ASCII)"]],
            ["a pattern with a tab", withPatterns(FIXTURE.patterns[0], { name: "iban", pattern: "IBAN\t%d+" }),
                ["logging.redaction.patterns[1].pattern: got \"IBAN\\t%d+\"; allowed: a Lua pattern of 1 to 200 printable ASCII characters (no tabs, no letters beyond ASCII)"]],
            ["a set never closed", withPatterns(FIXTURE.patterns[0], { name: "iban", pattern: "%u%u%d%d[%u%d+" }),
                ["logging.redaction.patterns[1].pattern: got \"%u%u%d%d[%u%d+\": a '[' set is not closed with ']' (malformed pattern); allowed: a Lua 5.1 pattern (README, \"Redaction\")"]],
            ["a regular expression's escape", withPatterns({ name: "api-key", pattern: "sk_live_\\w+" }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].pattern: got \"sk_live_\\\\w+\": it contains '\\': Lua patterns escape with '%' (write %d, %., %%; a literal backslash is %\\); allowed: a Lua 5.1 pattern (README, \"Redaction\")"]],
            ["a regular expression's counted repetition", withPatterns({ name: "api-key", pattern: "sk_live_%w{24}" }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].pattern: got \"sk_live_%w{24}\": it contains a counted repetition such as {16}: Lua patterns have none (repeat the item, or set minLength; a literal brace is %{); allowed: a Lua 5.1 pattern (README, \"Redaction\")"]],
            ["a pattern that matches the empty string", withPatterns({ name: "api-key", pattern: "%w*" }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].pattern: got \"%w*\": it can match the empty string (every item is optional), which would mask between every two characters; allowed: a Lua 5.1 pattern (README, \"Redaction\")"]],
            ["a class that does not exist", withPatterns({ name: "api-key", pattern: "sk_live_%e+" }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].pattern: got \"sk_live_%e+\": '%e' is no character class (classes: %a %c %d %l %p %s %u %w %x and upper-case complements); allowed: a Lua 5.1 pattern (README, \"Redaction\")"]],
            ["a pattern named like a built-in in use", withPatterns(FIXTURE.patterns[0], { ...FIXTURE.patterns[1], name: "email" }),
                ["logging.redaction.patterns[1].name: got \"email\", the name of a built-in pattern in logging.redaction.builtins; allowed: a name no other pattern has (it names the mask, [REDACTED:email])"]],
            ["two patterns of one name", withPatterns(FIXTURE.patterns[0], { ...FIXTURE.patterns[1], name: "api-key" }),
                ["logging.redaction.patterns[1].name: got \"api-key\" twice; allowed: a name no other pattern has (it names the mask, [REDACTED:api-key])"]],
            ["a minimum length of zero", withPatterns({ ...FIXTURE.patterns[0], minLength: 0 }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].minLength: got 0; allowed: an integer from 1 to 4096 (characters)"]],
            ["an unknown key in a pattern", withPatterns({ ...FIXTURE.patterns[0], regex: true }, FIXTURE.patterns[1]),
                ["logging.redaction.patterns[0].regex: unknown key; allowed keys here: name, pattern, minLength, luhn"]],
            ["nothing to mask while on", { ...FIXTURE, builtins: [], patterns: [] },
                ["logging.redaction.enabled: got true with no builtins and no patterns; allowed: false, or at least one pattern (email, jwt, bearer-token, card-number, password, or one of the stack's own)"]],
        ];
        for (const [what, redaction, expected] of cases) {
            it(`refuses ${what}, naming the key and what is allowed`, () => assert.deepStrictEqual(problems(redaction), expected));
        }

        it("checks the patterns even while redaction is off, so turning it on later cannot fail on the nodes", () => {
            assert.deepStrictEqual(problems({ ...withPatterns({ name: "api-key", pattern: "(sk_" }), enabled: false }),
                ["logging.redaction.patterns[0].pattern: got \"(sk_\": a '(' capture is not closed (unfinished capture); allowed: a Lua 5.1 pattern (README, \"Redaction\")"]);
        });
    });

    describe("backups", () => {
        const refusal = (config: Record<string, unknown>) => problemsOf({ profile: "prod", ...PAGER, ...config }, "prod");

        it("accepts prod with a repository and its credentials", () => {
            const s = build({ profile: "prod", ...PAGER }, "prod");
            assert.deepStrictEqual([s.backup.enabled, s.backup.repository?.type, s.backup.intervalHours], [true, "s3", 6]);
        });

        it("refuses prod with neither a repository nor a reasoned opt-out, naming the key and both ways out", () => {
            const message = refusal({ backup: undefined, backupSecrets: undefined });
            assert.match(message, /\(1 problem\)/);
            assert.match(message, /observability-platform:backup\.repository: is required in a prod stack/);
            assert.match(message, /pulumi config set --path backup\.repository\.type s3 && pulumi config set --path backup\.repository\.bucket <bucket>/);
            assert.match(message, /pulumi config set --path backup\.enabled false && pulumi config set --path backup\.declinedBecause/);
        });

        it("refuses prod with backups off and no reason, and accepts it with one", () => {
            assert.match(refusal({ backup: { enabled: false }, backupSecrets: undefined }), /backup\.declinedBecause: is required with backup\.enabled false in a prod stack/);
            const s = build({ profile: "prod", ...PAGER, backup: { enabled: false, declinedBecause: "a replica cluster in another region holds these logs" }, backupSecrets: undefined }, "prod");
            assert.strictEqual(s.backup.enabled, false);
        });

        it("refuses a reason given while backups are on", () => {
            assert.match(refusal({ backup: { ...PROD_BACKUP.backup, declinedBecause: "we do not need them" } }), /backup\.declinedBecause: is set while backup\.enabled is true/);
        });

        it("leaves dev and staging off without a repository", () => {
            for (const profile of ["dev", "staging"]) {
                assert.strictEqual(build({ profile }, profile).backup.enabled, false);
            }
        });

        it("refuses backups on without a repository outside prod too", () => {
            assert.match(problemsOf({ profile: "dev", backup: { enabled: true } }), /backup\.repository: is required with backup\.enabled true/);
        });

        it("refuses each credential the repository type needs when it is missing, and one it does not read", () => {
            assert.match(refusal({ backupSecrets: { accessKey: "a" } }), /backupSecrets\.secretKey: is required for repository type s3/);
            assert.match(refusal({ backup: { repository: { type: "gcs", bucket: "b-gcs" } }, backupSecrets: { accessKey: "a", secretKey: "s" } }),
                /backupSecrets\.credentialsJson: is required for repository type gcs[^]*backupSecrets\.accessKey: is not read by repository type gcs/);
            assert.match(refusal({ backup: { repository: { type: "azure", bucket: "container" } }, backupSecrets: { account: "acct" } }),
                /backupSecrets\.key: is required for repository type azure, or backupSecrets\.sasToken instead/);
            assert.match(refusal({ backup: { repository: { type: "azure", bucket: "container" } }, backupSecrets: { account: "acct", key: "k", sasToken: "t" } }),
                /backupSecrets\.sasToken: is set beside backupSecrets\.key/);
        });

        it("never prints a credential in a refusal", () => {
            const message = refusal({ backupSecrets: { accessKey: "AKIA-VERY-SECRET", secretKey: 5 } });
            assert.match(message, /backupSecrets\.secretKey: got \[secret\]/);
            assert.ok(!message.includes("AKIA-VERY-SECRET"), message);
        });

        it("refuses client settings the repository type does not read", () => {
            assert.match(refusal({ backup: { repository: { type: "gcs", bucket: "b-gcs", region: "eu-west-1" } }, backupSecrets: { credentialsJson: "{}" } }),
                /backup\.repository\.region: is not read by repository type gcs; allowed: only with type s3/);
        });

        it("refuses an interval that does not divide a day, and retention keeping fewer than its minimum", () => {
            assert.match(problemsOf({ profile: "dev", backup: { intervalHours: 5 } }), /backup\.intervalHours: got 5; allowed: one of 1, 2, 3, 4, 6, 8, 12, 24/);
            assert.match(problemsOf({ profile: "dev", backup: { retention: { minCount: 10, maxCount: 5 } } }), /backup\.retention\.minCount: got 10; allowed: at most backup\.retention\.maxCount \(5\)/);
        });

        it("refuses backups on with logging off: Elasticsearch takes the snapshots", () => {
            assert.match(problemsOf({ profile: "dev", logging: { enabled: false }, tracing: { storage: "memory" }, backup: { enabled: true, repository: PROD_BACKUP.backup.repository }, backupSecrets: PROD_BACKUP.backupSecrets }),
                /backup\.enabled: got true with logging disabled/);
        });
    });

    describe("every bound is tested just below, at and just above its edge", () => {
        /** Every number in the schema with its path and bounds; new keys are covered without listing them. */
        function numericLeaves(schema: z.ZodType, at: string[] = []): Array<{ path: string[]; min: number; max: number; int: boolean }> {
            let inner: z.ZodType = schema;
            while (inner instanceof z.ZodOptional) {
                inner = inner.unwrap() as z.ZodType;
            }
            if (inner instanceof z.ZodObject) {
                return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([k, v]) => numericLeaves(v, [...at, k]));
            }
            if (inner instanceof z.ZodNumber) {
                assert.ok(inner.minValue !== null && inner.maxValue !== null, `${at.join(".")} has both bounds`);
                return [{ path: at, min: inner.minValue, max: inner.maxValue, int: inner.isInt }];
            }
            return [];
        }
        const nest = (path: string[], value: unknown): Record<string, unknown> =>
            path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
        // tracing.replicas above 1 needs a shared store, which staging has.
        const baseFor = (path: string[]) => (path.join(".") === "tracing.replicas" ? "staging" : "dev");

        const leaves = numericLeaves(configSchema);
        it("finds the numeric keys", () => {
            assert.ok(leaves.length >= 10, leaves.map((l) => l.path.join(".")).join(", "));
        });
        for (const leaf of leaves) {
            const key = leaf.path.join(".");
            const step = leaf.int ? 1 : 0.1;
            // Values inside the bounds that a cross-key rule refuses, each tested on its own above.
            // backup.retention: dev keeps 3 to 30 snapshots, and minCount above maxCount is refused.
            const refusedElsewhere = key === "logging.elasticsearch.nodes" ? [2] : key === "metrics.grafana.replicas" ? [2, 9, 10]
                : key === "backup.retention.minCount" ? [999, 1000] : key === "backup.retention.maxCount" ? [1, 2] : [];
            const inside = [leaf.min, leaf.min + step, leaf.max - step, leaf.max].filter((v) => !refusedElsewhere.includes(v));
            it(`${key}: ${leaf.min - step} and ${leaf.max + step} are refused, ${inside.join(", ")} accepted`, () => {
                const profile = baseFor(leaf.path);
                for (const bad of [leaf.min - step, leaf.max + step]) {
                    const config = { profile, ...nest(leaf.path, bad) };
                    const message = problemsOf(config, profile);
                    assert.ok(message.includes(`${P}:${key}: got ${bad}; allowed:`), message);
                }
                for (const good of inside) {
                    const s = build({ profile, ...nest(leaf.path, good) }, profile) as unknown as Record<string, unknown>;
                    assert.strictEqual(leaf.path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], s), good);
                }
            });
        }

        it("metrics.prometheus.retentionSize: just below the volume is accepted, equal to it and above are refused", () => {
            // dev's volume is 10Gi; Prometheus sizes are powers of 1024.
            assert.strictEqual(build({ profile: "dev", metrics: { prometheus: { retentionSize: "10239MB" } } }).metrics.prometheus.retentionSize, "10239MB");
            for (const size of ["10240MB", "10241MB"]) {
                assert.match(problemsOf({ profile: "dev", metrics: { prometheus: { retentionSize: size } } }), new RegExp(`retentionSize: got "${size}"; allowed: less than metrics\\.prometheus\\.storageSize`));
            }
        });

        it("logging.elasticsearch.heap: half the memory limit and just below are accepted, just above is refused", () => {
            // dev's Elasticsearch memory limit is 2Gi.
            for (const heap of ["1023Mi", "1Gi"]) {
                assert.strictEqual(build({ profile: "dev", logging: { elasticsearch: { heap } } }).logging.elasticsearch.heap, heap);
            }
            assert.match(problemsOf({ profile: "dev", logging: { elasticsearch: { heap: "1025Mi" } } }), /logging\.elasticsearch\.heap: got "1025Mi"; allowed: at most half/);
        });

        it("a request just below and at its limit is accepted, just above is refused", () => {
            // dev's Grafana CPU limit is 500m.
            for (const cpu of ["499m", "500m"]) {
                assert.strictEqual(build({ profile: "dev", metrics: { grafana: { resources: { requests: { cpu } } } } }).metrics.grafana.resources.requests.cpu, cpu);
            }
            assert.match(problemsOf({ profile: "dev", metrics: { grafana: { resources: { requests: { cpu: "501m" } } } } }), /metrics\.grafana\.resources\.requests\.cpu: got "501m"; allowed: at most the limit \(500m\)/);
        });
    });

    describe("rules that span keys, word for word", () => {
        const lines = (config: Record<string, unknown>) => problemsOf(config).split("\n").slice(1).map((l) => l.replace(/^  - observability-platform:/, ""));
        const cases: Array<[string, Record<string, unknown>, string[]]> = [
            ["Graylog without logging", { profile: "dev", graylog: { enabled: true }, logging: { enabled: false }, tracing: { storage: "memory" } },
                ["graylog.enabled: got true with logging disabled; allowed: false, or enable logging (its Fluent Bit agents feed Graylog)"]],
            ["logging without TLS", { profile: "dev", tls: { enabled: false } },
                ["tls.enabled: got false with logging enabled; allowed: true (Elasticsearch's certificate comes from the platform CA so that Grafana, Jaeger and Fluent Bit can verify it), or disable logging"]],
            ["a domain without TLS", { profile: "dev", logging: { enabled: false }, tracing: { storage: "memory" }, tls: { enabled: false }, domain: "obs.example.com" },
                ["tls.enabled: got false with a domain; allowed: true (every UI ingress gets its certificate from cert-manager), or drop the domain"]],
            ["several trace replicas with memory storage", { profile: "dev", tracing: { storage: "memory", replicas: 2 } },
                ["tracing.replicas: got 2 with memory storage; allowed: 1 (each replica would keep its own traces), or storage elasticsearch"]],
            ["oauth2-proxy without any OIDC setting", { profile: "dev", access: { uiAuth: "oauth2-proxy" } }, [
                'access.oidc.issuerUrl: is required with access.uiAuth "oauth2-proxy"; allowed: an https URL of the OIDC issuer',
                'access.oidc.clientId: is required with access.uiAuth "oauth2-proxy"; allowed: the client ID registered for the platform',
                'oidcClientSecret: is required with access.uiAuth "oauth2-proxy"; set it with pulumi config set --secret oidcClientSecret <secret>',
            ]],
            ["oauth2-proxy without a client ID", { profile: "dev", access: { uiAuth: "oauth2-proxy", oidc: { issuerUrl: "https://id.example.com" } }, oidcClientSecret: "s" },
                ['access.oidc.clientId: is required with access.uiAuth "oauth2-proxy"; allowed: the client ID registered for the platform']],
            ["an OIDC client secret with basic auth", { profile: "dev", oidcClientSecret: "s" },
                ['access.uiAuth: got "basic" while OIDC settings are given; allowed: "oauth2-proxy" to use them, or drop access.oidc and oidcClientSecret']],
            ["an OIDC block with basic auth", { profile: "dev", access: { oidc: { clientId: "c" } } },
                ['access.uiAuth: got "basic" while OIDC settings are given; allowed: "oauth2-proxy" to use them, or drop access.oidc and oidcClientSecret']],
            ["a receiver name twice, and an email receiver without a recipient", {
                profile: "dev",
                alerting: { receivers: [{ name: "a", type: "slack" }, { name: "a", type: "slack" }, { name: "m", type: "email" }] },
                alertingSecrets: { a: "x", m: "y" },
            }, [
                'alerting.receivers[1].name: got "a" twice; allowed: unique receiver names',
                "alerting.receivers[2].to: is required for an email receiver; allowed: an email address",
                "alerting.smtp: is required with an email receiver; allowed: an object {smarthost, from, username?, requireTls?}",
            ]],
            ["an SMTP block without a sender", {
                profile: "dev",
                alerting: { receivers: [{ name: "m", type: "email", to: "o@example.com" }], smtp: { smarthost: "smtp.example.com:587" } },
                alertingSecrets: { m: "y" },
            }, ["alerting.smtp: is required with an email receiver; allowed: an object {smarthost, from, username?, requireTls?}"]],
            ["a default receiver that does not exist, listing the receivers", {
                profile: "dev",
                alerting: { receivers: [{ name: "a", type: "slack" }, { name: "b", type: "slack" }], defaultReceiver: "c" },
                alertingSecrets: { a: "x", b: "y" },
            }, ['alerting.defaultReceiver: got "c"; allowed: one of the receivers (a, b)']],
            ["a secret that is not a string, naming what a secret must be", { profile: "dev", alertingSecrets: { oncall: 12345 } },
                ["alertingSecrets.oncall: got [secret]; allowed: a non-empty string"]],
            ["a receiver that is not an object, at its index", { profile: "dev", alerting: { receivers: ["x"] } },
                ['alerting.receivers[0]: got "x"; allowed: an object {name, type, to?, channel?}']],
            ["a secret for a receiver that does not exist, listing the receivers", {
                profile: "dev", alerting: { receivers: [{ name: "a", type: "slack" }] }, alertingSecrets: { a: "x", ghost: "y" },
            }, ["alertingSecrets.ghost: unknown receiver; allowed: one of the receivers (a)"]],
            ["a secret when no receiver is defined", { profile: "dev", alertingSecrets: { ghost: "y" } },
                ["alertingSecrets.ghost: unknown receiver; allowed: one of the receivers (none defined)"]],
            ["a Prometheus size cap equal to its volume", { profile: "dev", metrics: { prometheus: { retentionSize: "10GB" } } },
                ['metrics.prometheus.retentionSize: got "10GB"; allowed: less than metrics.prometheus.storageSize (10Gi), or Prometheus fills its volume']],
            ["a Prometheus size cap in bytes equal to its volume", { profile: "dev", metrics: { prometheus: { retentionSize: "10737418240B" } } },
                ['metrics.prometheus.retentionSize: got "10737418240B"; allowed: less than metrics.prometheus.storageSize (10Gi), or Prometheus fills its volume']],
            ["the eleventh receiver, with its index in brackets", { profile: "dev", alerting: { receivers: Array.from({ length: 11 }, (_, i) => ({ name: `r${i}`, type: i === 10 ? "teams" : "slack" })) } },
                ['alerting.receivers[10].type: got "teams"; allowed: one of email, slack, pagerduty, webhook']],
            ["requests above their limits anywhere", { profile: "dev", metrics: { grafana: { resources: { requests: { memory: "4Gi" } } } }, logging: { elasticsearch: { resources: { requests: { cpu: "9" } } } } }, [
                'metrics.grafana.resources.requests.memory: got "4Gi"; allowed: at most the limit (256Mi)',
                'logging.elasticsearch.resources.requests.cpu: got "9"; allowed: at most the limit (1)',
            ]],
        ];
        for (const [what, config, expected] of cases) {
            it(`rejects ${what}`, () => assert.deepStrictEqual(lines(config), expected));
        }

        it("accepts a Prometheus size cap just below its volume, in GB or in bytes", () => {
            assert.strictEqual(build({ profile: "dev", metrics: { prometheus: { retentionSize: "9GB" } } }).metrics.prometheus.retentionSize, "9GB");
            assert.strictEqual(build({ profile: "dev", metrics: { prometheus: { retentionSize: "10737418239B" } } }).metrics.prometheus.retentionSize, "10737418239B");
        });

        it("accepts an email receiver with a recipient and a complete SMTP block", () => {
            const s = build({
                profile: "dev",
                alerting: { receivers: [{ name: "m", type: "email", to: "o@example.com" }], smtp: { smarthost: "smtp.example.com:587", from: "a@example.com" } },
                alertingSecrets: { m: "y" },
            });
            assert.deepStrictEqual(s.alerting.receivers.map((r) => r.name), ["m"]);
        });

        it("keeps a string key that looks like a number a string", () => {
            assert.strictEqual(build({ profile: "dev", storageClassName: "123" }).storageClassName, "123");
        });

        it("counts one problem in the singular", () => {
            assert.match(problemsOf({ profile: "dev", tls: { enabled: false } }), /^Invalid configuration for stack "dev" \(1 problem\):\n  - /);
        });
    });

    it("reads the booleans true and false from the stack file, and keeps any other text for the schema to reject", () => {
        assert.strictEqual(build({ profile: "prod", ...PAGER, protectData: "false" }, "prod").protectData, false);
        assert.strictEqual(build({ profile: "dev", protectData: "true" }).protectData, true);
        assert.match(problemsOf({ profile: "dev", protectData: "False" }), /protectData: got "False"; allowed: true or false/);
    });

    it("keeps a malformed object for the schema to reject", () => {
        assert.match(problemsOf({ profile: "dev", metrics: "{not json" }), /observability-platform:metrics: got "\{not json"; allowed: an object/);
    });

    it("recognises its errors by name, as a program loaded afresh must", () => {
        let err: unknown;
        try {
            build({});
        } catch (e) {
            err = e;
        }
        assert.ok(isConfigError(err));
        assert.strictEqual((err as Error).name, "ConfigError");
        assert.strictEqual(isConfigError(new Error("x")), false);
        assert.strictEqual(isConfigError({ name: "ConfigError" }), false);
    });

    it("suggests the closest known key only when it is close, preferring the nearest", () => {
        assert.strictEqual(closest("replcas", ["replicas", "resources"]), "replicas");
        assert.strictEqual(closest("storge", ["storage", "storageSize"]), "storage");
        assert.strictEqual(closest("storag", ["storages", "storage"]), "storage", "the nearer of two close keys");
        assert.strictEqual(closest("ab", ["ac", "ad"]), "ac", "the first of two equally close keys");
        assert.strictEqual(closest("xyz", ["replicas"]), undefined);
        assert.strictEqual(closest("ab", ["abcd"]), "abcd", "two edits are always close enough");
        assert.strictEqual(closest("a", ["abcd"]), undefined, "three are not, for a short key");
        assert.strictEqual(closest("enabld", ["Enabled"]), "Enabled", "case does not count");
    });

});
