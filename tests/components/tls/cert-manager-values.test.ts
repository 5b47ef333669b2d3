import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CERT_MANAGER_WAIT, CERT_MANAGER_WEBHOOK_POD_LABELS, certManagerArgs, certManagerWebhookPdb } from "../../../components/tls";
import { CERT_MANAGER } from "../../../components/shared/charts";
import { unpackChart } from "../../helpers/chart-archive";
import { stackRun } from "../../helpers/program";

type Schema = Record<string, any>;
const KNOWN = new Set(["$schema", "$ref", "$defs", "type", "properties", "additionalProperties", "items", "default", "description"]);

/**
 * The JSON Schema keywords cert-manager's values.schema.json uses, checked as Helm checks them.
 * Any other keyword fails the test, so a chart bump that needs more is noticed, not ignored.
 */
function schemaErrors(root: Schema, schema: Schema, value: unknown, at: string): string[] {
    for (const key of Object.keys(schema)) {
        if (!KNOWN.has(key)) {
            return [`${at}: schema keyword ${key} is not understood by this check`];
        }
    }
    if (schema.$ref) {
        const target = (schema.$ref as string).replace(/^#\//, "").split("/").reduce((s: any, k) => s?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], root);
        return target ? schemaErrors(root, target, value, at) : [`${at}: unresolved ${schema.$ref}`];
    }
    const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
    if (schema.type) {
        const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
        const actual = typeOf(value);
        if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
            return [`${at}: ${actual} where the chart allows ${types.join("|")}`];
        }
    }
    const errors: string[] = [];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [key, v] of Object.entries(value)) {
            const sub = schema.properties?.[key];
            if (sub) {
                errors.push(...schemaErrors(root, sub, v, `${at}.${key}`));
            } else if (schema.additionalProperties === false) {
                errors.push(`${at}: additional property '${key}' not allowed`);
            } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
                errors.push(...schemaErrors(root, schema.additionalProperties, v, `${at}.${key}`));
            }
        }
    }
    if (Array.isArray(value) && schema.items) {
        value.forEach((v, i) => errors.push(...schemaErrors(root, schema.items, v, `${at}[${i}]`)));
    }
    return errors;
}

/** What the Release hands Helm: `helmOptions.values` with every typed field copied over it (pulumi-go-helmbase `InitDefaults`). */
function releaseValues(args: Record<string, any>): Record<string, any> {
    const { helmOptions, ...typed } = args;
    return JSON.parse(JSON.stringify({ ...(helmOptions?.values ?? {}), ...typed }));
}

describe("TLS: cert-manager values against cert-manager's own values.schema.json", () => {
    let schema: Schema;
    before(() => {
        schema = JSON.parse(fs.readFileSync(path.join(unpackChart(CERT_MANAGER), "values.schema.json"), "utf8"));
    });
    const check = (values: unknown) => schemaErrors(schema, schema, values, "values");

    it("the check rejects what Helm rejects: unknown keys and wrong types", () => {
        assert.deepStrictEqual(check({ prometheus: { serviceMonitor: { enabled: false } } }), ["values.prometheus: additional property 'serviceMonitor' not allowed"]);
        assert.deepStrictEqual(check({ startupapicheck: { timeout: 300 } }), ["values.startupapicheck.timeout: integer where the chart allows string"]);
        assert.deepStrictEqual(check({ crds: { enabled: true, keep: true } }), []);
    });

    it("the program's values pass the chart's schema", () => {
        assert.deepStrictEqual(check(releaseValues(certManagerArgs("cert-manager", 1, false) as Record<string, any>)), []);
    });

    it("the mocked program passes exactly those arguments", async () => {
        const cm = (await stackRun("prod")).resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!;
        assert.deepStrictEqual(check(releaseValues(cm.inputs)), []);
    });

    it("the Release installs no CRDs, through crds.enabled rather than the deprecated installCRDs: the program declares them", () => {
        const values = releaseValues(certManagerArgs("cert-manager", 1, false) as Record<string, any>);
        assert.deepStrictEqual(values.crds, { enabled: false });
        assert.strictEqual(values.installCRDs, undefined);
    });

    it("the Release waits longer than the startup API check it runs", () => {
        const args = certManagerArgs("cert-manager", 1, false) as Record<string, any>;
        const minutes = /^(\d+)m$/.exec(args.startupapicheck.timeout);
        assert.ok(minutes, "a whole number of minutes");
        assert.strictEqual(args.helmOptions.timeout, CERT_MANAGER_WAIT.releaseTimeoutSeconds);
        assert.ok(args.helmOptions.timeout >= Number(minutes[1]) * 60 + 300, "five minutes for pulls and rollout before the check starts");
        assert.strictEqual(args.helmOptions.skipAwait, false);
    });

    it("with two webhook replicas, the values still pass the chart's schema and prefer different nodes and zones", () => {
        const values = releaseValues(certManagerArgs("cert-manager", 2, true) as Record<string, any>);
        assert.deepStrictEqual(check(values), []);
        assert.strictEqual(values.webhook.replicaCount, 2);
        const terms = values.webhook.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
        assert.deepStrictEqual(terms.map((t: any) => t.podAffinityTerm.topologyKey), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
        assert.deepStrictEqual(terms[0].podAffinityTerm.labelSelector.matchLabels, CERT_MANAGER_WEBHOOK_POD_LABELS);
        assert.strictEqual(values.replicaCount, 1, "the controller elects a leader and is not in the write path");
    });

    it("one webhook replica keeps the chart's scheduling", () => {
        assert.strictEqual(releaseValues(certManagerArgs("cert-manager", 1, false) as Record<string, any>).webhook.affinity, undefined);
    });

    it("the webhook's own PDB selects exactly the labels the chart puts on its pods, and never blocks a drain", () => {
        const template = fs.readFileSync(path.join(unpackChart(CERT_MANAGER), "templates/webhook-deployment.yaml"), "utf8");
        const podLabels = template.slice(template.indexOf("  template:"));
        assert.match(podLabels, /app.kubernetes.io\/name: \{\{ include "webhook.name" \. \}\}\n\s+app.kubernetes.io\/instance: \{\{ \.Release\.Name \}\}\n\s+app.kubernetes.io\/component: "webhook"/);
        const pdb = certManagerWebhookPdb("cert-manager");
        assert.deepStrictEqual(pdb.spec, { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: CERT_MANAGER_WEBHOOK_POD_LABELS } });
    });

    it("prod and staging run two webhooks under that PDB, dev one and none", async () => {
        for (const [stack, replicas] of [["dev", 1], ["staging", 2], ["prod", 2]] as const) {
            const run = await stackRun(stack);
            const cm = run.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!;
            assert.strictEqual(releaseValues(cm.inputs).webhook.replicaCount, replicas, stack);
            const pdbs = run.resources.filter((r) => r.inputs.kind === "PodDisruptionBudget" && r.inputs.metadata.namespace === "cert-manager");
            assert.strictEqual(pdbs.length, replicas > 1 ? 1 : 0, stack);
        }
    });

    it("the startup API check Job requests resources like every other container", () => {
        const args = certManagerArgs("cert-manager", 1, false) as Record<string, any>;
        assert.deepStrictEqual(Object.keys(args.startupapicheck.resources.requests).sort(), ["cpu", "ephemeral-storage", "memory"]);
    });
});
