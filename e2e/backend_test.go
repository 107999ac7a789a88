package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fastshop/internal/jsondoc"
)

// bootstrapStack is the state bootstrap's stack id (stacks.StateBootstrapID).
const bootstrapStack = "state-bootstrap"

// Keys of the throwaway S3 server. They exist only in these tests and reach
// terraform only as -backend-config, never in a synthesized file.
const (
	s3TestAccessKey = "fastshop-e2e-access"
	s3TestSecretKey = "fastshop-e2e-secret-not-real"
)

// Time limits. Every terraform operation here is local (an S3 server on
// loopback, no AWS), so these are generous ceilings, not expectations.
const (
	tfOpTimeout     = 2 * time.Minute
	s3StartTimeout  = 15 * time.Second
	lockHoldTimeout = 60 * time.Second
)

// s3Server is a versitygw serving a posix folder on loopback: a folder
// under Root is a bucket, and an object is a file at its key.
type s3Server struct {
	Endpoint string
	Root     string
	log      *syncBuffer
}

// syncBuffer collects a child's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startS3 starts versitygw on a free loopback port with a fresh data folder,
// answering for region (the backend's region: the server refuses requests
// signed for another), and stops it when the test ends.
func startS3(t *testing.T, region string) *s3Server {
	t.Helper()
	bin := requireTool(t, "versitygw", "GOBIN=$HOME/.cache/fastshop-tools/bin go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
	root := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	s := &s3Server{Endpoint: "http://" + addr, Root: root, log: &syncBuffer{}}
	// Debug logging prints each request's headers, which is how the tests
	// see the encryption headers the backend sends.
	cmd := exec.Command(bin, "--port", addr, "--region", region, "--log-level", "debug", "posix", root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s3TestAccessKey, "ROOT_SECRET_KEY="+s3TestSecretKey)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	deadline := time.Now().Add(s3StartTimeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return s
		}
		select {
		case err := <-exited:
			t.Fatalf("versitygw exited before listening on %s: %v\n%s", addr, err, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw not listening on %s after %s:\n%s", addr, s3StartTimeout, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// createBucket makes a bucket (a folder, for the posix backend).
func (s *s3Server) createBucket(t *testing.T, bucket string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(s.Root, bucket), 0o755); err != nil {
		t.Fatal(err)
	}
}

// objectPath is where the posix backend keeps an object.
func (s *s3Server) objectPath(bucket, key string) string {
	return filepath.Join(s.Root, bucket, filepath.FromSlash(key))
}

// ansi matches terminal colour codes in versitygw's debug log.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// requestLog is the server's log since offset, without colour codes.
func (s *s3Server) requestLog(offset int) string {
	all := s.log.String()
	if offset > len(all) {
		offset = len(all)
	}
	return ansi.ReplaceAllString(all[offset:], "")
}

// logOffset marks the current end of the log.
func (s *s3Server) logOffset() int {
	return len(s.log.String())
}

// backendConfig points the synthesized S3 backend at this server. Only the
// endpoint, path style, test keys and the checks a non-AWS server cannot
// answer are given; bucket, key, region, encrypt, kms_key_id and
// use_lockfile stay as synthesized. The assume_role into the state account
// is switched off: the test server has no STS, and its keys stand for the
// state-access role's credentials.
func (s *s3Server) backendConfig() []string {
	return []string{
		"-backend-config=assume_role=null",
		`-backend-config=endpoints={s3="` + s.Endpoint + `"}`,
		"-backend-config=use_path_style=true",
		"-backend-config=access_key=" + s3TestAccessKey,
		"-backend-config=secret_key=" + s3TestSecretKey,
		"-backend-config=skip_credentials_validation=true",
		"-backend-config=skip_requesting_account_id=true",
		"-backend-config=skip_metadata_api_check=true",
		"-backend-config=skip_region_validation=true",
	}
}

// s3Backend is the backend block of a synthesized stack.
type s3Backend struct {
	Bucket      string `json:"bucket"`
	Key         string `json:"key"`
	Region      string `json:"region"`
	Encrypt     bool   `json:"encrypt"`
	KMSKeyID    string `json:"kms_key_id"`
	UseLockfile bool   `json:"use_lockfile"`
}

// stackDoc decodes a synthesized stack's cdk.tf.json.
func stackDoc(t *testing.T, outdir, stack string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(stackJSONPath(outdir, stack))
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: cdk.tf.json does not parse: %v", stack, err)
	}
	return doc
}

// backendOf returns a synthesized stack's S3 backend and its whole
// terraform block.
func backendOf(t *testing.T, outdir, stack string) (s3Backend, map[string]any) {
	t.Helper()
	doc := stackDoc(t, outdir, stack)
	block, _ := doc["terraform"].(map[string]any)
	raw, err := json.Marshal(jsondoc.At(block, "backend", "s3"))
	if err != nil {
		t.Fatal(err)
	}
	var b s3Backend
	if err := json.Unmarshal(raw, &b); err != nil || b.Bucket == "" {
		t.Fatalf("%s: no S3 backend in the terraform block: %v", stack, block["backend"])
	}
	return b, block
}

// terraformCmd prepares a terraform command in dir the way runTerraform
// does, without the developer's AWS settings (the backend must use only
// what the test gives it).
func terraformCmd(ctx context.Context, tf, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "TF_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE=/dev/null", "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	cmd.Env = append(cmd.Env, offlineCredentials...)
	// Own process group, so a kill reaches the provisioners it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// tfRun runs one terraform operation with a time limit and returns its
// combined output.
func tfRun(t *testing.T, tf, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tfOpTimeout)
	defer cancel()
	cmd := terraformCmd(ctx, tf, dir, args...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("terraform %s: no result within %s: %w", args[0], tfOpTimeout, ctx.Err())
	}
	return string(out), err
}

// mustTF runs terraform and fails the test on error.
func mustTF(t *testing.T, tf, dir string, args ...string) string {
	t.Helper()
	out, err := tfRun(t, tf, dir, args...)
	if err != nil {
		t.Fatalf("%s: terraform %s: %v\n%s", filepath.Base(dir), strings.Join(args, " "), err, out)
	}
	return out
}

// initS3 initializes dir against the test server.
func initS3(t *testing.T, tf, dir string, s *s3Server) {
	t.Helper()
	args := append([]string{"init", "-input=false", "-no-color", "-plugin-dir=" + pluginDir()}, s.backendConfig()...)
	mustTF(t, tf, dir, args...)
}

// dataOnlyStack is a configuration with a stack's terraform block (backend,
// versions) and resources that need no AWS API: terraform_data only.
// resources maps a name to the resource body.
func dataOnlyStack(t *testing.T, dir string, terraformBlock map[string]any, resources map[string]any) {
	t.Helper()
	doc := map[string]any{
		"terraform": terraformBlock,
		"resource":  map[string]any{"terraform_data": resources},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// holdingResource is a terraform_data whose creation signals that it runs
// (touching held) and then waits until release exists, at most
// lockHoldTimeout. While it waits, the apply holds the state lock.
func holdingResource(held, release string) map[string]any {
	tenths := int(lockHoldTimeout / (100 * time.Millisecond))
	script := fmt.Sprintf(`touch '%s'; i=0; while [ ! -e '%s' ] && [ $i -lt %d ]; do sleep 0.1; i=$((i+1)); done`, held, release, tenths)
	return map[string]any{
		"input":       "holds the lock",
		"provisioner": []any{map[string]any{"local-exec": map[string]any{"command": script}}},
	}
}

// stateFile reads and checks a state object in the server's folder: it
// must be Terraform state JSON (version 4, a lineage).
func stateFile(t *testing.T, path string) ([]byte, map[string]any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("state object: %v", err)
	}
	var state map[string]any
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatalf("state object %s is not JSON: %v\n%s", path, err, data)
	}
	if state["version"] != float64(4) || state["lineage"] == nil || state["lineage"] == "" {
		t.Fatalf("state object %s is not Terraform state (version %v, lineage %v)", path, state["version"], state["lineage"])
	}
	return data, state
}

// stateResources lists type.name of the resources in a decoded state.
func stateResources(state map[string]any) []string {
	var out []string
	list, _ := state["resources"].([]any)
	for _, r := range list {
		m, _ := r.(map[string]any)
		out = append(out, fmt.Sprintf("%v.%v", m["type"], m["name"]))
	}
	slices.Sort(out)
	return out
}

// lockInfo reads the lock object the S3 backend writes beside the state.
func lockInfo(t *testing.T, path string) (id string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("lock object: %v", err)
	}
	var info struct{ ID, Operation string }
	if err := json.Unmarshal(data, &info); err != nil || info.ID == "" {
		t.Fatalf("lock object %s holds no lock ID: %v\n%s", path, err, data)
	}
	return info.ID
}

// waitFor polls until path exists or done is closed or the limit passes.
func waitFor(path string, done <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case <-done:
			return errors.New("the operation ended first")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %s", path, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// backgroundTF is a terraform operation running while the test acts.
type backgroundTF struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// startTF starts terraform in the background, bounded by tfOpTimeout, and
// kills it (and its provisioners) if the test ends first.
func startTF(t *testing.T, tf, dir string, args ...string) *backgroundTF {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tfOpTimeout)
	b := &backgroundTF{cmd: terraformCmd(ctx, tf, dir, args...), out: &syncBuffer{}, done: make(chan struct{})}
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	if err := b.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start terraform %s: %v", args[0], err)
	}
	go func() {
		b.err = b.cmd.Wait()
		cancel()
		close(b.done)
	}()
	t.Cleanup(func() {
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-b.done
	})
	return b
}

