package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/asabgo/asab/config"
)

func Example() {
	c := config.New()
	c.AddDefaults(map[string]map[string]any{"web": {"listen": "0.0.0.0 8080"}})
	err := c.LoadString("app.conf", `
[web]
# keys are case-insensitive, sections are not
Listen = 127.0.0.1 8081

[myapp]
greeting = Hello
message = ${greeting} from ${web:listen}
price = 100% of $$5
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	listen, _ := c.Get("web", "listen")
	msg, _ := c.Get("myapp", "message")
	price, _ := c.Get("myapp", "price")
	fmt.Println(listen)
	fmt.Println(msg)
	fmt.Println(price)
	// Output:
	// 127.0.0.1 8081
	// Hello from 127.0.0.1 8081
	// 100% of $5
}

func ExampleConfig_LoadFile_includes() {
	dir, err := os.MkdirTemp("", "config-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"main.conf":     "[general]\ninclude = site.conf conf.d/*.conf\n[db]\nhost = localhost\nport = 5432\n",
		"site.conf":     "[db]\nhost = db.internal\n",
		"conf.d/a.conf": "[db]\nport = 6432\n",
	}
	for name, text := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}

	c := config.New()
	if err := c.LoadFile(filepath.Join(dir, "main.conf")); err != nil {
		fmt.Println(err)
		return
	}
	host, _ := c.Get("db", "host")
	port, _ := c.GetInt("db", "port")
	fmt.Println(host, port)
	// Output: db.internal 6432
}

func ExampleConfig_GetSeconds() {
	c := config.New()
	_ = c.LoadString("app.conf", `
[job]
period = 2m
timeout = 500 ms
enabled = yes
targets =
    alpha
    beta gamma
`)
	period, _ := c.GetSeconds("job", "period")
	timeout, _ := c.GetDuration("job", "timeout")
	enabled, _ := c.GetBool("job", "enabled")
	targets, _ := c.GetMultiline("job", "targets")
	retries, _ := c.GetIntOr("job", "retries", 3)
	fmt.Println(period, timeout, enabled, targets, retries)

	_, err := c.GetInt("job", "period")
	fmt.Println(err)
	// Output:
	// 120 500ms true [alpha beta gamma] 3
	// config: app.conf:3: [job] period = "2m": not an integer: bad value
}

// A module declares its section once, as a settings struct, and reads it in
// one call. Defaults, units and bounds live in the tags.
func ExampleDecode() {
	type Settings struct {
		Listen  []string      `ini:"listen" split:"lines" default:"0.0.0.0 8080" doc:"one address per line"`
		Timeout time.Duration `ini:"timeout" default:"10s" min:"1ms" doc:"per request"`
		BodyMax int64         `ini:"body_max_size" unit:"bytes" default:"1MiB" min:"1"`
		Tokens  string        `ini:"servertokens" default:"prod" oneof:"full prod none"`
	}
	c := config.New()
	_ = c.LoadString("app.conf", "[web]\ntimeout = 2m\nbody_max_size = 64 kB\n")

	var s Settings
	if err := config.Decode(c, "web", &s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Listen, s.Timeout, s.BodyMax, s.Tokens)

	_ = c.LoadString("bad.conf", "[web]\ntimeout = 0\n")
	fmt.Println(config.Decode(c, "web", &s))
	// Output:
	// [0.0.0.0 8080] 2m0s 64000 prod
	// config: bad.conf:2: [web] timeout = "0": less than the minimum 1ms: bad value
}

// The owner of a section warns about keys it does not know.
func ExampleUnknown() {
	var s struct {
		Listen string `ini:"listen"`
	}
	c := config.New()
	_ = c.LoadString("app.conf", "[web]\nlisen = 8081\n")
	unknown, _ := config.Unknown(c, "web", &s)
	for _, u := range unknown {
		fmt.Println("WARNING", u)
	}
	// Output: WARNING app.conf:2: [web] unknown key "lisen" (known keys: listen)
}

// KeysOf lists what a settings struct declares, for docs and for a test that
// checks them.
func ExampleKeysOf() {
	type Settings struct {
		Path      string `ini:"path" required:"true" doc:"the file"`
		Threshold int64  `ini:"compact_threshold" unit:"bytes" default:"1MiB"`
	}
	keys, _ := config.KeysOf(Settings{})
	for _, k := range keys {
		fmt.Printf("%s %s default=%q unit=%q required=%v\n", k.Key, k.Type, k.Default, k.Unit, k.Required)
	}
	// Output:
	// path string default="" unit="" required=true
	// compact_threshold size default="1MiB" unit="bytes" required=false
}
