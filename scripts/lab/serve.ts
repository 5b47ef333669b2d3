/**
 * What the lab runs while the real engine deploys a stack into it (`pulumi up`, scripts/preview.sh
 * --up): the programs behind the pods that must really answer, started as their objects appear,
 * and the stand-ins for what needs a running container.
 *
 *   - **The fail-closed webhooks, served by their real programs** (tools/webhooks): cert-manager's
 *     webhook (with its controller and cainjector, which issue the certificates and write the CA
 *     bundles the program waits for) and the Prometheus Operator's admission webhook. The API
 *     server calls a webhook at a ready endpoint of its Service (lab.sh: aggregator routing), that
 *     is at the pod's address and target port; every pod address is local to the lab's namespace
 *     (lab.sh), and this process listens on each ready webhook pod's own address and port and
 *     forwards to the program on loopback. So the chain the cluster resolves (webhook
 *     configuration → Service → targetPort → the pod's port, ready endpoints only) is the one
 *     resolved here.
 *   - **The operators** (operators.ts), once their workload exists, and again when one exits (its
 *     RBAC may still be on the way).
 *   - **Stand-ins:** ECK's Elasticsearch status (eck.ts) and the MongoDB operator (mongodb.ts).
 *
 * Runs inside the lab's network namespace (started with `lab.sh spawn`, so the lab's stop ends
 * it and, before it, every program it started); writes `<lab>/serve.ready` once its first pass is
 * done, and logs each program it starts.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { KubeObject } from "../chart-render";
import { Lab } from "./kube";
import { readStackFile, runProgram } from "../mock-program";
import { ROOT } from "../root";
import { labConfig } from "./index";
import { LabObject, labObjects } from "./objects";
import { impersonating, OperatorProcess, operatorProcesses } from "./operators";
import { EckStandIn } from "./eck";
import { MongoDbStandIn } from "./mongodb";

/** A webhook the API server calls: the workload behind its Service, and the port on that workload's pods. */
export interface WebhookBackend {
    /** `namespace/name` of the Deployment. */
    readonly deployment: string;
    readonly selector: Readonly<Record<string, string>>;
    readonly containerPort: number;
    /** The webhook configurations (and webhook names) that call it. */
    readonly callers: readonly string[];
}

const key = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const subset = (want: Record<string, string>, have: Record<string, string> | undefined) => Object.entries(want).every(([k, v]) => have?.[k] === v);

/**
 * Every Deployment a webhook configuration among `objects` reaches, resolved as the API server
 * resolves it: the Service it names, that Service's port (443 when unset), its targetPort (a number,
 * or a name looked up in the pod's container ports), and the Deployment whose pods the Service
 * selects. Throws, naming the webhook, where the chain is broken: such a webhook can never answer.
 */
export function webhookBackends(objects: readonly KubeObject[]): WebhookBackend[] {
    const byDeployment = new Map<string, { deployment: KubeObject; port: number; callers: string[] }>();
    for (const config of objects.filter((o) => o.kind === "ValidatingWebhookConfiguration" || o.kind === "MutatingWebhookConfiguration")) {
        for (const hook of config.webhooks ?? []) {
            const ref = hook.clientConfig?.service;
            if (!ref) {
                continue;
            }
            const where = `${config.kind} ${config.metadata.name} (${hook.name})`;
            const service = objects.find((o) => o.kind === "Service" && o.metadata?.namespace === ref.namespace && o.metadata?.name === ref.name);
            if (!service) {
                throw new Error(`${where}: no Service ${ref.namespace}/${ref.name}`);
            }
            const port = (service.spec.ports ?? []).find((p: any) => p.port === (ref.port ?? 443));
            if (!port) {
                throw new Error(`${where}: Service ${ref.namespace}/${ref.name} has no port ${ref.port ?? 443}`);
            }
            const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata?.namespace === ref.namespace && subset(service.spec.selector ?? {}, o.spec?.template?.metadata?.labels));
            if (!deployment) {
                throw new Error(`${where}: no Deployment in ${ref.namespace} has the pods Service ${ref.name} selects`);
            }
            const ports = (deployment.spec.template.spec.containers ?? []).flatMap((c: any) => c.ports ?? []);
            const target = port.targetPort ?? port.port;
            const containerPort = typeof target === "number" ? target : ports.find((p: any) => p.name === target)?.containerPort;
            if (containerPort === undefined) {
                throw new Error(`${where}: Service ${ref.name} targets port ${target}, which no container of Deployment ${key(deployment)} declares`);
            }
            const entry = byDeployment.get(key(deployment)) ?? { deployment, port: containerPort as number, callers: [] as string[] };
            if (entry.port !== containerPort) {
                throw new Error(`${where}: Deployment ${key(deployment)} is called on ports ${entry.port} and ${containerPort}; the lab serves one`);
            }
            entry.callers.push(where);
            byDeployment.set(key(deployment), entry);
        }
    }
    return [...byDeployment.values()].map(({ deployment, port, callers }) => ({
        deployment: key(deployment),
        selector: deployment.spec.selector.matchLabels,
        containerPort: port,
        callers,
    }));
}

