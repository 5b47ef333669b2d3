/**
 * YAML read as the Kubernetes provider, Helm and kubectl read it. They decode with
 * k8s.io/apimachinery's YAMLOrJSONDecoder (pulumi-kubernetes provider/pkg/provider/yaml/v2
 * yaml.go), which splits the stream at lines that start with `---` and reads each document with
 * sigs.k8s.io/yaml: goyaml.v2, whose scalars are YAML 1.1 (`0755` is octal, `on` and `y` are
 * booleans, `<<` merges), then JSON, so every key becomes a string, `.inf` and a null key are
 * errors and every number is a float64. A YAML 1.2 reader gets `defaultMode: 755`, which the API
 * server refuses. tools/yaml-oracle is that Go decoder; the tests hold this module to it.
 *
 * Two readers, one semantics:
 *   - the exact reader walks the `yaml` package's syntax tree (failsafe schema: every scalar is
 *     its text) and decodes it as goyaml.v2's decode.go does, merge order and alias cap included;
 *   - the fast reader is js-yaml with goyaml.v2's scalar resolution, about ten times faster than
 *     the exact one on the monitoring CRDs' 4.5 MB. Where js-yaml's own rules could show through
 *     (anchors, tags, merge keys, complex or null keys, numbers whose key spelling differs from
 *     JavaScript's, an error), it hands the document to the exact reader.
 */
import * as jsYaml from "js-yaml";
import type * as YAML from "yaml";

/**
 * The `yaml` package, loaded on first use: the exact reader is needed only for the documents the
 * fast one hands over, and loading it costs a small input's whole check (npm run bench:policies).
 */
let yamlModule: typeof YAML | undefined;
const yaml = (): typeof YAML => (yamlModule ??= require("yaml") as typeof YAML);

export class KubeYamlError extends Error {
    /** Where in the text read the error is, when a node is to blame. */
    constructor(message: string, readonly offset?: number) {
        super(message);
    }
}

const TAG = "tag:yaml.org,2002:";
const STR = `${TAG}str`, INT = `${TAG}int`, FLOAT = `${TAG}float`, BOOL = `${TAG}bool`, NULL = `${TAG}null`;
const TIMESTAMP = `${TAG}timestamp`, BINARY = `${TAG}binary`, MERGE = `${TAG}merge`;

type JsonScalar = null | boolean | number | string;
type Scalar = JsonScalar | bigint;

/** A scalar as goyaml.v2 resolves it: its tag and value (an int beyond 2^53 as a bigint). */
interface Resolved {
    readonly tag: string;
    readonly value: Scalar;
}

/** goyaml.v2 resolve.go resolveMap: the words and spellings YAML 1.1 gives a meaning. */
const WORDS = new Map<string, Resolved>([
    ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((w) => [w, { tag: BOOL, value: true }] as const),
    ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((w) => [w, { tag: BOOL, value: false }] as const),
    ...["", "~", "null", "Null", "NULL"].map((w) => [w, { tag: NULL, value: null }] as const),
    ...[".nan", ".NaN", ".NAN"].map((w) => [w, { tag: FLOAT, value: NaN }] as const),
    ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((w) => [w, { tag: FLOAT, value: Infinity }] as const),
    ...["-.inf", "-.Inf", "-.INF"].map((w) => [w, { tag: FLOAT, value: -Infinity }] as const),
]);

/**
 * goyaml.v2 resolve.go resolveTable: a plain scalar's first character says what it may be (a
 * sign or digit: a number; one of `yYnNtTfFoO~`: a word; `.`: a float or word). Anything else
 * is a string, `<<` included (merge keys are told by their text, decode.go isMerge).
 */
const HINT = new Uint8Array(128);
const SIGN = 1, DIGIT = 2, WORD = 3, DOT = 4;
for (const c of "+-") HINT[c.charCodeAt(0)] = SIGN;
for (const c of "0123456789") HINT[c.charCodeAt(0)] = DIGIT;
for (const c of "yYnNtTfFoO~") HINT[c.charCodeAt(0)] = WORD;
HINT[".".charCodeAt(0)] = DOT;

const hintOf = (text: string) => (text === "" ? WORD : HINT[text.charCodeAt(0)] ?? 0);

