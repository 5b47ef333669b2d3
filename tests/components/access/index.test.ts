import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import { AddressInfo } from "net";
import * as path from "path";
import * as bcrypt from "bcryptjs";
import { dataStorePolicies, defaultDenyPolicy, egressPolicy, GATE_CA_DIR, gateManifests, gateNginxConfig, gateNginxConfigFor, GateConfigInput, uiIngress } from "../../../components/access/values";
import { dataStores, ingressPaths, uiRoutes } from "../../../components/wiring";
import { namespacePlan, platformNetworkPolicies } from "../../../components/platform";
import { validateAccessArgs } from "../../../components/access";
import { graylogValues, MONGODB_EXPORTER_PORT } from "../../../components/graylog/values";
import { buildSettings, PlatformSettings } from "../../../components/settings";
import { profileConfig } from "../../helpers/settings";
import { runProgram } from "../../../scripts/mock-program";
import { runTool, tempDir } from "../../helpers/tools";
import { stackRun } from "../../helpers/program";

const settingsFor = (profile: string, extra: Record<string, string> = {}): PlatformSettings =>
    buildSettings({ stack: profile, config: { ...profileConfig(profile), ...extra } });
const OIDC = {
    "observability-platform:domain": "obs.example.com",
    "observability-platform:access": JSON.stringify({ uiAuth: "oauth2-proxy", oidc: { issuerUrl: "https://login.example.com/realms/ops", clientId: "observability" } }),
    "observability-platform:oidcClientSecret": "oidc-client-secret-value",
};
/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const probe = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as AddressInfo;
            probe.close(() => resolve(port));
        });
    });
}

/** A gate's nginx, started from its configuration on a free loopback port; stop() ends it. */
async function startGate(input: Omit<GateConfigInput, "listen" | "htpasswdFile" | "tmp">): Promise<{ port: number; stop: () => void }> {
    const dir = tempDir("gate-live");
    // Workers run as nobody when the tests run as root.
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, "htpasswd"), `admin:${bcrypt.hashSync("s3cret-pass", 4)}\n`);
    const port = await freePort();
    fs.writeFileSync(path.join(dir, "nginx.conf"), gateNginxConfig({ ...input, listen: port, htpasswdFile: path.join(dir, "htpasswd"), tmp: dir }));
    let stderr = "";
    const nginx: ChildProcess = spawn("nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    nginx.stderr!.on("data", (c) => (stderr += c));
    for (let i = 0; i < 100 && nginx.exitCode === null; i++) {
        if (await gateGet(port, "/healthz").then((r) => r.status === 200, () => false)) {
            return { port, stop: () => nginx.kill() };
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    nginx.kill();
    throw new Error(`nginx did not start (exit ${nginx.exitCode}): ${stderr}`);
}

function gateGet(port: number, p: string, auth?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: p, headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {} }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        }).on("error", reject);
    });
}

