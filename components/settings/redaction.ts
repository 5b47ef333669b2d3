/**
 * Redaction patterns (`logging.redaction`): the built-in set and the check every pattern passes
 * before anything deploys.
 *
 * The patterns are Lua patterns, not regular expressions: Fluent Bit 4.2.2 has no filter that
 * replaces by regex (plugins/: grep and modify only select or match; rewrite_tag retags), and the
 * Lua filter runs LuaJIT 2.1, whose `string.find` speaks Lua 5.1 patterns (lib/luajit, lstrlib
 * semantics). Lua patterns have character classes (`%d`, `%w`, `%a`, `%s`, `%u`, `%x`, `%p` and
 * their upper-case complements), sets `[...]`, the quantifiers `*`, `+`, `-` and `?` on single
 * items, anchors, captures, `%bxy` and the frontier `%f[set]`; they have no alternation (`|`), no
 * counted repetition (`{n,m}`) and no quantified groups. What a regex does with alternation is a
 * second pattern here; what it does with `{16,}` is `minLength`.
 */

export interface RedactionPattern {
    /** Names the mask: a match becomes `[REDACTED:<name>]`. */
    readonly name: string;
    /** A Lua 5.1 pattern. */
    readonly pattern: string;
    /** Matches shorter than this stay as they are (Lua patterns cannot count repetitions). */
    readonly minLength?: number;
    /** Mask only matches whose digits pass the Luhn check (payment card numbers). */
    readonly luhn?: boolean;
}

/**
 * The built-in patterns, each proven on look-alikes by tests/components/logs/redaction.test.ts
 * (run with LuaJIT): addresses without a domain (`nginx@sha256:…`, `root@localhost`), prose that
 * says "bearer" or "password", microsecond timestamps and 20-digit ids are left alone.
 */
export const BUILTIN_REDACTIONS: readonly RedactionPattern[] = [
    // A dotted domain ending in at least two letters: image digests and user@host are no emails.
    { name: "email", pattern: "[%w%.%+%-_]+@[%w%-]+%.[%w%.%-]*%a%a" },
    // Header and payload of a JWT are base64url JSON objects, so both start with "eyJ"
    // (Kubernetes service-account tokens are JWTs).
    { name: "jwt", pattern: "eyJ[%w%-_]+%.eyJ[%w%-_]+%.[%w%-_]+" },
    { name: "bearer-token", pattern: "[Bb][Ee][Aa][Rr][Ee][Rr]%s+[%w%-%._~%+/]+=*", minLength: 24 },
    // 13 to 19 digits, optionally grouped by four with spaces or dashes, starting like a card
    // number does (2-6: Mastercard 2-series, Amex, Visa, Mastercard, Discover), not inside a
    // longer run of digits, and passing Luhn.
    { name: "card-number", pattern: "%f[%d][2-6]%d%d%d[ %-]?%d%d%d%d[ %-]?%d%d%d%d[ %-]?%d%d?%d?%d?%d?%d?%d?%f[%D]", luhn: true },
    // `password=…`, `password: …`, `"password":"…"`, any case; the key is masked with the value.
    { name: "password", pattern: "[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd][\"']?%s*[:=]%s*[\"']?[^%s\"',;&]+" },
];

export const BUILTIN_REDACTION_NAMES = BUILTIN_REDACTIONS.map((p) => p.name);

/** Lua 5.1 classes after `%` (lstrlib.c match_class); any other letter is a likely mistake. */
const CLASSES = new Set("acdlpsuwxz".split(""));
/** LUA_MAXCAPTURES in Lua 5.1 and LuaJIT 2.1. */
const MAX_CAPTURES = 32;

/**
 * Why `pattern` cannot serve as a redaction pattern, or undefined when it can. Mirrors Lua 5.1's
 * pattern reader (lstrlib.c: classEnd, matchbalance, the `%f` and capture checks), which reports
 * these only when a match reaches the faulty item, that is, on some record at run time. Also
 * refuses what Lua accepts but cannot be meant: a pattern that matches the empty string (it
 * would match between every two characters), `\` (Lua escapes with `%`), `|` (no alternation),
 * `{n}` and `{n,m}` (no counted repetition) and `%` before a letter that names no class.
 */
