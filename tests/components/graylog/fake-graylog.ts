/**
 * A fake Graylog 7.0 REST API on 127.0.0.1 for the setup script tests. It answers with the
 * shapes read in graylog2-server 7.0.12 (see components/graylog/setup.ts) and refuses what the
 * real server refuses: a POST/PUT without X-Requested-By (400, CSRF filter), a create of a
 * stream, event definition or notification without the `{entity}` wrapper, a PUT whose id does
 * not match, a stream without the default index set.
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface Request { method: string; path: string; body: any }

export interface FakeOptions {
    /** State each node reports for a newly launched input, per node (default RUNNING everywhere). */
    launchState?: Record<string, string>;
    /** Whether `PUT /cluster/inputstates/{id}` brings the input to RUNNING (default true). */
    startWorks?: boolean;
    /** "METHOD /path" answered with this status and a body echoing the request. */
    failOn?: { route: string; status: number };
}

/** What a fake holds apart from its request log: a new fake can start from it, as a second run finds Graylog. */
const STATE = ["inputs", "states", "streams", "notifications", "definitions", "allowlist", "next"] as const;
export type FakeState = Pick<FakeGraylog, (typeof STATE)[number]>;

export class FakeGraylog {
    readonly requests: Request[] = [];
    readonly nodes = ["5ca1ab1e-0000-4000-8000-00000000000a", "5ca1ab1e-0000-4000-8000-00000000000b"];
    inputs: any[] = [];
    /** input id -> node -> state */
    states: Record<string, Record<string, string>> = {};
    streams: any[] = [{ id: "000000000000000000000001", title: "Default Stream", disabled: false, is_default: true, rules: [] }];
    notifications: any[] = [];
    definitions: any[] = [];
    allowlist: any = { entries: [], disabled: false };
    /** The next id handed out. */
    next = 1;
    private server?: http.Server;
    readonly password = "fake-root-password-0123456789";

    constructor(public options: FakeOptions = {}, state?: FakeState) {
        if (state) {
            Object.assign(this, structuredClone(state));
        }
    }

    snapshot(): FakeState {
        return structuredClone(Object.fromEntries(STATE.map((key) => [key, this[key]]))) as FakeState;
    }

