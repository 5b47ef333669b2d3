import * as assert from "assert";
import { KubeObject } from "../../../scripts/chart-render";
import { admissionWebhookProgram, certManagerPrograms, webhookBackends } from "../../../scripts/lab/serve";
import { renderedStack, STACKS } from "../full-render";

/** A webhook configuration, its Service and the Deployment behind it, resolving to container port 10250 by name. */
function chain(): KubeObject[] {
    return [
        { kind: "ValidatingWebhookConfiguration", metadata: { name: "hooks" }, webhooks: [{ name: "a.example.com", clientConfig: { service: { namespace: "ns", name: "svc", path: "/validate" } } }] },
        { kind: "Service", metadata: { namespace: "ns", name: "svc" }, spec: { selector: { app: "hook" }, ports: [{ port: 443, targetPort: "https" }] } },
        {
            kind: "Deployment",
            metadata: { namespace: "ns", name: "hook" },
            spec: { selector: { matchLabels: { app: "hook" } }, template: { metadata: { labels: { app: "hook", extra: "x" } }, spec: { containers: [{ name: "c", ports: [{ name: "metrics", containerPort: 9402 }, { name: "https", containerPort: 10250 }] }] } } },
        },
    ];
}

describe("lab services: the webhooks served while the engine deploys", () => {
    it("resolves a webhook as the API server does: Service, its port (443 unset), the named targetPort on the selected pods", () => {
        assert.deepStrictEqual(webhookBackends(chain()), [{ deployment: "ns/hook", selector: { app: "hook" }, containerPort: 10250, callers: ["ValidatingWebhookConfiguration hooks (a.example.com)"] }]);
    });

    it("names the webhook whose chain is broken: no Service, no such Service port, no selected Deployment, an undeclared targetPort", () => {
        const broken = (change: (o: KubeObject[]) => void) => {
            const objects = chain();
            change(objects);
            return () => webhookBackends(objects);
        };
        assert.throws(broken((o) => { o[1].metadata.name = "other"; }), /hooks \(a.example.com\): no Service ns\/svc/);
        assert.throws(broken((o) => { o[0].webhooks[0].clientConfig.service.port = 8443; }), /has no port 8443/);
        assert.throws(broken((o) => { o[1].spec.selector = { app: "nothing" }; }), /no Deployment in ns has the pods Service svc selects/);
        assert.throws(broken((o) => { o[1].spec.ports[0].targetPort = "webhook"; }), /targets port webhook, which no container of Deployment ns\/hook declares/);
    });

    it("leaves out webhooks called by URL: nothing in the cluster serves them", () => {
        const objects = chain();
        objects[0].webhooks[0].clientConfig = { url: "https://hooks.example.com/validate" };
        assert.deepStrictEqual(webhookBackends(objects), []);
    });

    for (const stack of STACKS) {
        it(`${stack}: every fail-closed webhook of the render has a backend the lab runs a real program for`, async () => {
            const { objects } = await renderedStack(stack);
            const labObjects = objects.map(({ file, object }) => ({ source: file, object }));
            const programs = [...certManagerPrograms(labObjects, "/lab", 18444, "/bin"), admissionWebhookProgram(labObjects, "/lab", 18443, "/bin")!];
            const kube = objects.map((o) => o.object);
            const failClosed = kube.filter((o) => /WebhookConfiguration$/.test(o.kind) && (o.webhooks ?? []).some((w: any) => (w.failurePolicy ?? "Fail") === "Fail" && w.clientConfig?.service));
            assert.ok(failClosed.length >= 2, "cert-manager's and the Prometheus Operator's");
            const served = new Set(programs.map((p) => p.serves).filter(Boolean));
            const backends = webhookBackends(failClosed.concat(kube.filter((o) => o.kind === "Service" || o.kind === "Deployment")));
            assert.deepStrictEqual(backends.filter((b) => !served.has(b.deployment)).map((b) => b.deployment), []);
            assert.deepStrictEqual(backends.map((b) => b.containerPort), backends.map(() => 10250));
        });
    }

    it("runs cert-manager's three programs with the rendered arguments, POD_NAMESPACE expanded, its ports on loopback", async () => {
        const { objects } = await renderedStack("dev");
        const programs = certManagerPrograms(objects.map(({ file, object }) => ({ source: file, object })), "/lab", 18444, "/bin");
        assert.deepStrictEqual(programs.map((p) => p.name).sort(), ["cert-manager-cainjector", "cert-manager-controller", "cert-manager-webhook"]);
        const webhook = programs.find((p) => p.name === "cert-manager-webhook")!;
        assert.strictEqual(webhook.serves, "cert-manager/cert-manager-webhook");
        assert.strictEqual(webhook.localPort, 18444);
    });
});
