import * as assert from "assert";
import * as YAML from "yaml";
import { valuesFor } from "./fixtures";
import { httpsAppProtocolTransform, MONITORING_TLS_SECRETS, monitoringCertificates } from "../../../components/metrics/tls";
import { GRAFANA_CA_FILE } from "../../../components/metrics/values";
import { KubeObject } from "../../../scripts/chart-render";
import { ProgramRun, runProgram } from "../../../scripts/mock-program";
import { chartChildren } from "../../helpers/chart-children";
import { stackRun } from "../../helpers/program";

const NS = "monitoring";
const TLS_OFF = { "observability-platform:tls": JSON.stringify({ enabled: false }), "observability-platform:logging": JSON.stringify({ enabled: false }) };

const certificates = (run: ProgramRun) => run.resources.filter((r) => r.inputs?.kind === "Certificate" && r.inputs.metadata.namespace === NS).map((r) => r.inputs);
const certFor = (run: ProgramRun, secret: string) => certificates(run).find((c) => c.spec.secretName === secret)!;
const kpsObjects = async (run: ProgramRun) => (await chartChildren(run, "kube-prometheus-stack")).map((c) => c.object);
const find = (objects: readonly KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

describe("Monitoring TLS", () => {
    describe("certificates", () => {
        const [prometheus, alertmanager, trust] = monitoringCertificates(NS, "platform-ca");

        it("name every Service a client may dial, the operator's governing ones included, in each form", () => {
            for (const [cert, services] of [[prometheus, ["kps-prometheus", "prometheus-operated"]], [alertmanager, ["kps-alertmanager", "alertmanager-operated"]]] as const) {
                assert.deepStrictEqual(cert.spec.dnsNames, services.flatMap((s) => [s, `${s}.${NS}`, `${s}.${NS}.svc`, `${s}.${NS}.svc.cluster.local`]));
            }
        });

        it("come from the platform CA, are awaited Ready, serve as TLS servers and get a new key on every renewal", () => {
            for (const cert of [prometheus, alertmanager]) {
                assert.deepStrictEqual(cert.spec.issuerRef, { name: "platform-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
                assert.strictEqual(cert.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
                assert.ok(cert.spec.usages.includes("server auth"));
                assert.strictEqual(cert.spec.privateKey.rotationPolicy, "Always");
                assert.strictEqual(cert.spec.secretName, cert.metadata.name);
            }
            assert.strictEqual(trust.spec.secretName, MONITORING_TLS_SECRETS.trust);
            assert.ok(!trust.spec.usages.includes("server auth"), "the trust certificate serves nothing");
        });
    });

    describe("with TLS on (staging)", () => {
        let run: ProgramRun;
        let objects: KubeObject[];
        before(async function () {
            this.timeout(120_000);
            run = await stackRun("staging");
            objects = await kpsObjects(run);
        });

        it("Prometheus and Alertmanager serve their own certificate's Secret", () => {
            for (const [kind, name, secret] of [["Prometheus", "kps-prometheus", "kps-prometheus-tls"], ["Alertmanager", "kps-alertmanager", "kps-alertmanager-tls"]]) {
                const tls = find(objects, kind, name).spec.web.tlsConfig;
                assert.deepStrictEqual(tls.cert, { secret: { name: secret, key: "tls.crt" } }, kind);
                assert.deepStrictEqual(tls.keySecret, { name: secret, key: "tls.key" }, kind);
                assert.ok(certFor(run, secret), `${secret} is a Certificate's Secret`);
            }
        });

        it("Prometheus sends alerts over HTTPS, verifying the CA and a name in Alertmanager's certificate", () => {
            const [endpoint] = find(objects, "Prometheus", "kps-prometheus").spec.alerting.alertmanagers;
            assert.strictEqual(endpoint.scheme, "https");
            assert.deepStrictEqual(endpoint.tlsConfig.ca, { secret: { name: MONITORING_TLS_SECRETS.trust, key: "ca.crt" } });
            assert.ok(certFor(run, "kps-alertmanager-tls").spec.dnsNames.includes(endpoint.tlsConfig.serverName));
            assert.ok(certFor(run, MONITORING_TLS_SECRETS.trust), "the CA comes from a Certificate's Secret");
        });

        it("the chart's own ServiceMonitors scrape both ports of each over HTTPS, verifying a name in its certificate", () => {
            for (const [monitor, secret] of [["kps-prometheus", "kps-prometheus-tls"], ["kps-alertmanager", "kps-alertmanager-tls"]]) {
                const endpoints = find(objects, "ServiceMonitor", monitor).spec.endpoints;
                assert.deepStrictEqual(endpoints.map((e: any) => e.port), ["http-web", "reloader-web"]);
                for (const e of endpoints) {
                    assert.strictEqual(e.scheme, "https", `${monitor} ${e.port}`);
                    assert.deepStrictEqual(e.tlsConfig.ca, { secret: { name: MONITORING_TLS_SECRETS.trust, key: "ca.crt" } });
                    assert.ok(certFor(run, secret).spec.dnsNames.includes(e.tlsConfig.serverName), `${monitor} ${e.port}: ${e.tlsConfig.serverName}`);
                    assert.strictEqual(e.tlsConfig.insecureSkipVerify, undefined);
                }
            }
        });

        it("both Services declare every port's protocol as https", () => {
            for (const name of ["kps-prometheus", "kps-alertmanager"]) {
                assert.deepStrictEqual(find(objects, "Service", name).spec.ports.map((p: any) => `${p.name} ${p.appProtocol}`), ["http-web https", "reloader-web https"]);
            }
        });

        it("Grafana queries both over HTTPS, verifying the CA from a mount of the trust Secret's ca.crt alone", () => {
            const yaml = YAML.parse(find(objects, "ConfigMap", "kps-grafana-datasource").data["datasource.yaml"]);
            const byUid = Object.fromEntries(yaml.datasources.map((d: any) => [d.uid, d]));
            for (const [uid, secret] of [["prometheus", "kps-prometheus-tls"], ["alertmanager", "kps-alertmanager-tls"]]) {
                const url = new URL(byUid[uid].url);
                assert.strictEqual(url.protocol, "https:", uid);
                assert.ok(certFor(run, secret).spec.dnsNames.includes(url.hostname), `${uid}: ${url.hostname}`);
                assert.strictEqual(byUid[uid].jsonData.tlsAuthWithCACert, true, uid);
                assert.strictEqual(byUid[uid].secureJsonData.tlsCACert, `$__file{${GRAFANA_CA_FILE}}`, uid);
            }
            assert.strictEqual(byUid.prometheus.isDefault, true);
            assert.strictEqual(yaml.datasources.filter((d: any) => d.type === "prometheus").length, 1, "the chart's own Prometheus datasource is off");
            const pod = find(objects, "Deployment", "kps-grafana").spec.template.spec;
            const volume = pod.volumes.find((v: any) => v.secret?.secretName === MONITORING_TLS_SECRETS.trust);
            assert.deepStrictEqual(volume.secret.items, [{ key: "ca.crt", path: "ca.crt" }]);
            const mount = pod.containers.find((c: any) => c.name === "grafana").volumeMounts.find((m: any) => m.name === volume.name);
            assert.strictEqual(`${mount.mountPath}/ca.crt`, GRAFANA_CA_FILE);
        });

        it("the chart waits for the certificates, so the operator finds the CA and the pods their Secrets", () => {
            const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack")!;
            const certUrns = run.resources.filter((r) => r.inputs?.kind === "Certificate" && r.parent === chart.parent).map((r) => r.urn);
            assert.strictEqual(certUrns.length, 3);
            for (const urn of certUrns) {
                assert.ok(chart.dependsOn.includes(urn), urn);
            }
        });
    });

    describe("with TLS off", () => {
        let run: ProgramRun;
        let objects: KubeObject[];
        before(async function () {
            this.timeout(120_000);
            run = await runProgram("dev", { config: TLS_OFF });
            objects = await kpsObjects(run);
        });

        it("Prometheus and Alertmanager serve plain HTTP and are queried so", () => {
            assert.strictEqual(find(objects, "Prometheus", "kps-prometheus").spec.web, undefined);
            assert.strictEqual(find(objects, "Alertmanager", "kps-alertmanager").spec.web, undefined);
            assert.strictEqual(find(objects, "Prometheus", "kps-prometheus").spec.alerting.alertmanagers[0].scheme, undefined);
            const datasources = find(objects, "ConfigMap", "kps-grafana-datasource").data["datasource.yaml"];
            assert.match(datasources, /url: http:\/\/kps-prometheus\.monitoring\.svc:9090/);
            assert.ok(!datasources.includes("tlsAuthWithCACert"));
        });

        it("nothing names a certificate or trust Secret that no one makes", () => {
            assert.deepStrictEqual(certificates(run), []);
            const everything = JSON.stringify([...objects, ...run.resources.map((r) => r.inputs)]);
            for (const secret of Object.values(MONITORING_TLS_SECRETS)) {
                assert.ok(!everything.includes(secret), secret);
            }
        });
    });

    it("the values leave TLS out unless asked", () => {
        const v = valuesFor("prod");
        assert.strictEqual(v.prometheus.prometheusSpec.web, undefined);
        assert.strictEqual(v.prometheus.serviceMonitor, undefined);
        assert.strictEqual(v.alertmanager.alertmanagerSpec.scheme, undefined);
        assert.ok(valuesFor("prod", { tls: true }).prometheus.prometheusSpec.web.tlsConfig);
    });

    it("the protocol transform touches only the Prometheus and Alertmanager Services", () => {
        const service = (name: string) => ({ type: "kubernetes:core/v1:Service", props: { metadata: { name }, spec: { ports: [{ name: "http", port: 80 }] } }, opts: {} });
        assert.strictEqual(httpsAppProtocolTransform(service("kps-grafana")), undefined);
        assert.strictEqual(httpsAppProtocolTransform({ ...service("kps-prometheus"), type: "kubernetes:apps/v1:Deployment" }), undefined);
        assert.deepStrictEqual(httpsAppProtocolTransform(service("kps-alertmanager"))?.props.spec.ports, [{ name: "http", port: 80, appProtocol: "https" }]);
    });
});