/** A program the lab runs for a workload: when it may start, and how. */
export interface LabProgram {
    /** The log and PID name (`logs/<name>.log`). */
    readonly name: string;
    /** `namespace/name` of the Deployment whose webhook it serves, if it serves one. */
    readonly serves?: string;
    /** The loopback port it listens on for that webhook. */
    readonly localPort?: number;
    /** Whether its prerequisites exist (its workload, a Secret it reads, ...). */
    ready(lab: Lab): Promise<boolean>;
    /** Files to write into the lab directory first, then its command line. */
    prepare(lab: Lab): Promise<{ files: Record<string, string>; env: Record<string, string>; argv: string[] }>;
}

const exists = async (lab: Lab, ...args: string[]) => (await lab.kubectl(["get", ...args, "-o", "name"])).code === 0;

/** The operators of operators.ts, each started once its workload and ServiceAccount exist. */
export function operatorPrograms(objects: readonly LabObject[], labDir: string): LabProgram[] {
    const kubeconfig = () => fs.readFileSync(path.join(labDir, "kubeconfig"), "utf8");
    return operatorProcesses(objects, labDir).map((op: OperatorProcess) => ({
        name: op.binary,
        async ready(lab) {
            const [ns, sa] = op.serviceAccount.split("/");
            return exists(lab, "serviceaccount", "-n", ns, sa);
        },
        async prepare() {
            const own = `${op.binary}.kubeconfig`;
            const files = { ...op.files, [own]: op.kubeconfigImpersonation ? impersonating(kubeconfig(), op.serviceAccount) : kubeconfig() };
            return { files, env: { ...op.env, KUBECONFIG: path.join(labDir, own) }, argv: [path.join(labDir, "bin", op.binary), ...op.args] };
        },
    }));
}

/** Flags of the cert-manager programs the lab sets itself: ports the three would share in one namespace, and the webhook's listen address. */
const CERT_MANAGER_LAB_FLAGS = /^--(metrics-listen-address|healthz-listen-address|healthz-port|secure-port|listen-host|kubeconfig)(=|$)/;

/**
 * cert-manager's controller, cainjector and webhook (tools/webhooks, one binary): each rendered
 * Deployment's arguments with `$(POD_NAMESPACE)` expanded as the kubelet expands it, acting as its
 * own ServiceAccount through an impersonating kubeconfig, so the chart's RBAC is what it gets; the
 * ports the three would share in the lab's one namespace moved to loopback ports of their own.
 */
export function certManagerPrograms(objects: readonly LabObject[], labDir: string, webhookPort: number, webhooksBin: string): LabProgram[] {
    const deployments = objects.map((o) => o.object).filter((o) => o.kind === "Deployment" && /\/cert-manager-(controller|cainjector|webhook):/.test(o.spec?.template?.spec?.containers?.[0]?.image ?? ""));
    return deployments.map((d, i) => {
        const container = d.spec.template.spec.containers[0];
        const role = /\/cert-manager-(controller|cainjector|webhook):/.exec(container.image)![1];
        const ns: string = d.metadata.namespace;
        const sa = `${ns}/${d.spec.template.spec.serviceAccountName}`;
        const own = `cert-manager-${role}.kubeconfig`;
        const args = (container.args ?? []).map((a: string) => a.replaceAll("$(POD_NAMESPACE)", ns)).filter((a: string) => !CERT_MANAGER_LAB_FLAGS.test(a));
        const ports = [`--metrics-listen-address=127.0.0.1:${19402 + i}`,
            ...(role === "controller" ? [`--healthz-listen-address=127.0.0.1:${19410 + i}`] : []),
            ...(role === "webhook" ? [`--secure-port=${webhookPort}`, "--listen-host=127.0.0.1", `--healthz-port=${19420 + i}`] : [])];
        return {
            name: `cert-manager-${role}`,
            ...(role === "webhook" ? { serves: key(d), localPort: webhookPort } : {}),
            async ready(lab: Lab) {
                return exists(lab, "serviceaccount", "-n", ns, d.spec.template.spec.serviceAccountName);
            },
            async prepare() {
                const kubeconfig = impersonating(fs.readFileSync(path.join(labDir, "kubeconfig"), "utf8"), sa);
                return {
                    files: { [own]: kubeconfig },
                    env: { POD_NAMESPACE: ns },
                    argv: [path.join(webhooksBin, "cert-manager"), role, ...args, ...ports, `--kubeconfig=${path.join(labDir, own)}`],
                };
            },
        };
    });
}