/** strconv.ParseInt(s, 0, 64)'s syntax: a sign, then a 0x, 0o, 0b or bare-0 (octal) prefix. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([0-9]+))$/;
/** resolve.go yamlStyleFloat */
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n, UINT64_MAX = 2n ** 64n - 1n;

/**
 * An integer as resolve.go reads one: strconv.ParseInt(s, 0, 64), else ParseUint (no sign), on
 * the text without underscores. Undefined when neither accepts it.
 */
function goInt(plain: string): number | bigint | undefined {
    const m = GO_INT.exec(plain);
    if (!m) {
        return undefined;
    }
    const [, sign, hex, oct, bin, bareOct, dec] = m;
    const magnitude = hex !== undefined ? BigInt(`0x${hex}`) : oct !== undefined ? BigInt(`0o${oct}`) : bin !== undefined ? BigInt(`0b${bin}`)
        : bareOct !== undefined ? BigInt(`0o${bareOct}`) : BigInt(dec);
    const value = sign === "-" ? -magnitude : magnitude;
    if (value < INT64_MIN || value > (sign === "" ? UINT64_MAX : INT64_MAX)) {
        return undefined;
    }
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * goyaml.v2 resolve() for a plain scalar without a tag (or with `!!timestamp`): its YAML 1.1
 * meaning, or the text itself. An untagged timestamp decodes to its own text (decode.go keeps
 * it a string for interface{} targets), and a text that looks like one (`2001-12-14`) is
 * neither int nor float, so only an explicit `!!timestamp` asks for the check.
 */
function resolvePlain(text: string, timestamp = false): Resolved {
    const hint = hintOf(text);
    if (hint === 0) {
        return { tag: STR, value: text };
    }
    const word = WORDS.get(text);
    if (word) {
        return word;
    }
    if (hint === DOT) {
        // strconv.ParseFloat on the text as written: no underscores, no sign.
        const value = YAML_FLOAT.test(text) ? Number(text) : NaN;
        return Number.isFinite(value) ? { tag: FLOAT, value } : { tag: STR, value: text };
    }
    if (hint === WORD) {
        return { tag: STR, value: text };
    }
    if (timestamp && isGoTimestamp(text)) {
        return { tag: TIMESTAMP, value: text };
    }
    const plain = text.includes("_") ? text.replace(/_/g, "") : text;
    const int = goInt(plain);
    if (int !== undefined) {
        return { tag: INT, value: int };
    }
    if (YAML_FLOAT.test(plain)) {
        // ParseFloat fails on overflow (ErrRange), so 1e400 stays a string; underflow is 0.
        const value = Number(plain);
        if (Number.isFinite(value)) {
            return { tag: FLOAT, value };
        }
    }
    return { tag: STR, value: text };
}

/**
 * resolve.go parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00" (T or t),
 * "2006-1-2 15:4:5.999999999" or "2006-1-2", which read one- or two-digit fields and check
 * their ranges.
 */
function isGoTimestamp(text: string): boolean {
    const m = /^(\d{4})-(\d\d?)-(\d\d?)(?:(?:[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?(?:Z|[+-](\d\d):(\d\d)))|(?: (\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?))?$/.exec(text);
    if (!m) {
        return false;
    }
    const [year, month, day] = [m[1], m[2], m[3]].map(Number);
    const [hour, minute, second] = [m[4] ?? m[9] ?? "0", m[5] ?? m[10] ?? "0", m[6] ?? m[11] ?? "0"].map(Number);
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60
        && (m[7] === undefined || (Number(m[7]) <= 24 && Number(m[8]) <= 60));
}

/** resolve.go resolvableTag: the tags resolve() checks a scalar against; any other leaves its text. */
const RESOLVABLE = new Set([STR, BOOL, INT, FLOAT, NULL, TIMESTAMP]);

const shortTag = (tag: string) => (tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag);

/** goyaml.v2 resolve(tag, text) for a scalar with an explicit tag, binary decoded (decode.go scalar). */
function resolveTagged(tag: string, text: string, offset: number): Resolved {
    if (tag === BINARY) {
        return { tag, value: goBinary(text, offset) };
    }
    if (tag === STR || !RESOLVABLE.has(tag)) {
        return { tag, value: text };
    }
    const resolved = resolvePlain(text, tag === TIMESTAMP);
    if (resolved.tag === tag) {
        return resolved;
    }
    if (tag === FLOAT && resolved.tag === INT && (typeof resolved.value === "number" || (resolved.value as bigint) <= INT64_MAX)) {
        return { tag, value: Number(resolved.value) };
    }
    throw new KubeYamlError(`cannot decode ${shortTag(resolved.tag)} \`${text}\` as a ${shortTag(tag)}`, offset);
}

/**
 * A `!!binary` scalar's bytes as encoding/json writes the Go string holding them: base64 as
 * base64.StdEncoding reads it (padding required, only line breaks skipped), and each byte of an
 * invalid UTF-8 sequence as U+FFFD (utf8.DecodeRune), where a JavaScript decoder would replace a
 * truncated sequence once.
 */
function goBinary(text: string, offset: number): string {
    const base64 = text.replace(/[\r\n]/g, "");
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) {
        throw new KubeYamlError("!!binary value contains invalid base64 data", offset);
    }
    const bytes = Buffer.from(base64, "base64");
    let out = "";
    for (let i = 0; i < bytes.length;) {
        const n = utf8Length(bytes, i);
        out += n === 0 ? "\uFFFD" : bytes.toString("utf8", i, i + n);
        i += n || 1;
    }
    return out;
}

/** The length of the valid UTF-8 sequence at bytes[i] (RFC 3629, as Go's utf8 package), or 0. */
function utf8Length(bytes: Buffer, i: number): number {
    const b = bytes[i];
    const inRange = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
    if (b < 0x80) return 1;
    if (b >= 0xc2 && b <= 0xdf) return inRange(1) ? 2 : 0;
    if (b >= 0xe0 && b <= 0xef) return inRange(1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf) && inRange(2) ? 3 : 0;
    if (b >= 0xf0 && b <= 0xf4) return inRange(1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf) && inRange(2) && inRange(3) ? 4 : 0;
    return 0;
}

/**
 * The JSON key sigs.k8s.io/yaml (yaml.go convertToJSONableObject) makes of a resolved key: ints
 * in decimal, floats as strconv.FormatFloat(f, 'g', -1, 32) with .inf/-.inf/.nan, booleans as
 * true/false; null and unsigned 64-bit keys are errors.
 */
function goKey(key: Resolved, offset: number): string {
    switch (key.tag) {
        case INT:
            if (typeof key.value === "bigint" && key.value > INT64_MAX) {
                throw new KubeYamlError(`unsupported map key of type: uint64, key: ${key.value}`, offset);
            }
            return String(key.value);
        case FLOAT:
            return goFloat32(key.value as number);
        case BOOL:
            return String(key.value);
        case NULL:
            throw new KubeYamlError("unsupported map key of type: <nil>", offset);
        default:
            return key.value as string;
    }
}

/** strconv.FormatFloat(v, 'g', -1, 32), as sigs.k8s.io/yaml spells a float key. */
function goFloat32(v: number): string {
    const f = Math.fround(v);
    if (Number.isNaN(f)) return ".nan";
    if (f === Infinity) return ".inf";
    if (f === -Infinity) return "-.inf";
    if (f === 0) return Object.is(f, -0) ? "-0" : "0";
    // The fewest significant digits that read back as the same float32.
    let exponential = "";
    for (let digits = 1; digits <= 9; digits++) {
        exponential = f.toExponential(digits - 1);
        if (Math.fround(Number(exponential)) === f) {
            break;
        }
    }
    const [mantissa, exp] = exponential.split("e");
    const e = Number(exp);
    // Shortest 'g' writes %e when the exponent is below -4 or at least 6 (ftoa.go), with two exponent digits.
    if (e < -4 || e >= 6) {
        return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    }
    return String(Number(exponential));
}

/** The JSON value of a resolved scalar: encoding/json refuses NaN and infinities. */
function jsonValue(resolved: Resolved, offset: number): JsonScalar {
    const { value } = resolved;
    if (typeof value === "number" && !Number.isFinite(value)) {
        throw new KubeYamlError(`json: unsupported value: ${Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf"}`, offset);
    }
    return typeof value === "bigint" ? Number(value) : value;
}

/** Sets a key on a decoded mapping; `__proto__` is a key like any other, as in JSON.parse. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
    if (key === "__proto__") {
        Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
        target[key] = value;
    }
}

/** goyaml.v2 decode.go allowedAliasRatio: how much of a document alias expansion may make up. */
function allowedAliasRatio(decodeCount: number): number {
    const low = 400_000, high = 4_000_000;
    return decodeCount <= low ? 0.99 : decodeCount >= high ? 0.1 : 0.99 - 0.89 * ((decodeCount - low) / (high - low));
}

/**
 * How the `yaml` package is to parse a stream for decodeDocument: structure only, every scalar as
 * its text. As YAML 1.1 it leaves 1.1's tags (!!merge, !!binary, !!timestamp, !!set, !!omap) on the
 * nodes as written, where as 1.2 it would apply some of them itself.
 */
export const PARSE_OPTIONS = { schema: "failsafe", version: "1.1", uniqueKeys: false, prettyErrors: false } as const;

export interface DecodeOptions {
    /** Refuse a key written twice in one mapping (goyaml.v2's strict mode); a merged key may still be overridden. */
    readonly uniqueKeys?: boolean;
}

/**
 * One document that the `yaml` package parsed from `text` with PARSE_OPTIONS, decoded as
 * goyaml.v2 decodes into interface{} (decode.go) and converted as sigs.k8s.io/yaml converts it to
 * JSON: what the provider holds before it asks for a mapping. Throws KubeYamlError, with the
 * offset in `text` of the node to blame.
 */
export function decodeDocument(doc: YAML.Document.Parsed, text: string, options: DecodeOptions = {}): unknown {
    const error = doc.errors[0];
    if (error) {
        throw new KubeYamlError(error.message, error.pos[0]);
    }
    return new Decoder(doc, text, options.uniqueKeys ?? false).document();
}

type Node = YAML.Node | null;
type Mapping = Record<string, unknown>;

/** goyaml.v2's decoder (decode.go) on the `yaml` package's nodes. */
class Decoder {
    private decodeCount = 0;
    private aliasCount = 0;
    private aliasDepth = 0;
    private readonly expanding = new Set<YAML.Alias>();
    private anchors?: Map<YAML.Alias, YAML.Node>;

    constructor(private readonly doc: YAML.Document.Parsed, private readonly text: string, private readonly uniqueKeys: boolean) {}

    document(): unknown {
        this.count(null);
        return this.value(this.doc.contents);
    }

    /** decode.go unmarshal's accounting: every node decoded counts, and those reached through an alias count against the ratio. */
    private count(node: Node): void {
        this.decodeCount++;
        if (this.aliasDepth > 0) {
            this.aliasCount++;
        }
        if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
            throw new KubeYamlError("document contains excessive aliasing", node?.range?.[0]);
        }
    }

    /** A node decoded into interface{}. */
    private value(node: Node): unknown {
        this.count(node);
        if (node === null) {
            return null;
        }
        if (yaml().isAlias(node)) {
            return this.expand(node, (target) => this.value(target));
        }
        if (yaml().isScalar(node)) {
            return jsonValue(this.scalar(node), node.range![0]);
        }
        if (yaml().isMap(node)) {
            const out: Mapping = {};
            this.mapping(node as YAML.YAMLMap<Node, Node>, out);
            return out;
        }
        return (node as YAML.YAMLSeq<Node>).items.map((item) => this.value(item));
    }

    /** decode.go scalar: an untagged plain scalar resolved, a quoted or block one a string, a tagged one held to its tag. */
    private scalar(node: YAML.Scalar): Resolved {
        const text = String(node.value);
        const [start, end] = node.range!;
        // YAML 1.1 has no \/ escape (scannerc.go); the yaml package reads YAML 1.2's.
        if (node.type === "QUOTE_DOUBLE" && /(?:^|[^\\])(?:\\\\)*\\\//.test(this.text.slice(start, end))) {
            throw new KubeYamlError("found unknown escape character", start);
        }
        if (node.tag === undefined) {
            return node.type === "PLAIN" ? resolvePlain(text) : { tag: STR, value: text };
        }
        return resolveTagged(node.tag, text, start);
    }

    /**
     * decode.go mapping: pairs in order, each key set as it comes, so a later key or merge
     * overrides an earlier one (where the YAML spec, goyaml.v3 and the `yaml` package let the
     * mapping's own keys win).
     */
    private mapping(node: YAML.YAMLMap<Node, Node>, out: Mapping): void {
        const written = this.uniqueKeys ? new Set<string>() : undefined;
        for (const { key, value } of node.items) {
            if (isMerge(key)) {
                this.merge(value, key as YAML.Scalar, out);
                continue;
            }
            // The `yaml` package gives an empty key as an empty plain scalar, never as null.
            const keyNode = key as YAML.Node;
            this.count(keyNode);
            const name = this.key(keyNode);
            if (written?.has(name)) {
                throw new KubeYamlError(`Map keys must be unique: ${JSON.stringify(name)} is set twice`, keyNode.range![0]);
            }
            written?.add(name);
            setKey(out, name, this.value(value));
        }
    }

    /** A mapping key as its JSON key: a scalar, or an alias of one; a mapping or sequence is no key. */
    private key(node: YAML.Node): string {
        if (yaml().isAlias(node)) {
            return this.expand(node, (target) => {
                this.count(target);
                return this.key(target);
            });
        }
        if (!yaml().isScalar(node)) {
            throw new KubeYamlError("invalid map key: a mapping or sequence", node.range![0]);
        }
        return goKey(this.scalar(node), node.range![0]);
    }

    /** decode.go merge: a mapping, an alias of one, or a sequence of those, applied last first so that the first wins. */
    private merge(node: Node, key: YAML.Scalar, out: Mapping): void {
        const mapping = (n: Node) => yaml().isMap(n) || (yaml().isAlias(n) && yaml().isMap(this.target(n)));
        const sources = yaml().isSeq(node) ? [...(node.items as Node[])].reverse() : [node];
        for (const source of sources) {
            if (!mapping(source)) {
                throw new KubeYamlError("map merge requires map or sequence of maps as the value", (source ?? key).range![0]);
            }
            this.into(source as YAML.YAMLMap<Node, Node> | YAML.Alias, out);
        }
    }

    /** A mapping (or an alias of one) decoded into an existing map, as a merge does. */
    private into(node: YAML.YAMLMap<Node, Node> | YAML.Alias, out: Mapping): void {
        this.count(node);
        if (yaml().isAlias(node)) {
            this.expand(node, (target) => this.into(target as YAML.YAMLMap<Node, Node>, out));
        } else {
            this.mapping(node, out);
        }
    }

    /** decode.go alias: the anchored node decoded again, refused when it holds the alias itself. */
    private expand<T>(alias: YAML.Alias, decode: (target: YAML.Node) => T): T {
        if (this.expanding.has(alias)) {
            throw new KubeYamlError(`anchor '${alias.source}' value contains itself`, alias.range![0]);
        }
        const target = this.target(alias);
        this.expanding.add(alias);
        this.aliasDepth++;
        const result = decode(target);
        this.aliasDepth--;
        this.expanding.delete(alias);
        return result;
    }

    /**
     * The node an alias names: the last node anchored with its name before it, in document order
     * (a node's anchor before its children, so an anchored node may hold an alias of itself).
     */
    private target(alias: YAML.Alias): YAML.Node {
        if (!this.anchors) {
            const anchors = new Map<YAML.Alias, YAML.Node>();
            const latest = new Map<string, YAML.Node>();
            yaml().visit(this.doc, {
                Node: (_, node) => {
                    if (yaml().isAlias(node)) {
                        const target = latest.get(node.source);
                        if (target) {
                            anchors.set(node, target);
                        }
                    } else if (node.anchor) {
                        latest.set(node.anchor, node);
                    }
                },
            });
            this.anchors = anchors;
        }
        const target = this.anchors.get(alias);
        if (!target) {
            throw new KubeYamlError(`unknown anchor '${alias.source}' referenced`, alias.range![0]);
        }
        return target;
    }
}

/** decode.go isMerge: a `<<` key that is plain and untagged (libyaml's plain_implicit, which the `!` tag also sets) or tagged !!merge. */
function isMerge(key: Node): boolean {
    return yaml().isScalar(key) && key.value === "<<" && ((key.type === "PLAIN" && key.tag === undefined) || key.tag === "!" || key.tag === MERGE);
}

/**
 * Set when the fast reader's result may not be goyaml.v2's: a tag, a float whose key spelling
 * differs from JavaScript's (-0, 1e+06, NaN), an integer beyond 2^53.
 */
let unusual = false;

/** Whether goyaml.v2 may read a plain scalar as other than its text: the cheap test before resolvePlain. */
function mayResolve(text: string): boolean {
    const hint = hintOf(text);
    return hint === WORD ? WORDS.has(text) : hint !== 0;
}

/** goyaml.v2's resolution of plain scalars for js-yaml. */
const PLAIN = new jsYaml.Type("!kube-yaml/plain", {
    kind: "scalar",
    // js-yaml passes a tag only when the document writes one: tags are the exact reader's.
    resolve: (text: string, tag?: string) => (tag === undefined ? mayResolve(text) : (unusual = true)),
    construct: (text: string): JsonScalar => {
        const { tag, value } = resolvePlain(text);
        if (typeof value === "bigint" || (tag === FLOAT && String(value) !== goFloat32(value as number))) {
            unusual = true;
        }
        return typeof value === "bigint" ? Number(value) : value;
    },
});
const ANY_TAG = (["scalar", "sequence", "mapping"] as const).map((kind) => new jsYaml.Type("", { kind, multi: true, resolve: () => (unusual = true) }));
const FAST_SCHEMA = new jsYaml.Schema({ implicit: [PLAIN], explicit: ANY_TAG });

/** Whether body[i] is where a node may start: at the line's indentation or after `-`, `?`, `:`, `[`, `{` or `,`. */
function startsNode(body: string, i: number): boolean {
    let j = i - 1;
    while (body[j] === " " || body[j] === "\t") {
        j--;
    }
    return j < 0 || "\n-?:[{,".includes(body[j]);
}

const endsToken = (body: string, i: number) => i >= body.length || body[i] === " " || body[i] === "\t" || body[i] === "\n" || body[i] === "\r";

/**
 * Whether the text holds what js-yaml reads otherwise than goyaml.v2 and only the text shows:
 *   - an anchor, `&` and a name (libyaml's scanner starts one with a letter, digit, `_` or `-`):
 *     js-yaml shares an aliased node where goyaml.v2 decodes it again and caps the expansion,
 *     and a mapping or sequence aliased as a key becomes a string in js-yaml, an error in Go;
 *   - a mapping or sequence as a key (`? [a]`, `[a]: x`), likewise;
 *   - the YAML 1.2 escape `\/` in a double-quoted scalar, which goyaml.v2 refuses (scannerc.go).
 * Searched with indexOf, many times faster than a regular expression over the CRDs, and on the
 * safe side: prose that looks like one of them only sends its document to the exact reader.
 */
function unusualText(body: string): boolean {
    for (let i = body.indexOf("&"); i !== -1; i = body.indexOf("&", i + 1)) {
        if (/[0-9A-Za-z_-]/.test(body[i + 1] ?? "") && startsNode(body, i)) {
            return true;
        }
    }
    for (let i = body.indexOf("?"); i !== -1; i = body.indexOf("?", i + 1)) {
        if (endsToken(body, i + 1) && startsNode(body, i)) {
            return true;
        }
    }
    for (const close of "]}") {
        for (let i = body.indexOf(close); i !== -1; i = body.indexOf(close, i + 1)) {
            let j = i + 1;
            while (body[j] === " " || body[j] === "\t") {
                j++;
            }
            if (body[j] !== ":" || !endsToken(body, j + 1)) {
                continue;
            }
            // An implicit key is on one line: the collection opens on this one, where a node starts.
            const lineStart = body.lastIndexOf("\n", i) + 1;
            const open = Math.max(body.lastIndexOf("[", i), body.lastIndexOf("{", i));
            if (open >= lineStart && startsNode(body, open)) {
                return true;
            }
        }
    }
    for (let i = body.indexOf("\\/"); i !== -1; i = body.indexOf("\\/", i + 2)) {
        // The nearest unescaped quote before it, if it may open a scalar, may open one that holds it.
        let quote = body.lastIndexOf('"', i);
        while (quote > 0 && body[quote - 1] === "\\") {
            quote = body.lastIndexOf('"', quote - 1);
        }
        if (quote !== -1 && (quote === 0 || /[\s[{,:]/.test(body[quote - 1]))) {
            return true;
        }
    }
    return false;
}

const EXACT = Symbol("exact");

/**
 * One document read by js-yaml, or EXACT where the exact reader must read it. With uniqueKeys,
 * js-yaml throws on a key written twice (loader.js storeMappingPair, `json: false`), which sends
 * the document to the exact reader to judge and, when goyaml.v2 agrees, to report.
 */
function fastDocument(body: string, uniqueKeys: boolean): unknown {
    if (unusualText(body)) {
        return EXACT;
    }
    unusual = false;
    let value: unknown;
    try {
        value = jsYaml.load(body, { schema: FAST_SCHEMA, json: !uniqueKeys });
    } catch {
        return EXACT;
    }
    return unusual || !goyamlKeys(value) ? EXACT : value;
}

/** Whether no key in js-yaml's tree is one it made of null, a merge key or a mapping, where goyaml.v2 fails or merges. */
function goyamlKeys(value: unknown): boolean {
    if (value === null || typeof value !== "object") {
        return true;
    }
    if (Array.isArray(value)) {
        return value.every(goyamlKeys);
    }
    for (const key in value) {
        if (key === "null" || key === "<<" || key === "[object Object]" || !goyamlKeys((value as Mapping)[key])) {
            return false;
        }
    }
    return true;
}

/** One document read exactly: goyaml.v2 reads a stream's first YAML document and ignores what follows a `...`. */
function exactDocument(body: string, options: DecodeOptions): unknown {
    const docs = yaml().parseAllDocuments(body, PARSE_OPTIONS);
    return docs.length === 0 ? null : decodeDocument(docs[0], body, options);
}

/**
 * apimachinery util/yaml YAMLReader: a document ends at a line that starts with `---`, which
 * only a comment may follow.
 */
function* documents(text: string): Generator<{ readonly body: string; readonly offset: number }> {
    let start = 0;
    for (const m of text.matchAll(/^---(.*)$/gm)) {
        const rest = m[1].trim();
        if (rest !== "" && !rest.startsWith("#")) {
            throw new KubeYamlError(`invalid Yaml document separator: ${rest}`, m.index);
        }
        if (m.index > start) {
            yield { body: text.slice(start, m.index), offset: start };
        }
        start = m.index + m[0].length + 1;
    }
    if (start < text.length) {
        yield { body: text.slice(start), offset: start };
    }
}

/**
 * Every document of a stream as apimachinery's YAMLReader splits it, each decoded as the provider
 * decodes it: by the fast reader where it can, else by the exact one, with where it starts in
 * `text`. An empty document is null, so callers can number them. Throws KubeYamlError with the
 * offset in `text`.
 */
export function* kubeYamlDocuments(text: string, options: DecodeOptions = {}): Generator<{ readonly value: unknown; readonly offset: number }> {
    for (const { body, offset } of documents(text)) {
        const value = fastDocument(body, options.uniqueKeys ?? false);
        if (value !== EXACT) {
            yield { value: value ?? null, offset };
            continue;
        }
        try {
            yield { value: exactDocument(body, options) ?? null, offset };
        } catch (err) {
            throw err instanceof KubeYamlError ? new KubeYamlError(err.message, offset + (err.offset ?? 0)) : err;
        }
    }
}

/**
 * A YAML stream as the provider decodes it (provider/pkg/provider/yaml/v2 yaml.go yamlDecode):
 * each document a mapping, empty and null ones skipped. Throws KubeYamlError with the offset in
 * `text` where the provider would fail.
 */
export function readKubeYaml(text: string): Mapping[] {
    const out: Mapping[] = [];
    for (const { value, offset } of kubeYamlDocuments(text)) {
        if (value === null) {
            continue;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            // json.Unmarshal into map[string]interface{}
            throw new KubeYamlError(`a document must be a mapping, not ${Array.isArray(value) ? "a sequence" : `a ${typeof value}`}`, offset);
        }
        if (Object.keys(value).length > 0) {
            out.push(value as Mapping);
        }
    }
    return out;
}
