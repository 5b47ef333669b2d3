import * as assert from "assert";
import { acmeServer, ACME_SERVERS } from "../../../components/tls";
import { ProgramRun, RecordedResource, runProgram } from "../../../scripts/mock-program";
import { stackRun } from "../../helpers/program";

const issuer = (run: ProgramRun, name: string) =>
    run.resources.find((r) => r.inputs.kind === "ClusterIssuer" && r.inputs.metadata.name === name);
const component = (run: ProgramRun, type: string) => run.resources.find((r) => r.type === type)!;
/** Whether `r` or one of its ancestors waits for `dep`. */
function waitsFor(run: ProgramRun, r: RecordedResource, dep: RecordedResource): boolean {
    for (let at: RecordedResource | undefined = r; at; at = run.resources.find((x) => x.urn === at!.parent)) {
        if (at.dependsOn.includes(dep.urn)) {
            return true;
        }
    }
    return false;
}

/** Whether `r` waits for `dep` through any chain of dependencies (each link's ancestors included). */
function waitsTransitivelyFor(run: ProgramRun, r: RecordedResource, dep: RecordedResource): boolean {
    const seen = new Set<string>();
    const queue = [r];
    while (queue.length > 0) {
        const at = queue.pop()!;
        if (seen.has(at.urn)) {
            continue;
        }
        seen.add(at.urn);
        if (waitsFor(run, at, dep)) {
            return true;
        }
        for (let up: RecordedResource | undefined = at; up; up = run.resources.find((x) => x.urn === up!.parent)) {
            queue.push(...up.dependsOn.map((u) => run.resources.find((x) => x.urn === u)).filter((x): x is RecordedResource => Boolean(x)));
        }
    }
    return false;
}

describe("TLS", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        describe(stack, () => {
            let run: ProgramRun;
            before(async () => { run = await stackRun(stack); });

            it("installs the pinned cert-manager, without its CRDs, and its startup API check", () => {
                const cm = component(run, "kubernetes-cert-manager:index:CertManager");
                assert.deepStrictEqual(cm.inputs.helmOptions.values.crds, { enabled: false });
                assert.strictEqual(cm.inputs.helmOptions.version, "v1.19.1");
                assert.strictEqual(cm.inputs.helmOptions.namespace, "cert-manager");
                assert.strictEqual(cm.inputs.startupapicheck.enabled, true, "the Release waits until the webhook admits requests");
            });

            it("declares cert-manager's six CRDs itself, retained on delete, before the Release and before every chart that renders cert-manager kinds", () => {
                const crds = run.resources.filter((r) => r.inputs.kind === "CustomResourceDefinition" && r.inputs.spec.group.endsWith("cert-manager.io"));
                assert.deepStrictEqual(crds.map((r) => r.inputs.metadata.name).sort(), [
                    "certificaterequests.cert-manager.io", "certificates.cert-manager.io", "challenges.acme.cert-manager.io",
                    "clusterissuers.cert-manager.io", "issuers.cert-manager.io", "orders.acme.cert-manager.io",
                ]);
                for (const crd of crds) {
                    assert.strictEqual(crd.retainOnDelete, true, crd.name);
                    assert.strictEqual(crd.inputs.metadata.labels["app.kubernetes.io/instance"], "cert-manager", "rendered as the Release rendered them");
                    assert.strictEqual(crd.inputs.metadata.annotations["helm.sh/resource-policy"], "keep", "the live objects keep it, so a Release upgrade without them leaves them");
                }
                const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Chart")!;
                assert.deepStrictEqual(run.resources.filter((r) => r.parent === chart.urn).map((r) => r.inputs.kind).filter((k) => k !== "CustomResourceDefinition"), [], "nothing but CRDs");
                const cm = component(run, "kubernetes-cert-manager:index:CertManager");
                for (const crd of crds) {
                    assert.ok(cm.dependsOn.includes(crd.urn), `the Release waits for ${crd.name}`);
                }
                const kps = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart.includes("kube-prometheus-stack"));
                assert.ok(kps, "kube-prometheus-stack is in every stack");
                for (const crd of crds) {
                    assert.ok(waitsTransitivelyFor(run, kps, crd), `kube-prometheus-stack, which renders Certificates, is constructed after ${crd.name} was checked`);
                }
            });

            it("every issuer and the root certificate is awaited until Ready, not just until it exists", () => {
                const awaited = run.resources.filter((r) => r.parent?.endsWith("::observability-tls") && r.custom && r.type.startsWith("kubernetes:cert-manager.io/"));
                assert.ok(awaited.length >= 3);
                for (const r of awaited) {
                    assert.strictEqual(r.inputs.metadata.annotations?.["pulumi.com/waitFor"], "condition=Ready", r.name);
                }
            });

            it("chains a self-signed root into the platform CA issuer", () => {
                const root = run.resources.find((r) => r.inputs.kind === "Certificate" && r.inputs.metadata.name === "platform-root-ca")!;
                assert.strictEqual(root.inputs.spec.isCA, true);
                assert.strictEqual(root.inputs.spec.issuerRef.name, "platform-selfsigned");
                assert.strictEqual(issuer(run, "platform-ca")!.inputs.spec.ca.secretName, "platform-root-ca");
                assert.ok(issuer(run, "platform-ca")!.dependsOn.includes(root.urn));
                const cm = component(run, "kubernetes-cert-manager:index:CertManager");
                assert.ok(issuer(run, "platform-selfsigned")!.dependsOn.includes(cm.urn), "no issuer before cert-manager is up");
            });

            it("every pillar and every ingress waits for the CA issuer", () => {
                const ca = issuer(run, "platform-ca")!;
                const waiting = ["observability:logging:Logging", "observability:metrics:Monitoring", "observability:access:Access", "observability:tracing:Tracing"]
                    .map((t) => run.resources.find((r) => r.type === t)).filter((r): r is RecordedResource => Boolean(r));
                assert.ok(waiting.length >= 4);
                for (const r of waiting) {
                    assert.ok(waitsFor(run, r, ca), `${r.type} waits for the CA issuer`);
                }
            });
        });
    }

    it("uses Let's Encrypt's production endpoint only in prod", async () => {
        assert.strictEqual(acmeServer("prod"), ACME_SERVERS.production);
        assert.strictEqual(acmeServer("staging"), ACME_SERVERS.staging);
        assert.strictEqual(acmeServer("dev"), ACME_SERVERS.staging);
        const staging = issuer(await stackRun("staging"), "letsencrypt")!;
        assert.strictEqual(staging.inputs.spec.acme.server, ACME_SERVERS.staging);
        assert.strictEqual(issuer(await stackRun("prod"), "letsencrypt")!.inputs.spec.acme.server, ACME_SERVERS.production);
    });

    it("solves HTTP-01 through the stack's ingress class, with the configured email", async () => {
        const run = await runProgram("prod", { config: { "observability-platform:ingressClassName": "traefik" } });
        const acme = issuer(run, "letsencrypt")!.inputs.spec.acme;
        assert.deepStrictEqual(acme.solvers, [{ http01: { ingress: { ingressClassName: "traefik" } } }]);
        assert.strictEqual(acme.email, "platform-team@example.com");
    });

    it("makes no ACME issuer without a domain and an email", async () => {
        assert.strictEqual(issuer(await stackRun("dev"), "letsencrypt"), undefined);
    });
});
