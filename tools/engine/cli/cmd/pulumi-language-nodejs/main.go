// Command pulumi-language-nodejs is a small Node.js language host for the
// Pulumi engine, written for this repository because the upstream host's Go
// module is not served by the Go module proxy this project builds from.
//
// It implements the parts of the LanguageRuntime gRPC service that
// `pulumi preview`, `pulumi up` and `pulumi preview --policy-pack DIR` use:
//
//   - Run starts `node <@pulumi/pulumi>/cmd/run` for the program, passing the
//     engine and monitor addresses, project, stack and config the way that
//     script reads them (flags and PULUMI_* environment variables).
//   - RunPlugin starts `cmd/run-policy-pack` (analyzers) or `cmd/run-plugin`
//     (providers) and streams their output back to the engine.
//   - GetRequiredPackages lists the resource plugins that the program's
//     dependencies declare in the "pulumi" section of their package.json.
//
// The @pulumi/pulumi scripts are found by Node's module resolution rules:
// the nearest node_modules directory at or above the program directory.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is reported through GetPluginInfo; build.sh sets it with -X.
var version = "0.0.0-dev"

// exitAfterLoggedError is the exit code @pulumi/pulumi's run script uses when
// it has already shown the user the error; the engine is then told to bail
// quietly instead of printing a second, generic message.
const exitAfterLoggedError = 32

func main() {
	engine, err := engineAddress(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs:", err)
		os.Exit(2)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs: node is not on PATH:", err)
		os.Exit(1)
	}
	host := &nodeHost{engine: engine, node: nodeBin}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs: cannot serve:", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of our stdout.
	fmt.Println(handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs: server stopped:", err)
		os.Exit(1)
	}
}

// engineAddress returns the last positional argument. The engine may put
// logging flags (--logtostderr, -v=N) and `--tracing URL` before it.
func engineAddress(args []string) (string, error) {
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--tracing" || a == "-tracing":
			i++ // skip its value
		case strings.HasPrefix(a, "-"):
			// a boolean or -k=v flag we do not use
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) == 0 {
		return "", errors.New("usage: pulumi-language-nodejs [flags] ENGINE_ADDRESS")
	}
	return positional[len(positional)-1], nil
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	node string

	mu     sync.Mutex
	engine string
}

func (h *nodeHost) engineAddr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engine
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.mu.Lock()
		h.engine = req.GetEngineAddress()
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// ---------------------------------------------------------------------------
// Program directory helpers

// programDir is the directory that holds the program (index.ts), falling
// back to the project root and then the working directory.
func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil {
		if d := info.GetProgramDirectory(); d != "" {
			return d
		}
		if d := info.GetRootDirectory(); d != "" {
			return d
		}
	}
	return pwd
}

// entryPoint returns the absolute program path handed to Node. "." means the
// program directory itself (Node then honours package.json "main").
func entryPoint(info *pulumiProgram) string {
	ep := info.entry
	if ep == "" || ep == "." {
		return info.dir
	}
	if filepath.IsAbs(ep) {
		return ep
	}
	return filepath.Join(info.dir, ep)
}

type pulumiProgram struct {
	dir     string
	entry   string
	options map[string]any
}

func newProgram(info *pulumirpc.ProgramInfo, legacyProgram, pwd string) *pulumiProgram {
	p := &pulumiProgram{dir: programDir(info, pwd), options: map[string]any{}}
	if info != nil {
		p.entry = info.GetEntryPoint()
		if o := info.GetOptions(); o != nil {
			p.options = o.AsMap()
		}
	} else if legacyProgram != "" {
		p.dir, p.entry = legacyProgram, "."
	}
	if !filepath.IsAbs(p.dir) && pwd != "" {
		p.dir = filepath.Join(pwd, p.dir)
	}
	return p
}

func (p *pulumiProgram) boolOption(name string, def bool) bool {
	switch v := p.options[name].(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

func (p *pulumiProgram) stringOption(name string) string {
	if v, ok := p.options[name].(string); ok {
		return v
	}
	return ""
}

// resolvePackageDir finds node_modules/<pkg> at or above dir, as Node does.
func resolvePackageDir(dir, pkg string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", filepath.FromSlash(pkg))
		if st, err := os.Stat(filepath.Join(candidate, "package.json")); err == nil && !st.IsDir() {
			return candidate, true
		}
		if parent := filepath.Dir(d); parent == d {
			return "", false
		}
	}
}

// sdkScript returns the path of one of @pulumi/pulumi's cmd/* entry points.
func sdkScript(dir, name string) (string, error) {
	if override := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); override != "" && name == "run" {
		return override, nil
	}
	sdk, ok := resolvePackageDir(dir, "@pulumi/pulumi")
	if !ok {
		return "", fmt.Errorf("@pulumi/pulumi is not installed for %s: run npm install (or npm ci)", dir)
	}
	return filepath.Join(sdk, "cmd", name), nil
}

// ---------------------------------------------------------------------------
// Plugins required by the program

type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(dir string) (*packageJSON, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var pkg packageJSON
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
	}
	return &pkg, nil
}

// pluginOf returns the resource plugin a package declares, if any.
func pluginOf(pkg *packageJSON) (*pulumirpc.PackageDependency, bool) {
	if !pkg.Pulumi.Resource {
		return nil, false
	}
	name := pkg.Pulumi.Name
	if name == "" {
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
		name = strings.TrimPrefix(name, "@")
	}
	v := pkg.Pulumi.Version
	if v == "" {
		v = pkg.Version
	}
	if v != "" && !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return &pulumirpc.PackageDependency{
		Name: name, Kind: "resource", Version: v, Server: pkg.Pulumi.Server,
	}, true
}

