/**
 * Documents where YAML readers part: YAML 1.1 as goyaml.v2 has it (the provider's decoder) against
 * YAML 1.2 (js-yaml's core schema, the `yaml` package's default), and sigs.k8s.io/yaml's trip
 * through JSON. Each is one mapping with a kind, so every reader of Kubernetes objects takes it;
 * what it should read as is the oracle's to say (tests/helpers/yaml-oracle.ts).
 */
export interface YamlCase {
    /** What the document holds, as the end of "reads ..." */
    readonly what: string;
    readonly yaml: string;
}

const doc = (what: string, ...lines: string[]): YamlCase => ({ what, yaml: ["apiVersion: v1", "kind: Case", ...lines, ""].join("\n") });

export const TRICKY_SCALARS: readonly YamlCase[] = [
    doc("octal with a bare leading 0 (the Graylog chart's defaultMode: 0755), 0o and 0O, signed, 00, and 08 and 09.5 as decimals",
        "defaultMode: 0755", "a: 0o755", "b: 0O17", "c: -0755", "d: +0755", "e: 00", "f: 08", "g: 09.5"),
    doc("hexadecimal and binary with either case of prefix, signed or with underscores, and 0x, 0b, 0b2 as strings",
        "a: 0x1F", "b: 0X1f", "c: +0x1F", "d: 0x_1F", "e: 0b101", "f: 0B101", "g: -0b101", "h: 0x", "i: 0b", "j: 0b2"),
    doc("underscores anywhere in a number but first", "a: 1_000", "b: 1__0", "c: 1_0.5", "d: 0_7", "e: _1", "f: 1.5_0", "g: ._5"),
    doc("signs and bare dots: +12, -0 (an integer zero), +0, -0.0 (a negative zero), .5, +.5, -.5, 1., 0., and . and + as strings",
        "a: +12", "b: -0", "c: +0", "d: -0.0", "e: .5", "f: +.5", "g: -.5", "h: 1.", "i: 0.", "j: .", "k: +"),
    doc("exponents: 1e3, 1E3, 1e+3, 1.5e+3, 1e-400 as 0, and 1e400, .5e400, 12e, 0x1p3 as strings",
        "a: 1e3", "b: 1E3", "c: 1e+3", "d: 1.5e+3", "e: 1e-400", "f: 1e400", "g: .5e400", "h: 12e", "i: 0x1p3"),
    doc("64-bit integers at and beyond their limits, all float64 in the end",
        "a: 9223372036854775807", "b: 9223372036854775808", "c: 18446744073709551615", "d: 18446744073709551616",
        "e: -9223372036854775809", "f: 0xFFFFFFFFFFFFFFFF", "g: 0x1FFFFFFFFFFFFFFFF", "h: 9007199254740993"),
    doc(".inf as a value, which JSON cannot hold", "a: .inf"),
    doc("-.inf as a value", "a: -.inf"),
    doc(".nan as a value", "a: .NaN"),
    doc("infinities and NaN spelt otherwise, as strings", "a: .iNf", "b: Infinity", "c: NaN", "d: inf", "e: +.inf_"),
    doc("YAML 1.1 booleans: y, Y, yes, on, true in their three cases, and their negatives",
        "t: [y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]", "f: [n, N, no, No, NO, off, Off, OFF, false, False, FALSE]"),
    doc("words in other cases as strings", "a: [tRUE, oN, yES, nO, oFF, nULL, Nan]"),
    doc("nulls: ~, null, Null, NULL and nothing", "a: ~", "b: null", "c: Null", "d: NULL", "e:", "f: [~, null, ]"),
    doc("timestamps as the text written", "a: 2001-12-14", "b: 2001-12-14t21:59:43.10-05:00", "c: 2001-12-14 21:59:43.10", "d: 2001-1-2", "e: 2001-13-14"),
    doc("sexagesimal numbers as strings (YAML 1.1 has them, goyaml.v2 does not)", "a: 1:20", "b: 190:20:30", "c: -1:30"),
    doc("quoted and block scalars as strings", "a: '0755'", "b: \"on\"", "c: '~'", "d: \"\"", "e: |\n  0755", "f: >\n  on", "g: 'it''s'", "h: \"multi\n  line\""),
    doc("plain scalars folded over lines, and comments after numbers", "a: plain\n  folded", "b: 0755 # octal", "c: 0.5 # float"),
    doc("integer, octal, hexadecimal, boolean, timestamp and empty keys as JSON spells them",
        "keys: {0755: a, 0x1F: b, +12: c, 1_000: d, y: e, off: f, 2001-12-14: g, '': h, \"0755\": i}"),
    doc("float keys as sigs.k8s.io/yaml spells them (float32, %g)",
        "keys: {1e3: a, 1.5: b, 0.1: c, 1e6: d, 1234567.0: e, 3.14159265358979: f, 0.00001: g, 0.0001: h, -0.0: i, 1.0: j, 16777217.0: k, .inf: l, -.inf: m, .nan: n}"),
    doc("64-bit integer keys exactly", "keys: {9223372036854775807: a, 9007199254740993: b, -9223372036854775808: c}"),
    doc("an unsigned 64-bit key, which JSON conversion refuses", "keys: {9223372036854775808: a}"),
    doc("a ~ key, which JSON conversion refuses", "keys: {~: a}"),
    doc("a null key", "null: a"),
    doc("an empty explicit key", "keys:\n  ? \n  : a"),
    doc("a sequence as an explicit key", "keys:\n  ? [a]\n  : b"),
    doc("a sequence as an implicit key", "keys:\n  [a]: b"),
    doc("a mapping as a key", "keys:\n  ? {a: 1}\n  : b"),
    doc("a plain explicit key", "keys:\n  ? a\n  : b"),
    doc("a merge that stands after a key: the merge overrides it (goyaml.v2's order, not the spec's)",
        "base: &b {a: 1, c: 1}", "m:\n  a: 0\n  <<: *b\n  d: 1"),
    doc("a key after a merge, which overrides the merge", "base: &b {a: 1, c: 1}", "m:\n  <<: *b\n  a: 0"),
    doc("two merges in one mapping: the later wins", "x: &x {a: 1}", "z: &z {a: 2, b: 2}", "m:\n  <<: *x\n  <<: *z"),
    doc("a merge of a list: the first mapping wins", "x: &x {a: 1}", "z: &z {a: 2, b: 2}", "m:\n  <<: [*x, *z]"),
    doc("a merge of an inline mapping, replacing nested mappings whole", "x: &x {a: {b: 1}}", "m:\n  <<: *x\n  a: {c: 2}\n  <<: {d: 3}"),
    doc("a quoted << and a !!str one as plain keys, and ! or !!merge ones as merges",
        "x: &x {a: 1}", "q:\n  \"<<\": *x", "s:\n  !!str <<: *x", "e:\n  ! <<: *x", "t:\n  !!merge <<: *x", "u:\n  ! \"<<\": *x"),
    doc("a merge of a scalar", "m:\n  <<: 1"),
    doc("a merge of null", "m:\n  <<: ~"),
    doc("a merge of a list holding a scalar", "m:\n  <<: [{a: 1}, 2]"),
    doc("a merge of an alias of a sequence", "x: &x [1]", "m:\n  <<: *x"),
    doc("tags that resolve: !!str, !!int, !!float, !!bool, !!null, !!timestamp, !!binary",
        "a: !!str 0755", "b: !!int \"0755\"", "c: !!float 1", "d: !!bool yes", "e: !!null ~", "f: !!timestamp 2001-12-14",
        "g: !!binary aGVsbG8=", "h: !!binary |\n  aGVs\n  bG8=", "i: !!str", "j: !!null \"\"", "k: !!float 9223372036854775807"),
    doc("tags that leave the text: ! and local tags on scalars", "a: ! 12", "b: !foo 12", "c: !!map x", "d: !<tag:example.com,2000:x> 0755"),
    doc("tags on collections, which change nothing", "a: !!map {b: 1}", "c: !!seq [1]", "d: !foo {x: 1}", "e: !!set {x}", "f: !!omap [a: 1]"),
    doc("!!int of a word", "a: !!int abc"),
    doc("!!int of a float", "a: !!int 1.5"),
    doc("!!bool of a number", "a: !!bool 1"),
    doc("!!int of nothing", "a: !!int"),
    doc("!!float of an unsigned 64-bit integer", "a: !!float 18446744073709551615"),
    doc("!!timestamp of a date that does not exist", "a: !!timestamp 2001-02-29"),
    doc("!!timestamp of a leap day and of a time with a zone", "a: !!timestamp 2000-02-29", "b: !!timestamp 2001-12-14t21:59:43.10-05:00"),
    doc("!!timestamp of a number", "a: !!timestamp 5"),
    doc("!!binary without its padding", "a: !!binary aGVsbG8"),
    doc("!!binary of bytes that are not UTF-8, each one a U+FFFD", "a: !!binary 4oI=", "b: !!binary /w=="),
    doc("aliases of mappings, sequences, scalars and nulls", "x: &x {a: [1, 2]}", "l: &l [3]", "s: &s 0755", "z: &z ~", "m: [*x, *l, *s, *z]"),
    doc("an alias of the last anchor of its name", "a: &a 1", "b: &a 2", "c: *a"),
    doc("an alias inside its own anchor", "a: &a [*a]"),
    doc("an alias of no anchor", "a: *nope"),
    doc("an alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]",
        ...["b", "c", "d", "e", "f", "g"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`)),
    doc("YAML 1.1's double-quoted escapes", "a: \"x\\ty\\u00e9\\x41\\N\\_\\L\\P\\e\\0\\\\\\\"\""),
    doc("the YAML 1.2 escape \\/, which YAML 1.1 lacks", "a: \"a\\/b\""),
    doc("a \\/ outside double quotes", "a: ^\\/[a-z]+$", "b: '\\/'"),
    doc("__proto__ as a key like any other", "__proto__: {a: 1}", "b: {__proto__: 2}"),
];

/** A key written twice, once as on and once as true: goyaml.v2 keeps the last. */
export const REPEATED_KEY: YamlCase = doc("a key written twice, as the last one", "a: 1", "a: 2", "on: 3", "true: 4");

/** Streams of documents, for the readers that split a stream themselves. */
export const STREAMS: readonly YamlCase[] = [
    { what: "documents split at lines that start with ---, a comment allowed after it; empty, comment-only, {} and null documents skipped",
        yaml: "---\nkind: A\n---\n---\n# only a comment\n--- # a comment\nkind: B\n---\n{}\n---\n~\n---\nkind: C\n" },
    { what: "a separator with a document on its line", yaml: "kind: A\n--- {kind: B}\n" },
    { what: "---- as a separator", yaml: "kind: A\n----\nkind: B\n" },
    { what: "a document that is a string", yaml: "kind: A\n---\njust a string\n" },
    { what: "a document that is a sequence", yaml: "kind: A\n---\n- 1\n" },
    { what: "a document end (...), after which a document's text is not read", yaml: "kind: A\n...\nkind: B\n---\nkind: C\n...\nb: [\n" },
    { what: "a syntax error", yaml: "kind: A\n---\nkind: [B\n" },
];