const PO_WEBHOOK_POD_ONLY = /^--web\.(enable-tls|cert-file|key-file|listen-address)(=|$)/;

/**
 * The Prometheus Operator's admission webhook: the rendered Deployment's arguments, with its
 * serving certificate (the Secret cert-manager issues for it, mounted at /cert in the pod) written
 * to files and its listen address on loopback.
 */
export function admissionWebhookProgram(objects: readonly LabObject[], labDir: string, localPort: number, webhooksBin: string): LabProgram | undefined {
    const deployment = objects.map((o) => o.object).find((o) => o.kind === "Deployment" && /\/admission-webhook:/.test(o.spec?.template?.spec?.containers?.[0]?.image ?? ""));
    if (!deployment) {
        return undefined;
    }
    const spec = deployment.spec.template.spec;
    const container = spec.containers[0];
    const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === "/cert");
    const secretName: string | undefined = (spec.volumes ?? []).find((v: any) => v.name === mount?.name)?.secret?.secretName;
    if (!secretName) {
        throw new Error(`Deployment ${key(deployment)} mounts no Secret at /cert: the lab cannot give its webhook a certificate`);
    }
    const ns = deployment.metadata.namespace;
    const read = async (lab: Lab) => {
        const r = await lab.kubectl(["get", "secret", "-n", ns, secretName, "-o", "json"]);
        return r.code === 0 ? JSON.parse(r.stdout).data ?? {} : {};
    };
    return {
        name: "prometheus-operator-admission-webhook",
        serves: key(deployment),
        localPort,
        async ready(lab) {
            const data = await read(lab);
            return Boolean(data["tls.crt"] && data["tls.key"]);
        },
        async prepare(lab) {
            const data = await read(lab);
            const decode = (k: string) => Buffer.from(data[k], "base64").toString("utf8");
            return {
                files: { "po-webhook.crt": decode("tls.crt"), "po-webhook.key": decode("tls.key") },
                env: {},
                argv: [
                    path.join(webhooksBin, "prometheus-operator-admission-webhook"),
                    ...(container.args ?? []).filter((a: string) => !PO_WEBHOOK_POD_ONLY.test(a)),
                    "--web.enable-tls=true",
                    `--web.cert-file=${path.join(labDir, "po-webhook.crt")}`,
                    `--web.key-file=${path.join(labDir, "po-webhook.key")}`,
                    `--web.listen-address=127.0.0.1:${localPort}`,
                ],
            };
        },
    };
}

const isReady = (p: KubeObject) => p.status?.podIP && !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

/** Listens on each ready pod's own address and port of a webhook Deployment and forwards to its program. */
class Forwarders {
    private readonly servers = new Map<string, net.Server>();

    constructor(private readonly log: (line: string) => void) {}

    /** Serves exactly the addresses in `wanted` (`ip:port` → loopback port); closes the rest. */
    async sync(wanted: ReadonlyMap<string, number>): Promise<void> {
        for (const [address, server] of this.servers) {
            if (!wanted.has(address)) {
                server.close();
                this.servers.delete(address);
            }
        }
        for (const [address, localPort] of wanted) {
            if (this.servers.has(address)) {
                continue;
            }
            const [host, port] = address.split(":");
            const server = net.createServer((client) => {
                const upstream = net.connect(localPort, "127.0.0.1");
                client.pipe(upstream).pipe(client);
                const end = () => { client.destroy(); upstream.destroy(); };
                client.on("error", end);
                upstream.on("error", end);
            });
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(Number(port), host, () => resolve());
            });
            this.servers.set(address, server);
            this.log(`serving ${address} -> 127.0.0.1:${localPort}`);
        }
    }

    close(): void {
        for (const server of this.servers.values()) {
            server.close();
        }
        this.servers.clear();
    }
}

export class LabServices {
    private readonly started = new Map<string, number>();
    private readonly forwarders: Forwarders;
    private readonly eck: EckStandIn;
    private readonly mongo: MongoDbStandIn;

    constructor(private readonly lab: Lab, private readonly programs: readonly LabProgram[], private readonly backends: readonly WebhookBackend[], private readonly log: (line: string) => void) {
        this.forwarders = new Forwarders(log);
        this.eck = new EckStandIn(lab);
        this.mongo = new MongoDbStandIn(lab);
    }