// wait returns the operation's error once it ends.
func (b *backgroundTF) wait() error {
	<-b.done
	return b.err
}

// lockErrorID extracts the lock ID terraform reports on a lock conflict.
var lockErrorID = regexp.MustCompile(`(?m)^\s*ID:\s+(\S+)`)

// s3BackendStack is the stack whose synthesized S3 backend TestS3Backend
// runs. Every pipeline stack's backend block is the same but for its key
// (stacks TestStateBackendAndVersions checks each key, bucket, region,
// encrypt, kms_key_id and use_lockfile), so one stack runs the backend's
// code path; prod, whose state matters most.
const s3BackendStack = "prod"

// TestS3Backend runs a synthesized S3 backend against a real S3 server: the
// offline plan takes the lock (the <key>.tflock object is written) and
// releases it, and an apply of a stack with the same terraform block but
// only terraform_data writes valid state at fastshop/<env>/terraform.tfstate
// with the state's SSE-KMS headers.
func TestS3Backend(t *testing.T) {
	skipInShortMode(t)
	tf := requireTerraform(t)
	outdir := synthAll(t)
	stack := s3BackendStack
	backend, block := backendOf(t, outdir, stack)
	if want := "fastshop/" + stack + "/terraform.tfstate"; backend.Key != want {
		t.Fatalf("%s: state key %q; want %q", stack, backend.Key, want)
	}
	s := startS3(t, backend.Region)
	s.createBucket(t, backend.Bucket)
	lockObject := "/" + backend.Bucket + "/" + backend.Key + ".tflock"
	statePath := s.objectPath(backend.Bucket, backend.Key)

	// The pipeline stack as synthesized, plus dummy provider keys.
	dir := filepath.Join(workDir, "s3-plan-"+stack)
	if err := copyDir(filepath.Join(outdir, "stacks", stack), dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "provider_override.tf.json"), []byte(offlineProvider), 0o644); err != nil {
		t.Fatal(err)
	}
	initS3(t, tf, dir, s)
	mark := s.logOffset()
	mustTF(t, tf, dir, "plan", "-input=false", "-no-color", "-lock=true", "-lock-timeout=0s", "-out=plan.bin")
	log := s.requestLog(mark)
	for _, want := range []string{"| PUT | " + lockObject, "| DELETE | " + lockObject} {
		if !strings.Contains(log, want) {
			t.Errorf("%s: plan did not %s the lock object %s", stack, strings.Fields(want)[1], lockObject)
		}
	}
	if _, err := os.Stat(statePath + ".tflock"); !os.IsNotExist(err) {
		t.Errorf("%s: lock object still there after the plan (%v)", stack, err)
	}

	// Same terraform block, terraform_data only: apply writes state.
	applyDir := filepath.Join(workDir, "s3-apply-"+stack)
	dataOnlyStack(t, applyDir, block, map[string]any{"marker": map[string]any{"input": stack}})
	initS3(t, tf, applyDir, s)
	mark = s.logOffset()
	mustTF(t, tf, applyDir, "apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=0s")
	_, state := stateFile(t, statePath)
	if got := stateResources(state); !slices.Equal(got, []string{"terraform_data.marker"}) {
		t.Errorf("%s: state at %s holds %v; want terraform_data.marker", stack, backend.Key, got)
	}
	if _, err := os.Stat(statePath + ".tflock"); !os.IsNotExist(err) {
		t.Errorf("%s: lock object still there after the apply (%v)", stack, err)
	}
	// The state PUT carried the synthesized encryption settings.
	checkStateUploadEncrypted(t, s, mark, backend.Bucket, backend.Key, backend.KMSKeyID)
}