// requiredPlugins walks the dependency graph of the package.json in dir.
func requiredPlugins(dir string) ([]*pulumirpc.PackageDependency, error) {
	root, err := readPackageJSON(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	type item struct{ from, name string }
	queue := make([]item, 0, len(root.Dependencies))
	for name := range root.Dependencies {
		queue = append(queue, item{dir, name})
	}
	seen := map[string]bool{}
	found := map[string]*pulumirpc.PackageDependency{}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		pkgDir, ok := resolvePackageDir(it.from, it.name)
		if !ok || seen[pkgDir] {
			continue
		}
		seen[pkgDir] = true
		pkg, err := readPackageJSON(pkgDir)
		if err != nil {
			continue
		}
		if dep, ok := pluginOf(pkg); ok {
			found[dep.Name+"@"+dep.Version] = dep
		}
		for name := range pkg.Dependencies {
			queue = append(queue, item{pkgDir, name})
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*pulumirpc.PackageDependency, 0, len(keys))
	for _, k := range keys {
		out = append(out, found[k])
	}
	return out, nil
}

func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := requiredPlugins(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := requiredPlugins(programDir(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(deps))
	for _, d := range deps {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	root, err := readPackageJSON(dir)
	if err != nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	names := make([]string, 0, len(root.Dependencies))
	for n := range root.Dependencies {
		names = append(names, n)
	}
	sort.Strings(names)
	var deps []*pulumirpc.DependencyInfo
	for _, n := range names {
		if d, ok := resolvePackageDir(dir, n); ok {
			if pkg, err := readPackageJSON(d); err == nil {
				deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: pkg.Version})
			}
		}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command(h.node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: h.node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// InstallDependencies runs `npm install` only when the program has no
// node_modules to resolve @pulumi/pulumi from; this host never needs more.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	if _, ok := resolvePackageDir(dir, "@pulumi/pulumi"); ok {
		return stream.Send(&pulumirpc.InstallDependenciesResponse{
			Stdout: []byte("dependencies already installed\n"),
		})
	}
	cmd := exec.CommandContext(stream.Context(), "npm", "install")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if sendErr := stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out}); sendErr != nil {
		return sendErr
	}
	if err != nil {
		return fmt.Errorf("npm install in %s: %w", dir, err)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Running programs

func configEnv(req *pulumirpc.RunRequest) ([]string, error) {
	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	keys := req.GetConfigSecretKeys()
	if keys == nil {
		keys = []string{}
	}
	keysJSON, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	return []string{
		"PULUMI_CONFIG=" + string(cfgJSON),
		"PULUMI_CONFIG_SECRET_KEYS=" + string(keysJSON),
	}, nil
}

// typeScriptEnv tells @pulumi/pulumi's run script whether to register
// ts-node, from the `typescript` and `tsconfig` runtime options of
// Pulumi.yaml (TypeScript is on unless switched off, as upstream).
func typeScriptEnv(p *pulumiProgram) []string {
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + strconv.FormatBool(p.boolOption("typescript", true))}
	if ts := p.stringOption("tsconfig"); ts != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+ts)
	}
	return env
}

func nodeArgs(p *pulumiProgram) []string {
	return strings.Fields(p.stringOption("nodeargs"))
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	prog := newProgram(req.GetInfo(), req.GetProgram(), req.GetPwd())
	script, err := sdkScript(prog.dir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append(nodeArgs(prog), script)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engineAddr())
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	if info := req.GetInfo(); info != nil {
		flag("root-directory", info.GetRootDirectory())
	}
	if req.GetParallel() > 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, entryPoint(prog))
	args = append(args, req.GetArgs()...)

	env, err := configEnv(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, h.node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(append(os.Environ(), env...), typeScriptEnv(prog)...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitAfterLoggedError {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// ---------------------------------------------------------------------------
// Running plugins (policy packs, Node.js providers)

type streamWriter struct {
	mu     *sync.Mutex
	stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	data := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: data}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: data}}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.stream.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	prog := newProgram(req.GetInfo(), req.GetProgram(), req.GetPwd())
	var script string
	var err error
	var args []string
	switch req.GetKind() {
	case "analyzer":
		// run-policy-pack takes ENGINE_ADDRESS PACK_DIR; the engine passes
		// its address as the plugin's only argument.
		script, err = sdkScript(prog.dir, "run-policy-pack")
		args = append(append(args, req.GetArgs()...), prog.dir)
	case "resource", "":
		script, err = sdkScript(prog.dir, "run-plugin")
		args = append([]string{prog.dir}, req.GetArgs()...)
	default:
		return fmt.Errorf("plugin kind %q is not supported by this language host", req.GetKind())
	}
	if err != nil {
		return err
	}

	cmd := exec.CommandContext(stream.Context(), h.node, append(append(nodeArgs(prog), script), args...)...)
	cmd.Dir = req.GetPwd()
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	cmd.Env = append(append([]string{}, env...), typeScriptEnv(prog)...)
	var mu sync.Mutex
	cmd.Stdout = streamWriter{mu: &mu, stream: stream}
	cmd.Stderr = streamWriter{mu: &mu, stream: stream, stderr: true}
	// Stop the whole process group when the engine cancels the stream.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = int32(exitErr.ExitCode())
	}
	mu.Lock()
	defer mu.Unlock()
	return stream.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}
