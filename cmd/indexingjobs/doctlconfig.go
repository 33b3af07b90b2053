package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// doctl keeps its users' tokens in a YAML file, config.yaml in its folder
// of the user's config directory ($XDG_CONFIG_HOME/doctl, else
// ~/.config/doctl, on Linux; ~/Library/Application Support/doctl on
// macOS: os.UserConfigDir, as doctl finds it), or in the file --config or
// $DIGITALOCEAN_CONFIG names. Three of its keys name a token:
// access-token is the token of the context named "default", auth-contexts
// maps other contexts' names to their tokens (doctl auth init --context
// NAME), and context names the current one (doctl auth switch). doctl
// reads keys, and so context names, without regard to case.
const (
	configEnv  = "DIGITALOCEAN_CONFIG"
	contextEnv = "DIGITALOCEAN_CONTEXT"

	defaultContext = "default"

	// maxConfigBytes bounds what is read of the file: doctl's is a few
	// hundred bytes.
	maxConfigBytes = 1 << 20
)

// doctlConfig is what the tool takes from doctl's config file.
type doctlConfig struct {
	accessToken string            // the default context's token
	context     string            // the current context, lower case; "" when the file names none
	contexts    map[string]string // auth-contexts, by lower-case name
}

// defaultConfigPath is where doctl keeps its config file, or "" when the
// user's config directory is unknown ($HOME unset).
func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "doctl", "config.yaml")
}

// readDoctlConfig reads doctl's config file at path. A file that is
// missing is a *missingConfig. No error quotes the file: it holds tokens.
func readDoctlConfig(path string) (*doctlConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, configError(path, err)
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	switch {
	case err != nil:
		return nil, configError(path, err)
	case len(text) > maxConfigBytes:
		return nil, fmt.Errorf("doctl's config %s is over %d KiB: not one doctl wrote", path, maxConfigBytes>>10)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		// The parser's words can quote the file; its line number cannot.
		where := ""
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			where = " (line " + m[1] + ")"
		}
		return nil, fmt.Errorf("doctl's config %s is not YAML%s", path, where)
	}
	cfg := &doctlConfig{contexts: map[string]string{}}
	if len(doc.Content) == 0 {
		return cfg, nil // empty
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("doctl's config %s is not a YAML mapping of keys to values, as doctl writes it", path)
	}
	for key, value := range members(top) {
		bad := func(want string) error {
			return fmt.Errorf("doctl's config %s: %s (line %d) is not %s", path, key, value.Line, want)
		}
		switch key {
		case "access-token":
			if value.Kind != yaml.ScalarNode {
				return nil, bad("a token")
			}
			cfg.accessToken = value.Value
		case "context":
			if value.Kind != yaml.ScalarNode {
				return nil, bad("a context's name")
			}
			cfg.context = strings.ToLower(value.Value)
		case "auth-contexts":
			if value.Kind != yaml.MappingNode && !isNull(value) {
				return nil, bad("a mapping of context names to tokens")
			}
			for name, token := range members(value) {
				if token.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("doctl's config %s: the token of auth context %q (line %d) is not a token", path, safetext.Line(name), token.Line)
				}
				cfg.contexts[name] = token.Value
			}
		}
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`\bline (\d+)\b`)

// members yields the members of a YAML mapping, their keys in lower case
// as doctl reads them; the last of a key given twice wins.
func members(m *yaml.Node) func(yield func(string, *yaml.Node) bool) {
	return func(yield func(string, *yaml.Node) bool) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !yield(strings.ToLower(m.Content[i].Value), m.Content[i+1]) {
				return
			}
		}
	}
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// configError names the file and why it cannot be read, never what it
// holds.
func configError(path string, err error) error {
	var perr *fs.PathError
	if errors.As(err, &perr) {
		err = perr.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return &missingConfig{path}
	}
	return fmt.Errorf("cannot read doctl's config %s: %w", path, err)
}

// missingConfig is a config file that does not exist: no error when a
// token comes from elsewhere.
type missingConfig struct{ path string }

func (e *missingConfig) Error() string { return "no doctl config at " + e.path }

// contextToken is the token of the auth context name (lower case) of the
// config at path: its access-token for "default", else its auth-contexts
// entry.
func (c *doctlConfig) contextToken(path, name string) (string, error) {
	if name == defaultContext {
		if c.accessToken == "" {
			return "", fmt.Errorf("doctl's config %s has no token of the default context (access-token): sign in with 'doctl auth init'", path)
		}
		return c.accessToken, nil
	}
	token, ok := c.contexts[name]
	if !ok {
		names := []string{defaultContext}
		for n := range c.contexts {
			names = append(names, safetext.Line(n))
		}
		slices.Sort(names)
		return "", fmt.Errorf("no auth context %q in doctl's config %s: it has %s ('doctl auth list' shows them)",
			safetext.Line(name), path, strings.Join(names, ", "))
	}
	if token == "" {
		return "", fmt.Errorf("auth context %q of doctl's config %s has no token: sign in with 'doctl auth init --context %s'", safetext.Line(name), path, safetext.Line(name))
	}
	return token, nil
}