// checkStateUploadEncrypted finds the upload of bucket/key in the server's
// request log since mark and checks it asked for SSE-KMS with kmsKeyID.
func checkStateUploadEncrypted(t *testing.T, s *s3Server, mark int, bucket, key, kmsKeyID string) {
	t.Helper()
	log := s.requestLog(mark)
	statePut := strings.Index(log, "/"+bucket+"/"+key+"?x-id=PutObject")
	if statePut < 0 {
		t.Fatalf("no upload of %s in the server log", key)
	}
	headers := log[statePut:]
	if end := strings.Index(headers, "| PUT |"); end > 0 {
		headers = headers[:end]
	}
	for _, h := range []*regexp.Regexp{
		regexp.MustCompile(`X-Amz-Server-Side-Encryption\s*:\s*aws:kms`),
		regexp.MustCompile(`X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id\s*:\s*` + regexp.QuoteMeta(kmsKeyID)),
	} {
		if !h.MatchString(headers) {
			t.Errorf("upload of %s lacks %s", key, h)
		}
	}
}

// lockFixture is one environment's state on a fresh server, applied once
// so a state object exists, and the config of a second apply that holds
// the lock until told to stop.
type lockFixture struct {
	tf, dir             string
	server              *s3Server
	statePath, lockPath string
	held, release       string
	stateBefore         []byte
}

