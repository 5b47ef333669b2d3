import * as assert from "assert";
import { X509Certificate } from "crypto";
import { certificateSecrets, throwawayPem } from "../../../scripts/lab/cert-manager";
import { LabObject } from "../../../scripts/lab/objects";

const certificate = (name: string, namespace: string, secretName: string): LabObject => ({
    source: `manifests/${namespace}/certificate-${name}.yaml`,
    object: { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name, namespace }, spec: { secretName, dnsNames: [`${name}.${namespace}.svc`] } },
});

describe("the lab's cert-manager stand-in", () => {
    const pem = throwawayPem();

    it("writes, for each Certificate, the Secret cert-manager would: its secretName, in its namespace, with tls.crt, tls.key and ca.crt", () => {
        const objects = [
            certificate("kps-prometheus-tls", "monitoring", "kps-prometheus-tls"),
            { source: "manifests/monitoring/secret-x.yaml", object: { apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: "monitoring" } } },
            certificate("es-http", "logging", "logs-es-http-tls"),
        ];
        const secrets = certificateSecrets(objects, pem).map((o) => o.object);
        assert.deepStrictEqual(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name} ${s.type}`), [
            "monitoring/kps-prometheus-tls kubernetes.io/tls", "logging/logs-es-http-tls kubernetes.io/tls",
        ]);
        assert.deepStrictEqual(Object.keys(secrets[0].stringData).sort(), ["ca.crt", "tls.crt", "tls.key"]);
    });

    it("signs its server certificate with its CA, as a real issuer would", () => {
        const ca = new X509Certificate(pem.ca);
        assert.ok(ca.ca, "ca.crt is a CA");
        assert.ok(new X509Certificate(pem.crt).verify(ca.publicKey));
    });

    it("writes the key as cert-manager writes an ECDSA key (SEC1), the only EC encoding ECK reads; a PKCS#8 EC key left the lab without Elasticsearch pods", () => {
        assert.match(pem.key, /^-----BEGIN EC PRIVATE KEY-----\n/);
    });
});
