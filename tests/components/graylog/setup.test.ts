import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    ERROR_BURST_COUNT, ERROR_BURST_TITLE, GELF_INPUT_TITLE, graylogSetupJob, inputPlans, notificationPlans, SEVERITY_STREAMS, setupScript,
} from "../../../components/graylog/setup";
import { buildSettings, PlatformSettings } from "../../../components/settings";
import { AlertingSettings } from "../../../components/settings/profiles";
import { tempDir } from "../../helpers/tools";
import { FakeGraylog, FakeOptions, FakeState } from "./fake-graylog";

const SLACK_URL = "https://hooks.slack.com/services/T000/B000/secret-slack-token";
const WEBHOOK_URL = "https://hooks.example.com/graylog?token=secret-webhook-token";
const SMTP_PASSWORD = "secret-smtp-password";

const ALERTING: AlertingSettings = {
    receivers: [
        { name: "ops-mail", type: "email", to: "ops@example.com" },
        { name: "team-slack", type: "slack", channel: "#alerts" },
        { name: "hook", type: "webhook" },
        { name: "pager", type: "pagerduty" },
    ],
    defaultReceiver: "team-slack",
    criticalReceiver: "pager",
    smtp: { smarthost: "smtp.example.com:587", from: "graylog@example.com", username: "graylog", requireTls: true },
    groupWait: "30s",
    groupInterval: "5m",
    repeatInterval: "4h",
};

function graylogSettings(inputs: Partial<PlatformSettings["graylog"]["inputs"]> = {}): PlatformSettings["graylog"] {
    const g = buildSettings({ stack: "staging", config: { "observability-platform:profile": "staging" } }).graylog;
    return { ...g, inputs: { ...g.inputs, ...inputs } };
}

interface Run { status: number; output: string }

const BUSYBOX = ["/bin/busybox", "/usr/bin/busybox"].find((p) => fs.existsSync(p));

/**
 * A PATH with only BusyBox applets and curl, as in the curlimages/curl image (Alpine), so the
 * script's awk, sed and grep are the ones the Job really runs.
 */
function busyboxPath(): string {
    const dir = tempDir("busybox");
    for (const applet of ["sh", "awk", "sed", "grep", "cut", "tail", "head", "sha256sum", "cat", "sleep", "printf", "tr"]) {
        fs.symlinkSync(BUSYBOX!, path.join(dir, applet));
    }
    const curl = process.env.PATH!.split(":").map((d) => path.join(d, "curl")).find((p) => fs.existsSync(p))!;
    fs.symlinkSync(curl, path.join(dir, "curl"));
    return dir;
}