    /** One pass: start what may start (or restart what exited), forward to ready webhook pods, reconcile the stand-ins. */
    async pass(): Promise<void> {
        for (const program of this.programs) {
            const pid = this.started.get(program.name);
            if (pid !== undefined && alive(pid)) {
                continue;
            }
            if (!(await program.ready(this.lab))) {
                continue;
            }
            const { files, env, argv } = await program.prepare(this.lab);
            for (const [name, content] of Object.entries(files)) {
                fs.writeFileSync(path.join(this.lab.dir, name), content, { mode: 0o600 });
            }
            const r = await this.lab.script("spawn", program.name, "--", "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv);
            const spawned = lastPid(this.lab.dir, program.name);
            this.log(`${pid === undefined ? "started" : "restarted"} ${program.name}${r.code === 0 ? "" : " (it exited at once; retried on the next pass)"}`);
            if (spawned !== undefined) {
                this.started.set(program.name, spawned);
            }
        }
        const wanted = new Map<string, number>();
        for (const backend of this.backends) {
            const program = this.programs.find((p) => p.serves === backend.deployment);
            if (!program?.localPort || !alive(this.started.get(program.name))) {
                continue;
            }
            const [ns] = backend.deployment.split("/");
            const pods = await this.lab.list("pods", "-n", ns);
            for (const pod of pods.filter((p) => subset(backend.selector, p.metadata.labels) && isReady(p))) {
                wanted.set(`${pod.status.podIP}:${backend.containerPort}`, program.localPort);
            }
        }
        await this.forwarders.sync(wanted);
        await this.eck.takeOverCreated();
        await this.eck.reconcile();
        await this.mongo.reconcile();
    }

    close(): void {
        this.forwarders.close();
    }
}

const alive = (pid: number | undefined) => pid !== undefined && fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readOr(`/proc/${pid}/status`));
const readOr = (file: string) => { try { return fs.readFileSync(file, "utf8"); } catch { return ""; } };

/** The PID lab.sh recorded last for `name`. */
function lastPid(dir: string, name: string): number | undefined {
    const lines = readOr(path.join(dir, "pids")).split("\n").map((l) => l.split(" ")).filter(([, n]) => n === name);
    const last = lines[lines.length - 1];
    return last ? Number(last[0]) : undefined;
}

/** The webhook programs' loopback ports (the pods' own ports are forwarded to them). */
export const LOCAL_PORTS = { prometheusOperatorWebhook: 18443, certManagerWebhook: 18444 } as const;

/** `serve.ts <lab dir> <stack> <webhooks bin>`, inside the lab's network namespace: passes every 2 s until TERM. */
async function serve(dir: string, stack: string, webhooksBin: string): Promise<void> {
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const lab = new Lab(dir);
    const objects = await labObjects(await runProgram(stack, { config: labConfig(readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).config) }));
    const programs = [
        ...certManagerPrograms(objects, dir, LOCAL_PORTS.certManagerWebhook, webhooksBin),
        ...[admissionWebhookProgram(objects, dir, LOCAL_PORTS.prometheusOperatorWebhook, webhooksBin)].filter((p): p is LabProgram => p !== undefined),
        ...operatorPrograms(objects, dir),
    ];
    const backends = webhookBackends(objects.map((o) => o.object));
    for (const b of backends) {
        const program = programs.find((p) => p.serves === b.deployment);
        log(`webhook backend ${b.deployment}:${b.containerPort} for ${b.callers.join(", ")}: ${program ? `served by ${program.name}` : "NOT SERVED (calls to it fail)"}`);
    }
    const services = new LabServices(lab, programs, backends, log);
    let stopping = false;
    process.on("SIGTERM", () => { stopping = true; });
    let first = true;
    while (!stopping) {
        try {
            await services.pass();
        } catch (err) {
            log(`pass failed (retried): ${err instanceof Error ? err.message : String(err)}`);
        }
        if (first) {
            fs.writeFileSync(path.join(dir, "serve.ready"), "");
            first = false;
        }
        await new Promise((r) => setTimeout(r, 2000));
    }
    services.close();
}

if (require.main === module) {
    const [dir, stack, webhooksBin] = process.argv.slice(2);
    if (!dir || !stack || !webhooksBin) {
        process.stderr.write("usage: serve.ts <lab dir> <stack> <webhooks bin dir>\n");
        process.exit(2);
    }
    serve(path.resolve(dir), stack, webhooksBin).then(() => process.exit(0), (err) => {
        process.stderr.write(`serve: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
}
