// Package examples_test builds every program under examples/ and runs it the
// way its doc comment says, with its own .conf, checking what it prints and
// how it exits.
package examples_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// build compiles examples/<name> into a temporary directory.
func build(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./"+name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// run starts bin with args and env and waits up to limit for it to exit.
func run(t *testing.T, limit time.Duration, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not exit within %s; stdout %q stderr %q", bin, limit, out.String(), errb.String())
	}
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %s: %v", bin, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errb.String(), code
}

func TestHello(t *testing.T) {
	bin := build(t, "hello")
	out, errs, code := run(t, 20*time.Second, bin, nil, "-c", "hello/hello.conf")
	if code != 0 || out != "Hello world!\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if !strings.Contains(errs, "NOTICE asab.application [sd startup_time=") || !strings.Contains(errs, "] is ready.") {
		t.Fatalf("stderr lacks the ready line: %q", errs)
	}
	out, _, code = run(t, 20*time.Second, bin, nil, "--version")
	if code != 0 || out != "hello 1.0.0\n" {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
	_, errs, code = run(t, 20*time.Second, bin, nil, "--no-such-flag")
	if code != 2 || strings.Count(errs, "usage:") != 1 {
		t.Fatalf("unknown flag: exit %d, stderr %q", code, errs)
	}
	_, errs, code = run(t, 20*time.Second, bin, nil, "-c", "hello/missing.conf")
	if code != 1 || !strings.Contains(errs, "missing.conf") {
		t.Fatalf("missing config: exit %d, stderr %q", code, errs)
	}
}