/** Runs the setup script against the fake API, as the Job would (credentials from the environment). */
async function runSetup(fake: FakeGraylog, script: string, secrets: Record<string, string> = { "team-slack": SLACK_URL, hook: WEBHOOK_URL }, shellPath?: string): Promise<Run> {
    const dir = tempDir("graylog-setup");
    fs.writeFileSync(path.join(dir, "setup.sh"), script);
    const secretDir = path.join(dir, "notifications");
    fs.mkdirSync(secretDir);
    for (const [name, value] of Object.entries(secrets)) {
        fs.writeFileSync(path.join(secretDir, name), value);
    }
    const child = spawn(shellPath ? path.join(shellPath, "sh") : "sh", [path.join(dir, "setup.sh")], {
        env: {
            PATH: shellPath ?? process.env.PATH,
            GRAYLOG_USER: "admin",
            GRAYLOG_PASSWORD: fake.password,
            GRAYLOG_API: fake.url,
            NOTIFICATION_SECRETS_DIR: secretDir,
            SETUP_POLL_SECONDS: "0",
            SETUP_POLL_ATTEMPTS: "4",
        },
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const status = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
    return { status, output };
}

function assertNoSecret(fake: FakeGraylog, run: Run): void {
    for (const secret of [SLACK_URL, WEBHOOK_URL, "secret-slack-token", "secret-webhook-token", SMTP_PASSWORD, fake.password]) {
        assert.ok(!run.output.includes(secret), `the output shows no secret (${secret.slice(0, 12)}...):\n${run.output}`);
    }
}

describe("Graylog setup script against a fake Graylog 7.0 API", function () {
    this.timeout(30000);
    let fake: FakeGraylog;
    const script = setupScript({ namespace: "graylog", graylog: graylogSettings(), alerting: ALERTING });
    const start = async (options: FakeOptions = {}, state?: FakeState) => {
        fake = new FakeGraylog(options, state);
        await fake.start();
    };
    afterEach(async () => fake && fake.stop());

    /**
     * One first run against an empty Graylog, made once: "a first run" checks it, and the cases
     * about a second run start from a fake holding what it left, as a real second run would.
     */
    let first: Promise<{ fake: FakeGraylog; run: Run }> | undefined;
    const firstRun = () => (first ??= (async () => {
        const f = new FakeGraylog();
        await f.start();
        try {
            return { fake: f, run: await runSetup(f, script) };
        } finally {
            await f.stop();
        }
    })());
    const startAfterFirstRun = async () => {
        const { fake: done, run } = await firstRun();
        assert.strictEqual(run.status, 0, run.output);
        await start({}, done.snapshot());
    };

    describe("a first run", () => {
        let run: Run;
        before(async () => {
            ({ fake, run } = await firstRun());
        });
        afterEach(() => undefined);

        it("succeeds and says so", () => {
            assert.strictEqual(run.status, 0, run.output);
            assert.match(run.output, /Graylog setup complete/);
        });

        it("creates the GELF TCP input once, global, on port 12201, and sees it RUNNING on every node", () => {
            assert.strictEqual(fake.inputs.length, 1);
            assert.strictEqual(fake.inputs[0].title, GELF_INPUT_TITLE);
            assert.strictEqual(fake.inputs[0].type, "org.graylog2.inputs.gelf.tcp.GELFTCPInput");
            assert.strictEqual(fake.inputs[0].attributes.port, 12201);
            assert.ok(fake.requests.some((r) => r.method === "GET" && r.path === "/cluster/inputstates"), "read the cluster-wide input states");
            assert.match(run.output, /running on every node/);
        });

        it("creates a stream per severity in the default index set and resumes each (new streams start paused)", () => {
            const created = fake.streams.filter((s) => !s.is_default);
            assert.deepStrictEqual(created.map((s) => s.title), SEVERITY_STREAMS.map((s) => s.title));
            for (const s of created) {
                assert.strictEqual(s.index_set_id, "aaaaaaaaaaaaaaaaaaaaaaa2");
                assert.strictEqual(s.disabled, false, `${s.title} resumed`);
            }
            const errors = created[0];
            assert.deepStrictEqual(errors.rules, [{ type: 4, field: "level", value: "4", inverted: false, description: "level < 4" }]);
        });

        it("creates a notification for every email, Slack and webhook receiver, none for PagerDuty", () => {
            assert.deepStrictEqual(fake.notifications.map((n) => [n.title, n.config.type]), [
                ["Alert receiver ops-mail", "email-notification-v1"],
                ["Alert receiver team-slack", "slack-notification-v1"],
                ["Alert receiver hook", "http-notification-v2"],
            ]);
            const byType = Object.fromEntries(fake.notifications.map((n) => [n.config.type, n.config]));
            assert.deepStrictEqual(byType["email-notification-v1"].email_recipients, ["ops@example.com"]);
            assert.strictEqual(byType["slack-notification-v1"].webhook_url, SLACK_URL, "the Slack URL comes from the Secret file");
            assert.strictEqual(byType["slack-notification-v1"].channel, "#alerts");
            assert.strictEqual(byType["http-notification-v2"].url, WEBHOOK_URL);
        });

        it("puts the webhook URL on the URL allowlist, which Graylog checks before an HTTP notification is sent", () => {
            assert.deepStrictEqual(fake.allowlist.entries.map((e: any) => [e.type, e.value]), [["literal", WEBHOOK_URL]]);
            assert.strictEqual(fake.allowlist.disabled, false);
        });

        it(`creates an enabled aggregation event definition: more than ${ERROR_BURST_COUNT} errors in 5 minutes per namespace, notifying the default receiver`, () => {
            assert.strictEqual(fake.definitions.length, 1);
            const d = fake.definitions[0];
            assert.strictEqual(d.title, ERROR_BURST_TITLE);
            assert.strictEqual(d.state, "ENABLED");
            assert.strictEqual(d.config.type, "aggregation-v1");
            assert.deepStrictEqual(d.config.streams, [fake.streams.find((s) => s.title === SEVERITY_STREAMS[0].title).id]);
            assert.deepStrictEqual(d.config.group_by, ["kubernetes_namespace_name"]);
            assert.deepStrictEqual(d.config.conditions.expression, { expr: ">", left: { expr: "number-ref", ref: "count-" }, right: { expr: "number", value: 100 } });
            assert.strictEqual(d.config.search_within_ms, 300000);
            assert.strictEqual(d.config.execute_every_ms, 300000);
            const slack = fake.notifications.find((n) => n.title === "Alert receiver team-slack");
            assert.deepStrictEqual(d.notifications.map((n: any) => n.notification_id), [slack.id]);
            const post = fake.requests.find((r) => r.method === "POST" && r.path.startsWith("/events/definitions"))!;
            assert.strictEqual(post.path, "/events/definitions?schedule=true", "scheduled, so it runs");
        });

        it("prints no credential", () => assertNoSecret(fake, run));
    });

    it("a second run changes nothing", async () => {
        await startAfterFirstRun();
        const second = await runSetup(fake, script);
        assert.strictEqual(second.status, 0, second.output);
        assert.ok(fake.requests.length > 0, "the second run read everything");
        assert.deepStrictEqual(fake.writes, [], "no POST or PUT on the second run");
        assert.strictEqual(fake.inputs.length, 1);
        assert.strictEqual(fake.notifications.length, 3);
        assert.strictEqual(fake.definitions.length, 1);
    });

    it("runs under BusyBox as in the curl image: the first run creates everything, the second changes nothing", async function () {
        if (!BUSYBOX) {
            this.skip();
        }
        await start({ launchState: { "5ca1ab1e-0000-4000-8000-00000000000b": "FAILED" } });
        const bin = busyboxPath();
        const first = await runSetup(fake, script, undefined, bin);
        assert.strictEqual(first.status, 0, first.output);
        assert.deepStrictEqual([fake.inputs.length, fake.streams.length, fake.notifications.length, fake.definitions.length, fake.allowlist.entries.length], [1, 3, 3, 1, 1]);
        assert.deepStrictEqual(Object.values(fake.states[fake.inputs[0].id]), ["RUNNING", "RUNNING"]);
        const before = fake.writes.length;
        const second = await runSetup(fake, script, undefined, bin);
        assert.strictEqual(second.status, 0, second.output);
        assert.deepStrictEqual(fake.writes.slice(before), []);
        assertNoSecret(fake, second);
    });

    it("a rotated webhook URL updates its notification in place and allowlists the new URL", async () => {
        await startAfterFirstRun();
        const rotated = "https://hooks.example.com/graylog?token=rotated";
        const run = await runSetup(fake, script, { "team-slack": SLACK_URL, hook: rotated });
        assert.strictEqual(run.status, 0, run.output);
        assert.strictEqual(fake.notifications.length, 3);
        assert.strictEqual(fake.notifications.find((n) => n.title === "Alert receiver hook").config.url, rotated);
        assert.deepStrictEqual(fake.allowlist.entries.map((e: any) => e.value), [rotated, WEBHOOK_URL]);
    });

    it("starts an input that is not running on a node, then verifies it runs everywhere", async () => {
        await start({ launchState: { "5ca1ab1e-0000-4000-8000-00000000000b": "FAILED" } });
        const run = await runSetup(fake, script);
        assert.strictEqual(run.status, 0, run.output);
        const id = fake.inputs[0].id;
        assert.ok(fake.requests.some((r) => r.method === "PUT" && r.path === `/cluster/inputstates/${id}`), "started through the cluster endpoint");
        assert.match(run.output, /not running on: 5ca1ab1e-0000-4000-8000-00000000000b=FAILED; started it/);
        assert.deepStrictEqual(Object.values(fake.states[id]), ["RUNNING", "RUNNING"]);
    });

    it("starts an existing input that is stopped", async () => {
        await startAfterFirstRun();
        const id = fake.inputs[0].id;
        fake.states[id]["5ca1ab1e-0000-4000-8000-00000000000a"] = "STOPPED";
        const run = await runSetup(fake, script);
        assert.strictEqual(run.status, 0, run.output);
        assert.ok(fake.requests.some((r) => r.method === "PUT" && r.path === `/cluster/inputstates/${id}`));
        assert.strictEqual(fake.inputs.length, 1, "not created twice");
    });

    it("fails, naming the node and state, when the input never runs", async () => {
        await start({ launchState: { "5ca1ab1e-0000-4000-8000-00000000000b": "FAILED" }, startWorks: false });
        const run = await runSetup(fake, script);
        assert.notStrictEqual(run.status, 0);
        assert.match(run.output, /setup: input "fluent-bit GELF TCP" \(\w+\) is not running on: 5ca1ab1e-0000-4000-8000-00000000000b=FAILED/);
        assert.doesNotMatch(run.output, /setup complete/);
    });

    it("resumes a severity stream someone paused", async () => {
        await startAfterFirstRun();
        const errors = fake.streams.find((s) => s.title === SEVERITY_STREAMS[0].title);
        errors.disabled = true;
        const run = await runSetup(fake, script);
        assert.strictEqual(run.status, 0, run.output);
        assert.strictEqual(errors.disabled, false);
    });

    it("fails with the call and status when the API refuses a request", async () => {
        await start({ failOn: { route: "POST /streams", status: 500 } });
        const run = await runSetup(fake, script);
        assert.notStrictEqual(run.status, 0);
        assert.match(run.output, /setup: POST \/streams failed \(HTTP 500\)/);
        assert.doesNotMatch(run.output, /setup complete/);
    });

    it("a refused notification shows no body, which would echo the webhook URL", async () => {
        await start({ failOn: { route: "POST /events/notifications", status: 400 } });
        const run = await runSetup(fake, script);
        assert.notStrictEqual(run.status, 0);
        assert.match(run.output, /setup: POST \/events\/notifications failed \(HTTP 400\)/);
        assertNoSecret(fake, run);
    });

    it("fails clearly when a receiver's credential file is missing", async () => {
        await start();
        const run = await runSetup(fake, script, { "team-slack": SLACK_URL });
        assert.notStrictEqual(run.status, 0);
        assert.match(run.output, /setup: no credential for receiver hook/);
    });

    it("creates and verifies the Syslog TCP and Beats inputs when they are on", async () => {
        await start();
        const withInputs = setupScript({ namespace: "graylog", graylog: graylogSettings({ syslogTcp: true, beats: true, sourceRanges: ["203.0.113.0/24"] }), alerting: ALERTING });
        const run = await runSetup(fake, withInputs);
        assert.strictEqual(run.status, 0, run.output);
        assert.deepStrictEqual(fake.inputs.map((i) => [i.type, i.attributes.port]), [
            ["org.graylog2.inputs.gelf.tcp.GELFTCPInput", 12201],
            ["org.graylog2.inputs.syslog.tcp.SyslogTCPInput", 1514],
            ["org.graylog.plugins.beats.Beats2Input", 5044],
        ]);
        assert.match(run.output, /input "external Beats" running on every node/);
    });

    it("without receivers, creates streams and an event definition with no notification", async () => {
        await start();
        const none = setupScript({ namespace: "graylog", graylog: graylogSettings(), alerting: { ...ALERTING, receivers: [], defaultReceiver: undefined, criticalReceiver: undefined, smtp: undefined } });
        const run = await runSetup(fake, none, {});
        assert.strictEqual(run.status, 0, run.output);
        assert.strictEqual(fake.notifications.length, 0);
        assert.deepStrictEqual(fake.definitions[0].notifications, []);
    });
});

describe("Graylog setup plan", () => {
    it("turns on only the GELF input by default", () => {
        assert.deepStrictEqual(inputPlans(graylogSettings()).map((i) => i.port), [12201]);
    });

    it("skips PagerDuty, which stays with Alertmanager", () => {
        assert.deepStrictEqual(notificationPlans(ALERTING).map((n) => n.receiver), ["ops-mail", "team-slack", "hook"]);
    });

    it("the Job mounts the notification credentials from their Secret, read-only, and takes the admin password from the root Secret", () => {
        const job = graylogSetupJob("graylog", "graylog-setup", "graylog-root", ALERTING);
        const pod = job.spec.template.spec;
        assert.deepStrictEqual(pod.volumes.find((v: any) => v.name === "notifications"), { name: "notifications", secret: { secretName: "graylog-notifications" } });
        assert.ok(pod.containers[0].volumeMounts.find((m: any) => m.name === "notifications").readOnly);
        assert.deepStrictEqual(pod.containers[0].env.map((e: any) => e.valueFrom.secretKeyRef.name), ["graylog-root", "graylog-root"]);
        assert.ok(pod.containers[0].resources.requests.cpu && pod.containers[0].resources.requests.memory, "the Job requests resources");
    });

    it("the Job mounts no Secret when no receiver needs a credential file", () => {
        const job = graylogSetupJob("graylog", "graylog-setup", "graylog-root", { ...ALERTING, receivers: [ALERTING.receivers[0]] });
        assert.deepStrictEqual(job.spec.template.spec.volumes.map((v: any) => v.name), ["setup"]);
    });

    it("the script carries no credential", () => {
        const s = setupScript({ namespace: "graylog", graylog: graylogSettings(), alerting: ALERTING });
        assert.ok(!s.includes("hooks.slack.com") && !s.includes(SMTP_PASSWORD));
    });
});