func newLockFixture(t *testing.T, stack string) *lockFixture {
	t.Helper()
	tf := requireTerraform(t)
	outdir := synthAll(t)
	backend, block := backendOf(t, outdir, stack)
	s := startS3(t, backend.Region)
	s.createBucket(t, backend.Bucket)

	f := &lockFixture{tf: tf, server: s,
		dir:       t.TempDir(),
		statePath: s.objectPath(backend.Bucket, backend.Key),
		held:      filepath.Join(t.TempDir(), "held"),
	}
	f.lockPath = f.statePath + ".tflock"
	f.release = f.held + "-release"

	dataOnlyStack(t, f.dir, block, map[string]any{"marker": map[string]any{"input": stack}})
	initS3(t, tf, f.dir, s)
	mustTF(t, tf, f.dir, "apply", "-input=false", "-no-color", "-auto-approve")
	f.stateBefore, _ = stateFile(t, f.statePath)

	dataOnlyStack(t, f.dir, block, map[string]any{
		"marker": map[string]any{"input": stack},
		"hold":   holdingResource(f.held, f.release),
	})
	return f
}

// startHolding starts the apply that holds the lock and returns once it
// holds it (its provisioner runs, and the lock object exists).
func (f *lockFixture) startHolding(t *testing.T) *backgroundTF {
	t.Helper()
	apply := startTF(t, f.tf, f.dir, "apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=0s")
	if err := waitFor(f.held, apply.done, lockHoldTimeout); err != nil {
		t.Fatalf("the holding apply never reached its provisioner: %v\n%s", err, apply.out.String())
	}
	if _, err := os.Stat(f.lockPath); err != nil {
		t.Fatalf("the apply is running but no lock object is at %s: %v", f.lockPath, err)
	}
	return apply
}