func TestModule(t *testing.T) {
	bin := build(t, "module")
	out, errs, code := run(t, 20*time.Second, bin, []string{"USER_GREETING=Ahoy"}, "-c", "module/module.conf")
	if code != 0 || out != "Ahoy, world!\ngreeter saw 3 ticks\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// Without the variable, ${USER_GREETING} falls back to the key of that name.
	t.Setenv("USER_GREETING", "") // restored after the test
	os.Unsetenv("USER_GREETING")
	out, errs, code = run(t, 20*time.Second, bin, nil, "-c", "module/module.conf")
	if code != 0 || out != "Hello, world!\ngreeter saw 3 ticks\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestTimer(t *testing.T) {
	bin := build(t, "timer")
	out, errs, code := run(t, 20*time.Second, bin, nil, "-c", "timer/timer.conf")
	want := "one-shot fired\nrepeating call 1\nrepeating call 2\nrepeating call 3\nrepeating call 4\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestPdict runs the counter three times on one state file, then twice at
// once: every run is counted exactly once.
func TestPdict(t *testing.T) {
	bin := build(t, "pdict")
	conf := filepath.Join(t.TempDir(), "pdict.conf")
	src, err := os.ReadFile("pdict/pdict.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, src, 0o600); err != nil { // ${THIS_DIR} is now the temp dir
		t.Fatal(err)
	}
	for want := 1; want <= 3; want++ {
		out, errs, code := run(t, 20*time.Second, bin, nil, "-c", conf)
		if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("run #%d (state in %s/state/counter.pdict)", want, filepath.Dir(conf))) {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", want, code, out, errs)
		}
	}
	outs := make(chan string, 2)
	for range 2 {
		go func() {
			out, _ := exec.Command(bin, "-c", conf).Output()
			outs <- string(out)
		}()
	}
	var runs []string
	for range 2 {
		runs = append(runs, strings.Fields(<-outs + " ? ?")[1])
	}
	sort.Strings(runs)
	if runs[0] != "#4" || runs[1] != "#5" {
		t.Fatalf("two runs at once counted %v, want #4 and #5", runs)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// movedConf copies an example's .conf (src, relative to examples/) into a
// temporary file with each pair old, new of replace applied once, and
// returns the copy's path. A line that is no longer there fails the test,
// so that the test does not run the example on its fixed ports or paths.
func movedConf(t *testing.T, src string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(text, replace[i]) {
			t.Fatalf("%s no longer has %q, which this test moves", src, replace[i])
		}
		text = strings.Replace(text, replace[i], replace[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWebserver runs the main example with its own .conf, the listen line
// moved to a free port on 127.0.0.1: GET /hello answers "Hello!", the access
// log line is written, and SIGTERM stops it with exit code 0.
func TestWebserver(t *testing.T) {
	bin := build(t, "webserver")
	port := freePort(t)
	conf := movedConf(t, "webserver/webserver.conf", "0.0.0.0 8080", fmt.Sprintf("127.0.0.1 %d", port))
	cmd := exec.Command(bin, "-c", conf)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	url := fmt.Sprintf("http://127.0.0.1:%d/hello", port)
	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		break
	}
	if body != "Hello!" {
		t.Fatalf("GET /hello = %q; stderr:\n%s", body, errb.String())
	}
	// The example shows its metrics: the GET /hello above is counted.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/asab/v1/metrics", port))
	if err != nil {
		t.Fatal(err)
	}
	scraped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `asab_web_requests_total{container="web",method="GET",route="/hello",status="200"} 1`
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(scraped), want) {
		t.Fatalf("GET /asab/v1/metrics: %d, no line %s in:\n%s", resp.StatusCode, want, scraped)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; stderr:\n%s", err, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit within 20 s of SIGTERM")
	}
	if log := errb.String(); !strings.Contains(log, "asab.web.al") || !strings.Contains(log, "/hello") {
		t.Fatalf("no access log line for /hello:\n%s", log)
	}
}

// TestMom runs examples/mom on the in-process broker (it asks itself), then
// on RabbitMQ with the .conf's url line uncommented: one process serves and
// another asks.
func TestMom(t *testing.T) {
	bin := build(t, "mom")
	out, errs, code := run(t, 20*time.Second, bin, nil, "-c", "mom/mom.conf", "-ask", "hi there")
	if code != 0 || !strings.Contains(out, "hi there -> HI THERE") {
		t.Fatalf("in-process: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	if os.Getenv("ASAB_SKIP_AMQP") == "1" {
		t.Skip("ASAB_SKIP_AMQP=1: the RabbitMQ half of this test is skipped")
	}
	src, err := os.ReadFile("mom/mom.conf")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "#url = ", "url = ", 1)
	queue := fmt.Sprintf("asab.example.test.%d", time.Now().UnixNano())
	text = strings.Replace(text, "queue = asab.example.upper", "queue = "+queue, 1)
	t.Cleanup(func() { _ = exec.Command("rabbitmqctl", "-q", "delete_queue", queue).Run() })
	if text == string(src) {
		t.Fatal("mom.conf no longer has the commented url line this test enables")
	}
	conf := filepath.Join(t.TempDir(), "mom.conf")
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	server := exec.Command(bin, "-c", conf)
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var serverErr bytes.Buffer
	server.Stderr = &serverErr
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Process.Kill() }()
	serving := make(chan string, 1)
	go func() {
		b := make([]byte, 4096)
		n, _ := stdout.Read(b)
		serving <- string(b[:n])
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-serving:
		if !strings.Contains(line, "on the AMQP broker") {
			t.Fatalf("server said %q; stderr:\n%s", line, serverErr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the AMQP server did not start; stderr:\n%s", serverErr.String())
	}
	out, errs, code = run(t, 30*time.Second, bin, nil, "-c", conf, "-ask", "hi rabbit")
	if code != 0 || !strings.Contains(out, "hi rabbit -> HI RABBIT") {
		t.Fatalf("AMQP ask: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if err := server.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := server.Wait(); err != nil {
		t.Fatalf("AMQP server exit: %v; stderr:\n%s", err, serverErr.String())
	}
}

// TestMomNATS runs examples/mom on NATS JetStream with the .conf's nats url
// line uncommented and a stream of its own: one process serves and another
// asks.
func TestMomNATS(t *testing.T) {
	if os.Getenv("ASAB_SKIP_NATS") == "1" {
		t.Skip("ASAB_SKIP_NATS=1: the NATS test is skipped")
	}
	bin := build(t, "mom")
	src, err := os.ReadFile("mom/mom.conf")
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	stream, prefix := "ASAB_EXAMPLE_TEST_"+id, "asab.exampletest."+id
	text := string(src)
	for _, r := range [][2]string{{"#url = nats://", "url = nats://"}, {"stream = ASAB_EXAMPLE", "stream = " + stream},
		{"subjects = asab.example.>", "subjects = " + prefix + ".>"}, {"queue = asab.example.upper", "queue = " + prefix + ".upper"}} {
		if !strings.Contains(text, r[0]) {
			t.Fatalf("mom.conf no longer has %q, which this test replaces", r[0])
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	t.Cleanup(func() { deleteNATSStream(t, stream) })
	conf := filepath.Join(t.TempDir(), "mom.conf")
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	server := exec.Command(bin, "-c", conf)
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var serverErr bytes.Buffer
	server.Stderr = &serverErr
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Process.Kill() }()
	serving := make(chan string, 1)
	go func() {
		b := make([]byte, 4096)
		n, _ := stdout.Read(b)
		serving <- string(b[:n])
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-serving:
		if !strings.Contains(line, "on the NATS broker") {
			t.Fatalf("server said %q; stderr:\n%s", line, serverErr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the NATS server did not start; stderr:\n%s", serverErr.String())
	}
	out, errs, code := run(t, 30*time.Second, bin, nil, "-c", conf, "-ask", "hi nats")
	if code != 0 || !strings.Contains(out, "hi nats -> HI NATS") {
		t.Fatalf("NATS ask: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if err := server.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := server.Wait(); err != nil {
		t.Fatalf("NATS server exit: %v; stderr:\n%s", err, serverErr.String())
	}
}

// deleteNATSStream removes a stream the test made on the shared server.
func deleteNATSStream(t *testing.T, stream string) {
	nc, err := natsgo.Connect("nats://127.0.0.1:4222")
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := js.DeleteStream(ctx, stream); err != nil {
		t.Errorf("cleanup: delete stream %s: %v", stream, err)
	}
}

// TestWebserverLogFileRotation runs the main example with -l FILE and
// sends SIGHUP twice: the lines logged before the first signal end up in
// FILE.2, those between the signals in FILE.1, the rest in FILE; a
// per-logger level ([logging] levels) keeps the application's NOTICE lines
// out of every file while the web container's stay.
func TestWebserverLogFileRotation(t *testing.T) {
	bin := build(t, "webserver")
	port := freePort(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "webserver.log")
	conf := filepath.Join(dir, "webserver.conf")
	text := fmt.Sprintf("[web]\nlisten=127.0.0.1 %d\n[logging]\nlevels=asab.application WARNING\n"+
		"[logging:console]\nenabled=false\n[logging:file]\nflush_interval=0\nbackup_count=3\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", conf, "-l", logFile)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// get requests path and waits until its access line is in the log file.
	get := func(path string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if resp, err := http.Get(base + path); err == nil {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: no answer; stderr:\n%s", path, errb.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		for !strings.Contains(readFile(t, logFile), `path="`+path+`"`) {
			if time.Now().After(deadline) {
				t.Fatalf("no access line for %s in %s:\n%s", path, logFile, readFile(t, logFile))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// hup sends SIGHUP and waits until the file has been rotated to .1.
	hup := func(rotated string) {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(readFile(t, logFile+".1"), rotated); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("SIGHUP did not rotate %s to .1", logFile)
			}
		}
	}
	get("/first")
	hup("/first")
	get("/second")
	hup("/second")
	get("/third")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr:\n%s", err, errb.String())
	}
	files := map[string]string{"/first": logFile + ".2", "/second": logFile + ".1", "/third": logFile}
	for _, file := range files {
		content := readFile(t, file)
		for other, otherFile := range files {
			if has := strings.Contains(content, `path="`+other+`"`); has != (otherFile == file) {
				t.Errorf("%s has the access line of %s: %v, want %v:\n%s", file, other, has, otherFile == file, content)
			}
		}
		if strings.Contains(content, "NOTICE asab.application") {
			t.Errorf("%s has NOTICE lines of asab.application, set to WARNING:\n%s", file, content)
		}
	}
	if first := readFile(t, logFile+".2"); !strings.Contains(first, "NOTICE asab.web ") {
		t.Errorf("the first file lacks the web container's NOTICE lines:\n%s", first)
	}
}

// readFile returns the file's text, or "" when it does not exist yet.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// TestTutorial runs examples/tutorial (docs/tutorial.md) with its .conf on
// a free port and a temporary state file: GET /count answers, over the
// in-process MOM broker, with the count the timer keeps, and SIGTERM stops
// it with exit code 0.
func TestTutorial(t *testing.T) {
	bin := build(t, "tutorial")
	port := freePort(t)
	conf := movedConf(t, "tutorial/tutorial.conf",
		"listen=127.0.0.1 8080", fmt.Sprintf("listen=127.0.0.1 %d", port),
		"path=/tmp/asab-tutorial/counter.pdict", "path="+filepath.Join(t.TempDir(), "counter.pdict"))
	cmd := exec.Command(bin, "-c", conf)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	url := fmt.Sprintf("http://127.0.0.1:%d/count", port)
	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n, err := strconv.Atoi(string(b)); resp.StatusCode == http.StatusOK && err == nil && n > 0 {
			body = string(b)
			break
		}
	}
	if body == "" {
		t.Fatalf("GET /count never gave a count above 0; stderr:\n%s", errb.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; stderr:\n%s", err, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit within 20 s of SIGTERM")
	}
}