    get url(): string {
        return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api`;
    }

    /** Requests that change something. */
    get writes(): Request[] {
        return this.requests.filter((r) => r.method !== "GET");
    }

    async start(): Promise<void> {
        this.server = http.createServer((req, res) => {
            let raw = "";
            req.on("data", (c) => (raw += c));
            req.on("end", () => this.handle(req, raw, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    private id(): string {
        return (this.next++).toString(16).padStart(24, "0");
    }

    private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
        const url = new URL(req.url!, "http://x");
        const path = url.pathname.replace(/^\/api/, "");
        const method = req.method!;
        let body: any;
        try {
            body = raw ? JSON.parse(raw) : undefined;
        } catch {
            return this.send(res, 400, { type: "ApiError", message: "Unable to map request body" });
        }
        this.requests.push({ method, path: `${path}${url.search}`, body });
        const send = (status: number, payload?: unknown) => this.send(res, status, payload);
        const auth = Buffer.from(`admin:${this.password}`).toString("base64");
        if (req.headers.authorization !== `Basic ${auth}`) {
            return send(401, { type: "ApiError", message: "unauthorized" });
        }
        if (method !== "GET" && !req.headers["x-requested-by"]) {
            return send(400, { type: "ApiError", message: "CSRF protection header is missing." });
        }
        if (this.options.failOn?.route === `${method} ${path}`) {
            return send(this.options.failOn.status, { type: "ApiError", message: `refused: ${raw}` });
        }
        const wrapped = () => {
            if (!body?.entity || body.share_request !== null) {
                send(400, { type: "ApiError", message: "expected {entity, share_request}" });
                return undefined;
            }
            return body.entity;
        };
        let m: RegExpMatchArray | null;
        if (method === "GET" && path === "/system/lbstatus") {
            res.writeHead(200, { "Content-Type": "text/plain" });
            return void res.end("ALIVE");
        }
        if (method === "GET" && path === "/system/inputs") {
            return send(200, { inputs: this.inputs, total: this.inputs.length });
        }
        if (method === "POST" && path === "/system/inputs") {
            if (body?.entity || !body?.type || !body?.configuration?.port || !body?.configuration?.bind_address || body.global !== true) {
                return send(400, { type: "ApiError", message: "bad input" });
            }
            const input = { id: this.id(), title: body.title, type: body.type, global: true, attributes: body.configuration, node: null };
            this.inputs.push(input);
            this.states[input.id] = Object.fromEntries(this.nodes.map((n) => [n, this.options.launchState?.[n] ?? "RUNNING"]));
            return send(201, { id: input.id });
        }
        if (method === "GET" && path === "/cluster/inputstates") {
            return send(200, Object.fromEntries(this.nodes.map((n) => [n, this.inputs
                .filter((i) => this.states[i.id]?.[n] !== "absent")
                .map((i) => ({ id: i.id, state: this.states[i.id][n], started_at: "2026-11-01T00:00:00.000Z", detailed_message: null, message_input: { ...i, id: i.id } }))])));
        }
        if (method === "PUT" && (m = path.match(/^\/cluster\/inputstates\/(\w+)$/))) {
            if (!this.states[m[1]]) {
                return send(404, { type: "ApiError", message: "no such input" });
            }
            if (this.options.startWorks ?? true) {
                for (const n of this.nodes) {
                    this.states[m[1]][n] = "RUNNING";
                }
            }
            return send(200, Object.fromEntries(this.nodes.map((n) => [n, { id: m![1] }])));
        }
        if (method === "GET" && path === "/system/indices/index_sets") {
            return send(200, { total: 2, index_sets: [{ id: "aaaaaaaaaaaaaaaaaaaaaaa1", title: "Events", default: false }, { id: "aaaaaaaaaaaaaaaaaaaaaaa2", title: "Default index set", default: true }], stats: {} });
        }
        if (method === "GET" && path === "/streams") {
            return send(200, { total: this.streams.length, streams: this.streams });
        }
        if (method === "POST" && path === "/streams") {
            const e = wrapped();
            if (!e) {
                return;
            }
            if (e.index_set_id !== "aaaaaaaaaaaaaaaaaaaaaaa2") {
                return send(400, { type: "ApiError", message: "Index set not found" });
            }
            const stream = { ...e, id: this.id(), disabled: true, is_default: false };
            this.streams.push(stream);
            return send(201, { stream_id: stream.id });
        }
        if (method === "GET" && (m = path.match(/^\/streams\/(\w+)$/))) {
            const stream = this.streams.find((s) => s.id === m![1]);
            return stream ? send(200, stream) : send(404, { type: "ApiError", message: "not found" });
        }
        if (method === "POST" && (m = path.match(/^\/streams\/(\w+)\/resume$/))) {
            const stream = this.streams.find((s) => s.id === m![1]);
            if (!stream) {
                return send(404, { type: "ApiError", message: "not found" });
            }
            stream.disabled = false;
            return send(204);
        }
        for (const [base, key, list] of [["/events/notifications", "notifications", this.notifications], ["/events/definitions", "event_definitions", this.definitions]] as const) {
            if (method === "GET" && path === base) {
                return send(200, { total: list.length, count: list.length, page: 1, per_page: 500, [key]: list });
            }
            if (method === "POST" && path === base) {
                const e = wrapped();
                if (!e) {
                    return;
                }
                const saved = { ...e, id: this.id() };
                list.push(saved);
                return send(200, saved);
            }
            if ((m = path.match(new RegExp(`^${base}/(\\w+)$`)))) {
                const at = list.findIndex((x: any) => x.id === m![1]);
                if (at < 0) {
                    return send(404, { type: "ApiError", message: "not found" });
                }
                if (method === "GET") {
                    return send(200, list[at]);
                }
                if (method === "PUT") {
                    if (body?.entity || body?.id !== m[1]) {
                        return send(400, { type: "ApiError", message: "id mismatch" });
                    }
                    list[at] = body;
                    return send(200, body);
                }
            }
        }
        if (path === "/system/urlallowlist") {
            if (method === "GET") {
                return send(200, this.allowlist);
            }
            if (method === "PUT") {
                if (!Array.isArray(body?.entries) || body.entries.some((e: any) => !e.id || !["literal", "regex"].includes(e.type) || !e.value)) {
                    return send(400, { type: "ApiError", message: "bad allowlist" });
                }
                this.allowlist = body;
                return send(204);
            }
        }
        return send(404, { type: "ApiError", message: `no route ${method} ${path}` });
    }

    private send(res: http.ServerResponse, status: number, payload?: unknown): void {
        res.writeHead(status, payload === undefined ? {} : { "Content-Type": "application/json" });
        res.end(payload === undefined ? undefined : JSON.stringify(payload));
    }
}
