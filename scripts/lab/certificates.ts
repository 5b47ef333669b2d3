/**
 * A stand-in for cert-manager's issuing, for the maintenance scenarios: cert-manager does not run
 * in the lab, so a Certificate's Secret never appears, and ECK 3.5.0 stops its reconcile at
 * `Secret "logs-es-http-tls" not found` before it creates any Elasticsearch StatefulSet. The lab
 * writes each missing Secret as cert-manager would shape it (type kubernetes.io/tls with `tls.crt`,
 * `tls.key` and `ca.crt`), from a throwaway self-signed certificate for the Certificate's DNS
 * names, made by openssl. The key stays in the lab's directory only while it is being written.
 */
import * as fs from "fs";
import * as path from "path";
import { Lab } from "./kube";

type Obj = Record<string, any>;

/** openssl's arguments for a one-day self-signed certificate valid for `names`. */
export function opensslArgs(names: readonly string[], key: string, cert: string): string[] {
    return ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key, "-out", cert, "-subj", `/CN=${names[0]}`, "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`];
}

/** Issues every Certificate whose Secret does not exist yet; returns the Secrets written. */
export async function issueMissing(lab: Lab): Promise<string[]> {
    const found = await lab.kubectl(["get", "certificates.cert-manager.io", "-A", "-o", "json"]);
    if (found.code !== 0) {
        return [];
    }
    const secrets = new Set((await lab.list("secrets")).map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    const written: string[] = [];
    for (const c of JSON.parse(found.stdout).items as Obj[]) {
        const { namespace } = c.metadata;
        const name = c.spec.secretName;
        if (secrets.has(`${namespace}/${name}`)) {
            continue;
        }
        const names: string[] = c.spec.dnsNames?.length ? c.spec.dnsNames : [c.spec.commonName ?? c.metadata.name];
        const key = path.join(lab.dir, `${name}.key`);
        const cert = path.join(lab.dir, `${name}.crt`);
        try {
            const r = await lab.exec(["openssl", ...opensslArgs(names, key, cert)]);
            if (r.code !== 0) {
                throw new Error(`openssl for Certificate ${namespace}/${c.metadata.name}: ${r.stderr.trim()}`);
            }
            const pem = fs.readFileSync(cert, "utf8");
            const secret = {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { namespace, name, annotations: { "cert-manager.io/certificate-name": c.metadata.name } },
                type: "kubernetes.io/tls",
                stringData: { "tls.crt": pem, "tls.key": fs.readFileSync(key, "utf8"), "ca.crt": pem },
            };
            await lab.ok(["apply", "--server-side", "--field-manager=cert-manager-stand-in", "-f", "-"], JSON.stringify(secret));
            written.push(`${namespace}/${name}`);
        } finally {
            fs.rmSync(key, { force: true });
            fs.rmSync(cert, { force: true });
        }
    }
    return written;
}