/** A throwaway CA and a server certificate it signs for `dnsName`, made by openssl in `dir`. */
function testPki(dir: string, dnsName: string): { ca: string; cert: string; key: string } {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    const run = (args: string[]) => {
        const r = runTool("openssl", args, dir);
        assert.strictEqual(r.status, 0, r.output);
    };
    run(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test platform CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    run(["req", ...ec, "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=server"]);
    fs.writeFileSync(path.join(dir, "ext.cnf"), `subjectAltName=DNS:${dnsName}\nextendedKeyUsage=serverAuth\n`);
    run(["x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", "1", "-extfile", "ext.cnf"]);
    return { ca: path.join(dir, "ca.crt"), cert: path.join(dir, "tls.crt"), key: path.join(dir, "tls.key") };
}
const kinds = (run: { resources: readonly any[] }, kind: string) => run.resources.filter((r) => r.inputs.kind === kind);

describe("Access", () => {
    describe("UI ingress", () => {
        it("staging serves every enabled UI over HTTPS at <app>.<domain> with Let's Encrypt certificates", async () => {
            const run = await stackRun("staging");
            const ingresses = kinds(run, "Ingress");
            assert.deepStrictEqual(ingresses.map((r) => r.inputs.spec.rules[0].host).sort(), [
                "alertmanager", "grafana", "graylog", "jaeger", "kibana", "prometheus",
            ].map((a) => `${a}.staging.observability.example.com`));
            for (const ingress of ingresses) {
                assert.strictEqual(ingress.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
                assert.strictEqual(ingress.inputs.spec.ingressClassName, "nginx");
                assert.deepStrictEqual(ingress.inputs.spec.tls[0].hosts, [ingress.inputs.spec.rules[0].host]);
            }
            assert.strictEqual((run.outputs.urls as Record<string, string>).grafana, "https://grafana.staging.observability.example.com");
            assert.deepStrictEqual(run.outputs.uiCredentials, { prometheus: "monitoring/ui-gate-prometheus", alertmanager: "monitoring/ui-gate-alertmanager", jaeger: "tracing/ui-gate-jaeger" });
        });

        it("without a domain there is no ingress, gate or URL", async () => {
            const run = await stackRun("dev");
            assert.deepStrictEqual(kinds(run, "Ingress"), []);
            assert.deepStrictEqual(kinds(run, "Deployment").filter((r) => r.inputs.metadata.name.startsWith("ui-gate")), []);
            assert.deepStrictEqual(run.outputs.urls, {});
        });

        it("a domain without an ACME email gets certificates from the platform CA", async () => {
            const run = await runProgram("dev", { config: { "observability-platform:domain": "dev.example.com" } });
            const issuers = new Set(kinds(run, "Ingress").map((r) => r.inputs.metadata.annotations["cert-manager.io/cluster-issuer"]));
            assert.deepStrictEqual([...issuers], ["platform-ca"]);
        });

        it("Prometheus, Alertmanager and Jaeger sit behind a gate; Grafana, Kibana and Graylog use their own login", () => {
            const s = settingsFor("staging", { "observability-platform:domain": "obs.example.com" });
            const backends = Object.fromEntries(uiRoutes(s).map((r) => [r.app, uiIngress(r, "obs.example.com", "nginx", "ca", s.access).spec.rules[0].http.paths[0].backend.service.name]));
            assert.deepStrictEqual(backends, {
                grafana: "kps-grafana", prometheus: "ui-gate-prometheus", alertmanager: "ui-gate-alertmanager",
                kibana: "logs-kb-http", jaeger: "ui-gate-jaeger", graylog: "graylog-svc",
            });
        });

        it("speaks HTTPS to Kibana, whose ECK certificate stays on", () => {
            const s = settingsFor("staging");
            const kibana = uiRoutes(s).find((r) => r.app === "kibana")!;
            assert.strictEqual(uiIngress(kibana, "x.example.com", "nginx", "ca", s.access).metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"], "HTTPS");
        });

        it("tells Grafana, Prometheus, Alertmanager, Kibana and Graylog their public URLs", async () => {
            const run = await stackRun("staging");
            const kps = run.resources.find((r) => r.inputs.chart === "kube-prometheus-stack")!.inputs.values;
            assert.strictEqual(kps.grafana["grafana.ini"].server.root_url, "https://grafana.staging.observability.example.com");
            assert.strictEqual(kps.prometheus.prometheusSpec.externalUrl, "https://prometheus.staging.observability.example.com");
            assert.strictEqual(kps.alertmanager.alertmanagerSpec.externalUrl, "https://alertmanager.staging.observability.example.com");
            const kibana = run.resources.find((r) => r.inputs.kind === "Kibana")!;
            assert.strictEqual(kibana.inputs.spec.config["server.publicBaseUrl"], "https://kibana.staging.observability.example.com");
            const g = (graylogValues(settingsFor("staging").graylog, undefined, "https://graylog.x.example.com") as any).graylog.env;
            assert.strictEqual(g.GRAYLOG_HTTP_EXTERNAL_URI, "https://graylog.x.example.com/");
        });
    });

    describe("Ingress await", () => {
        const ingresses = (run: Awaited<ReturnType<typeof runProgram>>) => run.resources.filter((r) => r.inputs.kind === "Ingress");
        it("by default no UI Ingress waits for a load-balancer address a controller may never publish", async () => {
            const all = ingresses(await stackRun("staging"));
            assert.ok(all.length >= 6);
            for (const r of all) {
                assert.strictEqual(r.inputs.metadata.annotations["pulumi.com/skipAwait"], "true", r.name);
            }
        });
        it("access.awaitIngressStatus turns the provider's wait back on", async () => {
            const all = ingresses(await runProgram("staging", { config: { "observability-platform:access": JSON.stringify({ awaitIngressStatus: true }) } }));
            assert.ok(all.length >= 6);
            for (const r of all) {
                assert.strictEqual(r.inputs.metadata.annotations["pulumi.com/skipAwait"], undefined, r.name);
                assert.ok(r.inputs.metadata.annotations["cert-manager.io/cluster-issuer"] ?? r.inputs.metadata.annotations["cert-manager.io/issuer"], "other annotations stay");
            }
        });
    });

    describe("the basic-auth gate", () => {
        it("keeps each gate's password in a Secret, as a Pulumi secret, and never in the Deployment", async () => {
            const run = await stackRun("staging");
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "ui-gate-prometheus")!;
            assert.ok(secret.secretPaths.length > 0);
            assert.match(secret.inputs.stringData.htpasswd, /^admin:/);
            const deployment = kinds(run, "Deployment").find((r) => r.inputs.metadata.name === "ui-gate-prometheus")!;
            assert.ok(!JSON.stringify(deployment.inputs).includes(secret.inputs.stringData.password));
            const pod = deployment.inputs.spec.template.spec;
            assert.strictEqual(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
            assert.strictEqual(pod.automountServiceAccountToken, false);
        });

        it("rolls its pods when its nginx configuration changes, and only then", () => {
            const s = settingsFor("staging");
            const prom = uiRoutes(s).find((r) => r.app === "prometheus")!;
            const checksum = (r: typeof prom) => gateManifests(r, s.access, "x.example.com", false)[0].spec.template.metadata.annotations["checksum/config"];
            assert.strictEqual(checksum(prom), checksum({ ...prom }));
            assert.notStrictEqual(checksum(prom), checksum({ ...prom, port: 9091 }));
        });

        it("its two replicas never share a node while another can take one, and one drain-safe PDB covers them", () => {
            const s = settingsFor("staging");
            const prom = uiRoutes(s).find((r) => r.app === "prometheus")!;
            const [deployment, , pdb] = gateManifests(prom, s.access, "x.example.com", false);
            const pod = deployment.spec.template.spec;
            assert.strictEqual(deployment.spec.replicas, 2);
            assert.deepStrictEqual(pod.topologySpreadConstraints.map((c: any) => `${c.topologyKey} ${c.whenUnsatisfiable}`), ["kubernetes.io/hostname DoNotSchedule"]);
            assert.deepStrictEqual(pod.topologySpreadConstraints[0].labelSelector.matchLabels, deployment.spec.selector.matchLabels);
            assert.strictEqual(pdb.kind, "PodDisruptionBudget");
            assert.deepStrictEqual(pdb.spec, { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: deployment.spec.selector.matchLabels } });
            const zoned = gateManifests(prom, s.access, "x.example.com", true)[0].spec.template.spec.topologySpreadConstraints;
            assert.deepStrictEqual(zoned.map((c: any) => c.topologyKey), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
        });

        it("its nginx configuration passes nginx -t", () => {
            const dir = tempDir("gate");
            fs.writeFileSync(path.join(dir, "nginx.conf"), gateNginxConfig({ realm: "prometheus", upstream: "127.0.0.1:9", listen: 18080, htpasswdFile: path.join(dir, "htpasswd"), tmp: dir }));
            // Through a pipe, as in a container: nginx cannot open /dev/stdout on node's socketpair stdio.
            const r = runTool("bash", ["-o", "pipefail", "-c", `nginx -t -p ${dir} -c ${dir}/nginx.conf 2>&1 | cat`]);
            assert.strictEqual(r.status, 0, r.output);
        });

        describe("in front of a real upstream", () => {
            let upstream: http.Server;
            let gate: { port: number; stop: () => void };
            const seen: Array<string | undefined> = [];
            const get = (p: string, auth?: string) => gateGet(gate.port, p, auth);

            before(async function () {
                upstream = http.createServer((req, res) => { seen.push(req.headers.authorization); res.end("prometheus ui"); });
                await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
                gate = await startGate({ realm: "prometheus", upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` });
            });
            after(() => { gate?.stop(); upstream?.close(); });

            it("refuses a request without credentials", async () => {
                assert.strictEqual((await get("/graph")).status, 401);
            });

            it("refuses a wrong password", async () => {
                assert.strictEqual((await get("/graph", "admin:wrong")).status, 401);
            });

            it("passes the right bcrypt-checked password through, without forwarding it", async () => {
                const r = await get("/graph", "admin:s3cret-pass");
                assert.deepStrictEqual(r, { status: 200, body: "prometheus ui" });
                assert.strictEqual(seen[seen.length - 1], undefined, "the Authorization header stops at the gate");
            });
        });
    });

    describe("in front of Prometheus and Alertmanager, which serve HTTPS with TLS on", () => {
        const PROM_NAME = "kps-prometheus.monitoring.svc";
        const TLS_OFF = { "observability-platform:tls": JSON.stringify({ enabled: false }), "observability-platform:logging": JSON.stringify({ enabled: false }) };

        it("forwards over HTTPS, verifying the platform CA and the Service's name", () => {
            const prom = uiRoutes(settingsFor("staging")).find((r) => r.app === "prometheus")!;
            const conf = gateNginxConfigFor(prom);
            assert.match(conf, /proxy_pass https:\/\/kps-prometheus\.monitoring\.svc:9090;/);
            for (const line of [`proxy_ssl_trusted_certificate ${GATE_CA_DIR}/ca.crt;`, "proxy_ssl_verify on;", `proxy_ssl_name ${PROM_NAME};`, "proxy_ssl_server_name on;"]) {
                assert.ok(conf.includes(line), line);
            }
        });

        it("mounts only the CA certificate of the monitoring trust Secret, never a key", () => {
            const s = settingsFor("staging");
            const pod = gateManifests(uiRoutes(s).find((r) => r.app === "alertmanager")!, s.access, "x.example.com", false)[0].spec.template.spec;
            const ca = pod.volumes.find((v: any) => v.name === "upstream-ca");
            assert.deepStrictEqual(ca.secret, { secretName: "platform-trust-monitoring", items: [{ key: "ca.crt", path: "ca.crt" }] });
            assert.deepStrictEqual(pod.containers[0].volumeMounts.find((m: any) => m.name === "upstream-ca"), { name: "upstream-ca", mountPath: GATE_CA_DIR, readOnly: true });
        });

        it("with TLS off, the routes and the gate speak plain HTTP and name no CA", () => {
            const s = settingsFor("dev", TLS_OFF);
            const prom = uiRoutes(s).find((r) => r.app === "prometheus")!;
            assert.strictEqual(prom.https, false);
            assert.strictEqual(prom.caSecret, undefined);
            assert.ok(!gateNginxConfigFor(prom).includes("proxy_ssl"));
            assert.ok(gateManifests(prom, s.access, "x.example.com", false)[0].spec.template.spec.volumes.every((v: any) => v.name !== "upstream-ca"));
        });

        it("a gated HTTPS route without a CA is refused before anything is made", () => {
            const s = settingsFor("staging");
            const prom = { ...uiRoutes(s).find((r) => r.app === "prometheus")!, caSecret: undefined };
            assert.throws(() => validateAccessArgs({ routes: [prom], access: s.access, domain: "x.example.com", ingressClassName: "nginx", issuer: "ca", networkPolicies: [] }),
                /prometheus UI serves HTTPS but names no caSecret/);
        });

        it("its nginx configuration with a verified HTTPS upstream passes nginx -t", () => {
            const dir = tempDir("gate-tls");
            const pki = testPki(dir, PROM_NAME);
            fs.writeFileSync(path.join(dir, "nginx.conf"), gateNginxConfig({
                realm: "prometheus", upstream: "127.0.0.1:9", listen: 18080, htpasswdFile: path.join(dir, "htpasswd"), tmp: dir, upstreamTls: { caFile: pki.ca, serverName: PROM_NAME },
            }));
            const r = runTool("bash", ["-o", "pipefail", "-c", `nginx -t -p ${dir} -c ${dir}/nginx.conf 2>&1 | cat`]);
            assert.strictEqual(r.status, 0, r.output);
        });

        describe("against a real HTTPS upstream", () => {
            let upstream: https.Server;
            let address: string;
            let pki: { ca: string; cert: string; key: string };
            let otherCa: string;
            const gates: Array<{ port: number; stop: () => void }> = [];

            before(async function () {
                const dir = tempDir("gate-tls-live");
                fs.chmodSync(dir, 0o755);
                pki = testPki(dir, PROM_NAME);
                const other = tempDir("gate-tls-other");
                fs.chmodSync(other, 0o755);
                otherCa = testPki(other, PROM_NAME).ca;
                upstream = https.createServer({ cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) }, (_req, res) => res.end("prometheus over tls"));
                await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
                address = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
            });
            after(() => { gates.forEach((g) => g.stop()); upstream?.close(); });

            const through = async (caFile: string, serverName: string) => {
                const gate = await startGate({ realm: "prometheus", upstream: address, upstreamTls: { caFile, serverName } });
                gates.push(gate);
                return gateGet(gate.port, "/graph", "admin:s3cret-pass");
            };

            it("passes a request to a server whose certificate the CA signed for the expected name", async () => {
                assert.deepStrictEqual(await through(pki.ca, PROM_NAME), { status: 200, body: "prometheus over tls" });
            });

            it("refuses (502) a server whose certificate another CA signed", async () => {
                assert.strictEqual((await through(otherCa, PROM_NAME)).status, 502);
            });

            it("refuses (502) a server whose certificate names another Service", async () => {
                assert.strictEqual((await through(pki.ca, "kps-alertmanager.monitoring.svc")).status, 502);
            });
        });
    });

    describe("oauth2-proxy", () => {
        it("guards the same UIs with OIDC, its secrets in a Secret", async () => {
            const run = await runProgram("dev", { config: OIDC });
            const proxy = kinds(run, "Deployment").find((r) => r.inputs.metadata.name === "ui-gate-prometheus")!;
            const args: string[] = proxy.inputs.spec.template.spec.containers[0].args;
            assert.ok(args.includes("--oidc-issuer-url=https://login.example.com/realms/ops"));
            assert.ok(args.includes("--client-id=observability"));
            assert.ok(args.includes("--redirect-url=https://prometheus.obs.example.com/oauth2/callback"));
            assert.ok(args.includes("--email-domain=*"));
            assert.ok(args.includes("--upstream=https://kps-prometheus.monitoring.svc:9090/"));
            // Its upstream transport trusts the image's roots plus the mounted platform CA.
            const container = proxy.inputs.spec.template.spec.containers[0];
            assert.deepStrictEqual(container.env.find((e: any) => e.name === "SSL_CERT_DIR"), { name: "SSL_CERT_DIR", value: GATE_CA_DIR });
            assert.deepStrictEqual(container.volumeMounts, [{ name: "upstream-ca", mountPath: GATE_CA_DIR, readOnly: true }]);
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "ui-gate-prometheus")!;
            assert.strictEqual(secret.inputs.stringData["client-secret"], "oidc-client-secret-value");
            assert.ok(secret.secretPaths.length > 0);
            assert.ok(!JSON.stringify(proxy.inputs).includes("oidc-client-secret-value"), "no secret in the Deployment");
        });

        // Issue 25, item 15: the Secret is updated in place (kubernetes:enableSecretMutable) and
        // oauth2-proxy reads it from its environment once: a rotated client secret rolls the pods.
        it("rolls oauth2-proxy when the client secret changes, by a checksum that shows no secret", async () => {
            const annotationOf = (run: { resources: readonly any[] }) =>
                kinds(run, "Deployment").find((r) => r.inputs.metadata.name === "ui-gate-prometheus")!;
            const first = annotationOf(await runProgram("dev", { config: OIDC }));
            const again = annotationOf(await runProgram("dev", { config: OIDC }));
            const rotated = annotationOf(await runProgram("dev", { config: { ...OIDC, "observability-platform:oidcClientSecret": "rotated-client-secret" } }));
            const checksum = (d: any) => d.inputs.spec.template.metadata.annotations?.["checksum/secret"];
            assert.match(checksum(first), /^[0-9a-f]{64}$/);
            assert.strictEqual(checksum(again), checksum(first), "the same secrets give the same checksum");
            assert.notStrictEqual(checksum(rotated), checksum(first), "a rotated client secret changes the pod template");
            assert.deepStrictEqual(first.secretPaths, [], "the Deployment holds no secret");
            assert.ok(!JSON.stringify(rotated.inputs).includes("rotated-client-secret"));
        });

        it("routes the ingress to oauth2-proxy's port", () => {
            const s = settingsFor("dev", OIDC);
            const prom = uiRoutes(s).find((r) => r.app === "prometheus")!;
            assert.strictEqual(uiIngress(prom, "obs.example.com", "nginx", "ca", s.access).spec.rules[0].http.paths[0].backend.service.port.number, 4180);
            assert.deepStrictEqual(gateManifests(prom, s.access, "obs.example.com", false)[1].spec.ports[0].port, 4180);
        });

        it("refuses to start without its OIDC settings", () => {
            const s = settingsFor("dev", OIDC);
            assert.throws(() => validateAccessArgs({ routes: [], access: { ...s.access, oidc: undefined }, domain: "x.example.com", ingressClassName: "nginx", issuer: "ca", networkPolicies: [] }), /oauth2-proxy needs access\.oidc/);
        });
    });

    describe("NetworkPolicies", () => {
        const byName = (s: PlatformSettings) => Object.fromEntries(dataStorePolicies(dataStores(s)).map((p) => [p.metadata.name, p]));

        it("Elasticsearch admits its namespace, Fluent Bit among the node agents, Jaeger's namespace and Grafana, on 9200 from outside", () => {
            const es = byName(settingsFor("staging"))["elasticsearch-clients"];
            assert.deepStrictEqual(es.spec.podSelector.matchLabels, { "elasticsearch.k8s.elastic.co/cluster-name": "logs" });
            const peers = es.spec.ingress.map((i: any) => ({ ns: i.from[0].namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] ?? "(own)", pods: i.from[0].podSelector.matchLabels, ports: i.ports?.map((p: any) => p.port) }));
            assert.deepStrictEqual(peers, [
                { ns: "(own)", pods: undefined, ports: undefined },
                { ns: "node-agents", pods: { "app.kubernetes.io/name": "fluent-bit" }, ports: [9200] },
                { ns: "tracing", pods: undefined, ports: [9200] },
                { ns: "monitoring", pods: { "app.kubernetes.io/name": "grafana" }, ports: [9200] },
            ]);
        });

        it("dev keeps traces in memory, so Jaeger's namespace is not let into Elasticsearch", () => {
            const es = byName(settingsFor("dev"))["elasticsearch-clients"];
            assert.ok(!JSON.stringify(es).includes("\"tracing\""));
        });

        it("the Data Node admits only its own namespace; MongoDB also Prometheus, on its exporter's port alone", () => {
            const p = byName(settingsFor("prod"));
            for (const name of ["datanode-clients"]) {
                assert.deepStrictEqual(p[name].spec.ingress, [{ from: [{ podSelector: {} }] }], name);
            }
            assert.deepStrictEqual(p["mongodb-clients"].spec.podSelector.matchLabels, { app: "graylog-mongodb-svc" });
            assert.deepStrictEqual(p["mongodb-clients"].spec.ingress, [
                { from: [{ podSelector: {} }] },
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
                    ports: [{ protocol: "TCP", port: MONGODB_EXPORTER_PORT }],
                },
            ]);
        });

        it("Prometheus admits its own namespace, and Jaeger's pods on 9090 for the Monitor tab", () => {
            assert.deepStrictEqual(byName(settingsFor("prod"))["prometheus-clients"].spec.ingress, [
                { from: [{ podSelector: {} }] },
                {
                    from: [{
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tracing" } },
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" } },
                    }],
                    ports: [{ protocol: "TCP", port: 9090 }],
                },
            ]);
            const noTraces = settingsFor("prod", { "observability-platform:tracing": JSON.stringify({ enabled: false }) });
            assert.deepStrictEqual(byName(noTraces)["prometheus-clients"].spec.ingress, [{ from: [{ podSelector: {} }] }]);
        });

        it("restrict ingress only, so DNS and every agent's egress keep working", () => {
            for (const p of dataStorePolicies(ingressPaths(settingsFor("prod")))) {
                assert.deepStrictEqual(p.spec.policyTypes, ["Ingress"]);
                assert.strictEqual(p.spec.egress, undefined);
            }
        });

        it("every platform namespace gets a default-deny ingress policy, and egress stays open by default", () => {
            const s = settingsFor("prod");
            const denies = platformNetworkPolicies(s).filter((p) => p.metadata.name === "default-deny");
            assert.deepStrictEqual(denies.map((p) => p.metadata.namespace), namespacePlan(s).map((p) => p.name));
            for (const p of denies) {
                assert.deepStrictEqual(p.spec, { podSelector: {}, policyTypes: ["Ingress"] });
            }
            assert.ok(!platformNetworkPolicies(s).some((p) => p.spec.policyTypes.includes("Egress")));
        });

        it("the API server and the ingress controller, which are no pods, are admitted from anywhere on the webhook and UI ports alone", () => {
            const byName = Object.fromEntries(dataStorePolicies(ingressPaths(settingsFor("prod", { "observability-platform:domain": "obs.example.com" }))).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
            assert.deepStrictEqual(byName["cert-manager/cert-manager-webhook"].spec.ingress, [{ ports: [{ protocol: "TCP", port: 10250 }] }]);
            assert.deepStrictEqual(byName["monitoring/admission-webhook"].spec.ingress, [{ ports: [{ protocol: "TCP", port: 10250 }] }]);
            assert.deepStrictEqual(byName["monitoring/ui-grafana"].spec, {
                podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kps" } },
                policyTypes: ["Ingress"],
                ingress: [{ ports: [{ protocol: "TCP", port: 3000 }] }],
            });
            assert.deepStrictEqual(byName["monitoring/ui-prometheus"].spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "ui-gate-prometheus" } });
        });

        it("the agents' receivers admit applications from anywhere, the Jaeger compact port over UDP", () => {
            const agent = dataStorePolicies(ingressPaths(settingsFor("prod"))).find((p) => p.metadata.name === "otel-agent-receivers")!;
            assert.deepStrictEqual(agent.spec.ingress, [{ ports: [4317, 4318, 14250, 14268, 9411].map((port) => ({ protocol: "TCP", port })).concat([{ protocol: "UDP", port: 6831 }]) }]);
        });

        it("without a domain there is no Ingress, so no UI is opened", () => {
            assert.ok(!ingressPaths(settingsFor("dev")).some((p) => p.name.startsWith("ui-")));
        });

        it("HTTP-01 solver pods are admitted in every UI namespace when certificates come from ACME", () => {
            const domain = { "observability-platform:domain": "obs.example.com" };
            const acme = settingsFor("prod", { ...domain, "observability-platform:tls": JSON.stringify({ acmeEmail: "ops@example.com" }) });
            assert.deepStrictEqual(ingressPaths(acme).filter((p) => p.name === "acme-http01-solver").map((p) => p.namespace), ["monitoring", "logging", "tracing", "graylog"]);
            assert.ok(!ingressPaths(settingsFor("prod", domain)).some((p) => p.name === "acme-http01-solver"));
        });

        it("restrictEgress denies egress too and allows DNS, the API server, the platform's namespaces and egressCidrs", () => {
            const s = settingsFor("prod", { "observability-platform:networkPolicy": JSON.stringify({ restrictEgress: true, apiServerCidrs: ["10.0.0.1/32"], egressCidrs: ["203.0.113.0/24"] }) });
            const policies = platformNetworkPolicies(s);
            assert.ok(policies.filter((p) => p.metadata.name === "default-deny").every((p) => p.spec.policyTypes.includes("Egress")));
            const logging = policies.find((p) => p.metadata.name === "allow-egress" && p.metadata.namespace === "logging")!;
            assert.deepStrictEqual(logging, egressPolicy("logging", {
                platformNamespaces: namespacePlan(s).map((p) => p.name), apiServerCidrs: ["10.0.0.1/32"], egressCidrs: ["203.0.113.0/24"], alsoNamespaces: [],
            }));
            assert.deepStrictEqual(logging.spec.egress[0], {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            });
            assert.deepStrictEqual(logging.spec.egress[1], { to: [{ ipBlock: { cidr: "10.0.0.1/32" } }] });
            assert.deepStrictEqual(logging.spec.egress[3], { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] });
            const monitoring = policies.find((p) => p.metadata.name === "allow-egress" && p.metadata.namespace === "monitoring")!;
            assert.ok(JSON.stringify(monitoring.spec.egress[2]).includes("\"kube-system\""), "Prometheus scrapes CoreDNS");
        });

        it("a default-deny policy isolates every pod for ingress, and for egress when asked", () => {
            assert.deepStrictEqual(defaultDenyPolicy("x", true).spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        });

        it("a stack can turn them off", async () => {
            const run = await runProgram("prod", { config: { "observability-platform:access": JSON.stringify({ networkPolicies: false }) } });
            assert.deepStrictEqual(kinds(run, "NetworkPolicy"), []);
            // Pulumi.prod.yaml: a domain (the UIs' paths) and ACME (the solvers' paths).
            const prod = settingsFor("prod", { "observability-platform:domain": "observability.example.com", "observability-platform:tls": JSON.stringify({ acmeEmail: "platform-team@example.com" }) });
            assert.strictEqual(kinds(await stackRun("prod"), "NetworkPolicy").length, platformNetworkPolicies(prod).length);
        });
    });

    describe("settings", () => {
        const networkPolicy = (value: Record<string, unknown>, access?: Record<string, unknown>) => () => settingsFor("dev", {
            "observability-platform:networkPolicy": JSON.stringify(value),
            ...(access ? { "observability-platform:access": JSON.stringify(access) } : {}),
        });

        it("restrictEgress without the API server's CIDRs is refused, naming how to find them", () => {
            assert.throws(networkPolicy({ restrictEgress: true }), /networkPolicy\.apiServerCidrs: is empty with restrictEgress on; allowed: the API server's addresses/);
            assert.doesNotThrow(networkPolicy({ restrictEgress: true, apiServerCidrs: ["10.0.0.1/32"] }));
        });

        it("egress CIDRs without restrictEgress are refused, not ignored", () => {
            assert.throws(networkPolicy({ egressCidrs: ["203.0.113.0/24"] }), /networkPolicy\.egressCidrs: is set with restrictEgress off/);
        });

        it("restrictEgress with NetworkPolicies off is refused", () => {
            assert.throws(networkPolicy({ restrictEgress: true, apiServerCidrs: ["10.0.0.1/32"] }, { networkPolicies: false }), /networkPolicy\.restrictEgress: got true with access\.networkPolicies false/);
        });

        it("a CIDR that is not one is refused by the schema", () => {
            assert.throws(networkPolicy({ restrictEgress: true, apiServerCidrs: ["kubernetes.default"] }), /networkPolicy\.apiServerCidrs/);
        });

        it("oauth2-proxy without OIDC settings names every missing key", () => {
            assert.throws(
                () => settingsFor("dev", { "observability-platform:access": JSON.stringify({ uiAuth: "oauth2-proxy" }) }),
                (e: Error) => /access\.oidc\.issuerUrl: is required/.test(e.message) && /access\.oidc\.clientId: is required/.test(e.message) && /oidcClientSecret: is required/.test(e.message),
            );
        });

        it("OIDC settings with basic auth are a mistake worth saying", () => {
            assert.throws(() => settingsFor("dev", { "observability-platform:oidcClientSecret": "x" }), /access\.uiAuth: got "basic" while OIDC settings are given/);
        });

        it("an unknown auth mode names what is allowed", () => {
            assert.throws(() => settingsFor("dev", { "observability-platform:access": JSON.stringify({ uiAuth: "ldap" }) }), /access\.uiAuth: got "ldap"; allowed: one of basic, oauth2-proxy/);
        });

        it("a domain needs cert-manager", () => {
            assert.throws(() => settingsFor("dev", {
                "observability-platform:domain": "dev.example.com",
                "observability-platform:logging": JSON.stringify({ enabled: false }),
                "observability-platform:graylog": JSON.stringify({ enabled: false }),
                "observability-platform:tls": JSON.stringify({ enabled: false }),
            }), /tls\.enabled: got false with a domain/);
        });
    });
});