export function luaPatternProblem(pattern: string): string | undefined {
    if (pattern.length === 0) {
        return "it is empty";
    }
    let i = pattern.startsWith("^") ? 1 : 0;
    let open = 0;
    let captures = 0;
    const closed: boolean[] = [];
    const stack: number[] = [];
    let consumes = false;
    // Reads one single-character item starting at j; returns the index after it.
    const single = (j: number): number | string => {
        const c = pattern[j];
        if (c === "%") {
            if (j + 1 >= pattern.length) return "it ends with '%' (malformed pattern)";
            const n = pattern[j + 1];
            if (/[A-Za-z]/.test(n) && !CLASSES.has(n.toLowerCase())) return `'%${n}' is no character class (classes: %a %c %d %l %p %s %u %w %x and upper-case complements)`;
            return j + 2;
        }
        if (c === "[") {
            let k = j + 1;
            if (pattern[k] === "^") k++;
            // The first character of a set is taken as it is, so `[]]` is a set holding `]`.
            do {
                if (k >= pattern.length) return "a '[' set is not closed with ']' (malformed pattern)";
                const ch = pattern[k++];
                if (ch === "%") {
                    if (k >= pattern.length) return "a '[' set is not closed with ']' (malformed pattern)";
                    const n = pattern[k];
                    if (/[A-Za-z]/.test(n) && !CLASSES.has(n.toLowerCase())) return `'%${n}' is no character class (classes: %a %c %d %l %p %s %u %w %x and upper-case complements)`;
                    k++;
                }
            } while (pattern[k] !== "]");
            return k + 1;
        }
        return j + 1;
    };
    while (i < pattern.length) {
        const c = pattern[i];
        if (c === "$" && i === pattern.length - 1) {
            break;
        }
        if (c === "\\") return "it contains '\\': Lua patterns escape with '%' (write %d, %., %%; a literal backslash is %\\)";
        if (c === "|") return "it contains '|': Lua patterns have no alternation (make it two patterns; a literal bar is %|)";
        if (c === "{" && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) return "it contains a counted repetition such as {16}: Lua patterns have none (repeat the item, or set minLength; a literal brace is %{)";
        if (c === "(") {
            if (pattern[i + 1] === ")") { i += 2; captures++; closed.push(true); continue; }
            stack.push(closed.length);
            closed.push(false);
            captures++;
            open++;
            i++;
            continue;
        }
        if (c === ")") {
            if (open === 0) return "a ')' closes no capture (invalid pattern capture)";
            closed[stack.pop()!] = true;
            open--;
            i++;
            continue;
        }
        if (c === "%" && pattern[i + 1] === "b") {
            if (i + 3 >= pattern.length) return "'%b' needs two characters after it (unbalanced pattern)";
            consumes = true;
            i += 4;
            continue;
        }
        if (c === "%" && pattern[i + 1] === "f") {
            if (pattern[i + 2] !== "[") return "'%f' must be followed by a '[' set (missing '[' after '%f' in pattern)";
            const end = single(i + 2);
            if (typeof end === "string") return end;
            i = end;
            continue;
        }
        if (c === "%" && /[0-9]/.test(pattern[i + 1] ?? "")) {
            const n = Number(pattern[i + 1]);
            if (n < 1 || n > closed.length || !closed[n - 1]) return `'%${n}' refers to no closed capture (invalid capture index)`;
            i += 2;
            continue;
        }
        const end = single(i);
        if (typeof end === "string") return end;
        const quantifier = pattern[end];
        if (quantifier === "*" || quantifier === "-" || quantifier === "?") {
            i = end + 1;
        } else {
            consumes = true;
            i = quantifier === "+" ? end + 1 : end;
        }
    }
    if (open > 0) return "a '(' capture is not closed (unfinished capture)";
    if (captures > MAX_CAPTURES) return `it has more than ${MAX_CAPTURES} captures (too many captures)`;
    if (!consumes) return "it can match the empty string (every item is optional), which would mask between every two characters";
    return undefined;
}
