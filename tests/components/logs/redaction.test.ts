/**
 * The redaction script run by real LuaJIT 2.1, the Lua Fluent Bit 4.2.2 embeds, on records shaped
 * as the lua filter hands them over (src/flb_lua.c): maps and arrays as tables, JSON null as the
 * `flb_null` value `Enable_Flb_Null` sets, the script called as `redact(tag, timestamp, record)`.
 * `.ci/run` installs luajit; without it these tests are skipped, saying so.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { redactionPatterns, redactionScript } from "../../../components/logs/redaction";
import { BUILTIN_REDACTION_NAMES, BUILTIN_REDACTIONS, luaPatternProblem, RedactionPattern } from "../../../components/settings/redaction";
import { ROOT } from "../../../scripts/root";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A Lua expression for a JSON value; arrays carry the marker the harness's encoder reads back. */
function lua(value: Json): string {
    if (value === null) return "flb_null";
    if (typeof value === "string") {
        // Byte by byte, so UTF-8 reaches Lua as the same bytes Fluent Bit would hand over; three
        // digits each, or a digit after the escape would join it.
        return `"${[...Buffer.from(value, "utf8")].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${String(b).padStart(3, "0")}`)).join("")}"`;
    }
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `arr({ ${value.map(lua).join(", ")} })`;
    return `{ ${Object.entries(value).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`).join(", ")} }`;
}

/** Calls `redact` on each record and prints the code, timestamp and record as JSON lines. */
const HARNESS = `
local ARRAY = {}
function arr(t) return setmetatable(t, ARRAY) end
flb_null = newproxy()
dofile(arg[1])
local function enc(v)
  local t = type(v)
  if v == flb_null then return "null" end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\\\]', function(c) return string.format("\\\\u%04x", c:byte()) end) .. '"'
  end
  if t == "number" then return v == math.floor(v) and string.format("%d", v) or string.format("%.17g", v) end
  if t == "boolean" then return tostring(v) end
  local out = {}
  if getmetatable(v) == ARRAY then
    for _, item in ipairs(v) do out[#out + 1] = enc(item) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  for k, item in pairs(v) do out[#out + 1] = enc(tostring(k)) .. ":" .. enc(item) end
  return "{" .. table.concat(out, ",") .. "}"
end
for _, case in ipairs(dofile(arg[2])) do
  local code, timestamp, record = redact(case[1], 1732099200.25, case[2])
  io.write(enc({ code = code, timestamp = timestamp, record = record }), "\\n")
end
`;

const LUAJIT = spawnSync("luajit", ["-v"], { encoding: "utf8" });
const HAVE_LUAJIT = !LUAJIT.error && LUAJIT.status === 0;

interface Result { code: number; timestamp: number; record: Json }

let dir: string;
function run(patterns: readonly RedactionPattern[], records: Array<[string, Json]>): Result[] {
    const script = path.join(dir, "redact.lua");
    const cases = path.join(dir, "cases.lua");
    const harness = path.join(dir, "harness.lua");
    fs.writeFileSync(script, redactionScript(patterns));
    fs.writeFileSync(cases, `return { ${records.map(([tag, r]) => `{ ${lua(tag)}, ${lua(r)} }`).join(",\n")} }\n`);
    fs.writeFileSync(harness, HARNESS);
    const r = spawnSync("luajit", [harness, script, cases], { encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Result);
}

const ALL = redactionPatterns(BUILTIN_REDACTION_NAMES, []);
const JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkRfc2EifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
/** What the kubernetes filter adds; none of it may change, even what looks like a pattern. */
const KUBERNETES: Json = {
    pod_name: "checkout-7d9f8b6c5-x2k4q",
    namespace_name: "shop",
    pod_id: "3f1c9a52-8e0b-4d7f-9a61-2b5c7e4d1f03",
    host: "worker-3",
    container_name: "checkout",
    container_image: "registry.example.com/shop/checkout@sha256:9b2e6c1f0a4d8e7b3c5a1f9e2d4b6c8a0e1f3d5b7c9a2e4f6b8d0c1e3a5f7b9d",
    labels: { "app.kubernetes.io/name": "checkout", "pod-template-hash": "7d9f8b6c5" },
    annotations: { "owner": "payments-team@example.com", "ci/build": "4111111111111111" },
};

describe("Redaction under LuaJIT", function () {
    before(function () {
        if (!HAVE_LUAJIT) {
            console.warn("    SKIPPED: luajit is not installed (apt-get install luajit; .ci/run installs it), so the redaction script is not run");
            this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "redact-"));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("runs on LuaJIT 2.1, the Lua of Fluent Bit 4.2.2", () => {
        assert.match(LUAJIT.stdout, /^LuaJIT 2\.1\./);
    });

    it("masks a bearer token, an email and a Luhn-valid card in a container log line, in the raw line and in the merged fields, and leaves the Kubernetes metadata alone", () => {
        const line = `{"level":"info","msg":"charge for jane.doe@example.com","auth":"Bearer 9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c","card":"4111 1111 1111 1111"}`;
        const [r] = run(ALL, [["kube.var.log.containers.checkout-7d9f8b6c5-x2k4q_shop_checkout-0123.log", {
            time: "2026-11-20T10:00:00.123456789Z",
            stream: "stdout",
            _p: "F",
            log: line,
            level: "info",
            msg: "charge for jane.doe@example.com",
            auth: "Bearer 9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c",
            card: "4111 1111 1111 1111",
            kubernetes: KUBERNETES,
            cluster_agent: "fluent-bit",
        }]]);
        assert.deepStrictEqual(r, {
            code: 2,
            timestamp: 1732099200.25,
            record: {
                time: "2026-11-20T10:00:00.123456789Z",
                stream: "stdout",
                _p: "F",
                log: `{"level":"info","msg":"charge for [REDACTED:email]","auth":"[REDACTED:bearer-token]","card":"[REDACTED:card-number]"}`,
                level: "info",
                msg: "charge for [REDACTED:email]",
                auth: "[REDACTED:bearer-token]",
                card: "[REDACTED:card-number]",
                kubernetes: KUBERNETES,
                cluster_agent: "fluent-bit",
            },
        });
    });

    it("masks only the card number that passes the Luhn check, and no other run of digits", () => {
        const [r] = run(ALL, [["kube.x", {
            log: "declined 4111-1111-1111-1112, charged 5500 0000 0000 0004, order 12345678901234567890, at 1732099200123456, amex 378282246310005",
        }]]);
        assert.deepStrictEqual(r.record, {
            log: "declined 4111-1111-1111-1112, charged [REDACTED:card-number], order 12345678901234567890, at 1732099200123456, amex [REDACTED:card-number]",
        });
    });

    it("walks nested maps and arrays, and keeps numbers, booleans and nulls as they were", () => {
        const [r] = run(ALL, [["kube.x", {
            request: {
                headers: { authorization: `Bearer ${JWT}`, "x-request-id": "req-8b1f" },
                params: ["email=ops@example.org", 42, true, null, 2.5],
                body: { login: { password: "hunter2", note: "password=hunter2; next" } },
            },
            empty: {},
            nothing: null,
        }]]);
        assert.deepStrictEqual(r.record, {
            request: {
                headers: { authorization: "Bearer [REDACTED:jwt]", "x-request-id": "req-8b1f" },
                params: ["email=[REDACTED:email]", 42, true, null, 2.5],
                // A value under a key named password has no "password" in its own text: not masked.
                body: { login: { password: "hunter2", note: "[REDACTED:password]; next" } },
            },
            empty: {},
            nothing: null,
        });
    });

    it("hands a record with nothing to mask back untouched (code 0), so Fluent Bit does not repack it", () => {
        const record: Json = {
            log: "GET /healthz 200 in 3ms; the bearer of this request is root@localhost, image nginx@sha256:abc; enter your password to continue",
            kubernetes: KUBERNETES,
        };
        const [r] = run(ALL, [["kube.x", record]]);
        assert.deepStrictEqual(r, { code: 0, timestamp: 1732099200.25, record });
    });

    it("masks node logs too: a journal record from the kubelet", () => {
        const [r] = run(ALL, [["node.journal", {
            message: "Failed to pull image \"registry.example.com/app:1.2\": authorization failed for robot@example.com",
            systemd_unit: "kubelet.service",
            priority: "3",
            hostname: "ip-10-0-1-23",
            node_name: "worker-3",
        }]]);
        assert.deepStrictEqual(r.record, {
            message: "Failed to pull image \"registry.example.com/app:1.2\": authorization failed for [REDACTED:email]",
            systemd_unit: "kubelet.service",
            priority: "3",
            hostname: "ip-10-0-1-23",
            node_name: "worker-3",
        });
    });

    it("applies only the built-ins chosen, then the stack's own patterns with their minimum length", () => {
        const patterns = redactionPatterns(["email"], [{ name: "api-key", pattern: "sk_live_%w+", minLength: 20 }]);
        const [r] = run(patterns, [["kube.x", {
            log: "key sk_live_4eC39HqLyjWDarjtT1zdp7dc and sk_live_short for jane@example.com with 4111111111111111",
        }]]);
        assert.deepStrictEqual(r.record, {
            log: "key [REDACTED:api-key] and sk_live_short for [REDACTED:email] with 4111111111111111",
        });
    });

    describe("the settings' pattern check agrees with LuaJIT", () => {
        /** LuaJIT's verdict on each pattern: "ok", or the error string.find raises. */
        function luajitErrors(patterns: readonly string[]): string[] {
            const file = path.join(dir, "patterns.lua");
            // A subject with letters, digits, brackets and an x reaches every item of the patterns below.
            fs.writeFileSync(file, `for _, p in ipairs({ ${patterns.map((p) => lua(p)).join(", ")} }) do
  local ok, err = pcall(string.find, "abc 123 (x) 4111-1111 a@b.co", p)
  io.write(ok and "ok" or err, "\\n")
end
`);
            const r = spawnSync("luajit", [file], { encoding: "utf8" });
            assert.strictEqual(r.status, 0, r.stderr);
            return r.stdout.trim().split("\n");
        }

        it("refuses every pattern LuaJIT raises an error on, naming LuaJIT's own complaint", () => {
            const faulty = ["[%d", "x%", "(%d", "%d)", "%1", "(%d)%2", "%b(", "%f%d", "()".repeat(33)];
            const verdicts = luajitErrors(faulty);
            faulty.forEach((p, i) => {
                assert.notStrictEqual(verdicts[i], "ok", `LuaJIT accepts ${p}`);
                const problem = luaPatternProblem(p);
                assert.ok(problem, `the check accepts ${p}, which LuaJIT refuses: ${verdicts[i]}`);
                // The check quotes Lua's message in parentheses (lstrlib.c's wording, which LuaJIT keeps).
                const quoted = problem.slice(problem.lastIndexOf("(") + 1, problem.lastIndexOf(")"));
                assert.ok(verdicts[i].startsWith(quoted), `${p}: "${problem}" vs LuaJIT "${verdicts[i]}"`);
            });
        });

        it("passes the built-ins and ordinary patterns, which LuaJIT runs without error", () => {
            const good = [...BUILTIN_REDACTIONS.map((p) => p.pattern), "sk_live_%w+", "%f[%w]%u%u%d%d[%u%d]+", "%[token=[^%]]+%]", "^Basic %S+", "(%d+)-%1"];
            assert.deepStrictEqual(good.map(luaPatternProblem), good.map(() => undefined));
            assert.deepStrictEqual(luajitErrors(good), good.map(() => "ok"));
        });

        it("refuses, as mistakes, patterns LuaJIT takes literally or would match everywhere", () => {
            const mistakes = ["%d*", "a|b", "\\d+", "%d{4}", "%e+"];
            assert.deepStrictEqual(luajitErrors(mistakes), mistakes.map(() => "ok"));
            for (const p of mistakes) {
                assert.ok(luaPatternProblem(p), p);
            }
        });
    });

    it("masks a whole string it could not search (a faulty pattern raises an error) rather than let it through", () => {
        const [r] = run([{ name: "broken", pattern: "[%d" }], [["kube.x", { log: "card 4111111111111111", count: 3 }]]);
        assert.deepStrictEqual(r, { code: 2, timestamp: 1732099200.25, record: { log: "[REDACTED:error]", count: 3 } });
    });
});

describe("Redaction in CI", () => {
    it(".ci/run installs luajit as it installs the other validators, so CI runs the tests above instead of skipping them", () => {
        const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
        assert.match(ci, /\|\| ! command -v luajit >\/dev\/null; then/);
        assert.match(ci, /apt-get install -y -qq --no-install-recommends [^\n]*\bluajit\b/);
        assert.ok(ci.indexOf("luajit -v") < ci.indexOf("\nnpm test\n"), "its version is printed before the tests run");
    });
});
