/**
 * cert-manager's stand-in. Its controller does not run in the lab, yet operators read what it
 * writes: the Prometheus Operator 0.93.1 refuses to build Prometheus' configuration, and so makes
 * no StatefulSet, while a `tlsConfig.ca` Secret it names is missing (pkg/prometheus/server/operator.go,
 * addAlertmanagerEndpointsToStore). So every Certificate gets the Secret cert-manager would write,
 * `tls.crt`, `tls.key` and `ca.crt`, from a throwaway CA openssl makes for this run. Like the
 * program's mock Secrets, the key goes to kubectl on stdin and is never written or printed.
 *
 * The key is written as cert-manager v1.19.1 writes an ECDSA key under the default encoding, SEC1
 * ("EC PRIVATE KEY", pkg/util/pki/generate.go EncodePrivateKey), not as openssl 3 writes it
 * (PKCS#8, "PRIVATE KEY"): ECK 3.5.0 reads a PKCS#8 key only if it is RSA
 * (pkg/controller/common/certificates/pem.go parsePKCS8PrivateKey), and with a key it cannot read
 * it creates no Elasticsearch pods at all.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LabObject } from "./objects";

export interface Pem {
    readonly ca: string;
    readonly crt: string;
    readonly key: string;
}

/** A CA and one server certificate it signs; the names do not matter to any operator. */
export function throwawayPem(): Pem {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "obs-lab-pki-"));
    try {
        const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        const run = (args: string[]) => {
            const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
            if (r.status !== 0) {
                throw new Error(`openssl ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
            }
        };
        run(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=lab CA", "-addext", "basicConstraints=critical,CA:TRUE"]);
        run(["req", ...ec, "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=lab"]);
        run(["x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", "1"]);
        run(["ec", "-in", "tls.key", "-out", "tls.key"]);
        const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
        return { ca: read("ca.crt"), crt: read("tls.crt"), key: read("tls.key") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The Secret of each Certificate among `objects`, as cert-manager writes it. */
export function certificateSecrets(objects: readonly LabObject[], pem: Pem): LabObject[] {
    return objects.filter((o) => o.object.kind === "Certificate").map((o) => ({
        source: `cert-manager, for ${o.source}`,
        object: {
            apiVersion: "v1",
            kind: "Secret",
            type: "kubernetes.io/tls",
            metadata: { name: o.object.spec.secretName, namespace: o.object.metadata.namespace },
            stringData: { "tls.crt": pem.crt, "tls.key": pem.key, "ca.crt": pem.ca },
        },
    }));
}
