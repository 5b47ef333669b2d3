import * as assert from "assert";
import { opensslArgs } from "../../../scripts/lab/certificates";

describe("lab cert-manager stand-in: the certificate it makes", () => {
    it("is self-signed for one day, named after the first DNS name, valid for every one", () => {
        const args = opensslArgs(["logs-es-http.logging.svc", "logs-es-http"], "k.pem", "c.pem");
        assert.deepStrictEqual(args.slice(0, 2), ["req", "-x509"]);
        assert.strictEqual(args[args.indexOf("-days") + 1], "1");
        assert.strictEqual(args[args.indexOf("-subj") + 1], "/CN=logs-es-http.logging.svc");
        assert.strictEqual(args[args.indexOf("-addext") + 1], "subjectAltName=DNS:logs-es-http.logging.svc,DNS:logs-es-http");
        assert.deepStrictEqual([args[args.indexOf("-keyout") + 1], args[args.indexOf("-out") + 1]], ["k.pem", "c.pem"]);
    });
});