// expectLockError runs a plan in dir and expects it to fail on the lock
// held under wantID.
func (f *lockFixture) expectLockError(t *testing.T, dir, wantID string) {
	t.Helper()
	out, err := tfRun(t, f.tf, dir, "plan", "-input=false", "-no-color", "-lock-timeout=0s")
	if err == nil {
		t.Fatalf("plan succeeded while another operation held the lock:\n%s", out)
	}
	if !strings.Contains(out, "Error acquiring the state lock") {
		t.Fatalf("plan failed, but not with a lock error: %v\n%s", err, out)
	}
	if m := lockErrorID.FindStringSubmatch(out); m == nil || m[1] != wantID {
		t.Errorf("lock error does not name lock %s:\n%s", wantID, out)
	}
}

// secondDir is another operator's working directory on the same state.
func (f *lockFixture) secondDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(f.dir, "main.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	initS3(t, f.tf, dir, f.server)
	return dir
}

// TestS3BackendConcurrentOperations: while one apply holds dev's lock, a
// second operation fails with a lock error and leaves the state object as
// it was; when the first finishes, the lock object is gone and the state
// holds its result.
func TestS3BackendConcurrentOperations(t *testing.T) {
	skipInShortMode(t)
	f := newLockFixture(t, "dev")
	other := f.secondDir(t)

	apply := f.startHolding(t)
	id := lockInfo(t, f.lockPath)
	f.expectLockError(t, other, id)
	during, _ := stateFile(t, f.statePath)
	if !bytes.Equal(during, f.stateBefore) {
		t.Errorf("the refused operation changed the state object")
	}

	if err := os.WriteFile(f.release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := apply.wait(); err != nil {
		t.Fatalf("the holding apply failed: %v\n%s", err, apply.out.String())
	}
	if _, err := os.Stat(f.lockPath); !os.IsNotExist(err) {
		t.Errorf("lock object still there after the apply finished (%v)", err)
	}
	_, state := stateFile(t, f.statePath)
	if got, want := stateResources(state), []string{"terraform_data.hold", "terraform_data.marker"}; !slices.Equal(got, want) {
		t.Errorf("state after the apply holds %v; want %v", got, want)
	}
	// The second operator can work again.
	mustTF(t, f.tf, other, "plan", "-input=false", "-no-color", "-lock-timeout=0s")
}

// TestS3BackendStaleLock: an apply killed with SIGKILL while holding
// prod's lock leaves the lock object; the next plan fails naming the lock
// ID, and `terraform force-unlock -force <ID>` clears it.
func TestS3BackendStaleLock(t *testing.T) {
	skipInShortMode(t)
	f := newLockFixture(t, "prod")
	apply := f.startHolding(t)
	id := lockInfo(t, f.lockPath)

	if err := syscall.Kill(-apply.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill the apply: %v", err)
	}
	apply.wait()
	if _, err := os.Stat(f.lockPath); err != nil {
		t.Fatalf("the killed apply left no lock object (%v); nothing to recover from", err)
	}
	f.expectLockError(t, f.dir, id)
	after, _ := stateFile(t, f.statePath)
	if !bytes.Equal(after, f.stateBefore) {
		t.Errorf("the killed apply changed the state object")
	}

	out := mustTF(t, f.tf, f.dir, "force-unlock", "-force", id)
	if !strings.Contains(out, "successfully unlocked") {
		t.Errorf("force-unlock did not report success:\n%s", out)
	}
	if _, err := os.Stat(f.lockPath); !os.IsNotExist(err) {
		t.Errorf("lock object still there after force-unlock (%v)", err)
	}
	mustTF(t, f.tf, f.dir, "plan", "-input=false", "-no-color", "-lock=true", "-lock-timeout=0s")
}

// TestStateBootstrapPlan plans the bootstrap stack offline: it creates the
// bucket, its key and its log bucket. (Their prevent_destroy and the local
// backend are synth facts: stacks TestStateBootstrapSecurity and
// TestStateBootstrapAddresses.)
func TestStateBootstrapPlan(t *testing.T) {
	skipInShortMode(t)
	p := offlinePlan(t, bootstrapStack)
	created := map[string]bool{}
	changes, _ := p.Plan["resource_changes"].([]any)
	for _, c := range changes {
		rc, _ := c.(map[string]any)
		actions, _ := jsondoc.At(rc, "change", "actions").([]any)
		if len(actions) != 1 || actions[0] != "create" {
			t.Errorf("%v plans %v on an empty state; want create", rc["address"], actions)
		}
		created[rc["address"].(string)] = true
	}
	for _, addr := range []string{
		"aws_s3_bucket.terraform_state", "aws_s3_bucket.access_logs", "aws_kms_key.state", "aws_kms_alias.state_key",
		"aws_s3_bucket_versioning.terraform_state_versioning", "aws_s3_bucket_server_side_encryption_configuration.terraform_state_encryption",
		"aws_s3_bucket_public_access_block.terraform_state_public_access", "aws_s3_bucket_policy.terraform_state_policy",
		"aws_s3_bucket_logging.terraform_state_logging", "aws_s3_bucket_lifecycle_configuration.terraform_state_lifecycle",
	} {
		if !created[addr] {
			t.Errorf("bootstrap plan does not create %s", addr)
		}
	}
}

// TestCloudBackend synthesizes with the Terraform Cloud backend: each stack
// names the organization and its own workspace, no state bootstrap is
// produced, and the output validates offline (init -backend=false). One
// stack is validated: the stacks' cloud blocks differ only in the workspace
// name checked here, and their resources validate in the offline plans.
func TestCloudBackend(t *testing.T) {
	skipInShortMode(t)
	tf := requireTerraform(t)
	const org, project = "fastshop-e2e", "FastShop Pipelines"
	r := synthesize(t, "FASTSHOP_STATE_BACKEND=cloud", "FASTSHOP_TFC_ORGANIZATION="+org, "FASTSHOP_TFC_PROJECT="+project, "ENVIRONMENT_SUFFIX="+ephemeralSuffix)
	if r.Err != nil {
		t.Fatalf("cloud synth: %v\n%s", r.Err, r.Stderr)
	}
	stacks := manifestStacks(t, r.Outdir)
	if slices.Contains(stacks, bootstrapStack) {
		t.Errorf("cloud backend synthesized a state bootstrap stack (%v); Terraform Cloud keeps state itself", stacks)
	}
	if !slices.Contains(stacks, ephemeralSuffix) {
		t.Errorf("cloud synth made stacks %v; want the ephemeral %s among them", stacks, ephemeralSuffix)
	}
	for _, stack := range stacks {
		doc := stackDoc(t, r.Outdir, stack)
		cloud := jsondoc.At(doc, "terraform", "cloud")
		if jsondoc.At(cloud, "organization") != org || jsondoc.At(cloud, "workspaces", "name") != "fastshop-"+stack || jsondoc.At(cloud, "workspaces", "project") != project {
			t.Errorf("%s: terraform.cloud is %v; want organization %s, workspace fastshop-%s, project %s", stack, cloud, org, stack, project)
		}
		if b := jsondoc.At(doc, "terraform", "backend"); b != nil {
			t.Errorf("%s: a backend block besides cloud: %v", stack, b)
		}
	}
	dir := t.TempDir()
	if err := copyDir(filepath.Join(r.Outdir, "stacks", stacks[0]), dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "provider_override.tf.json"), []byte(offlineProvider), 0o644); err != nil {
		t.Fatal(err)
	}
	mustTF(t, tf, dir, "init", "-backend=false", "-input=false", "-no-color", "-plugin-dir="+pluginDir())
	mustTF(t, tf, dir, "validate", "-no-color")
}
