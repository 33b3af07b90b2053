package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// token is the API token of a command, and where it came from, in the
// words of a message ("--token", "doctl's auth context work (PATH)").
//
// In order: --token; the auth context --context names, else the one
// $DIGITALOCEAN_CONTEXT names (as doctl, which takes a named context's
// token over $DIGITALOCEAN_ACCESS_TOKEN); $DIGITALOCEAN_ACCESS_TOKEN; then
// doctl's config file and its current context. The context "default" is
// the access-token: --token, then $DIGITALOCEAN_ACCESS_TOKEN, then the
// file's. Every failure is a usage error that names the file and the
// context, never the token.
func (a *apiCommand) resolveToken() (token, from string, err error) {
	flags := a.cmd.Flags()
	named, namedBy := strings.ToLower(strings.TrimSpace(a.context)), "--context"
	if !flags.Changed("context") {
		named, namedBy = strings.ToLower(strings.TrimSpace(os.Getenv(contextEnv))), "$"+contextEnv
	}
	// The default context is the access-token, wherever it is.
	other := named != "" && named != defaultContext
	switch {
	case a.token != "" && flags.Changed("context") && other:
		return "", "", usagef("--token and --context both name the token: give one of them")
	case a.token != "":
		return a.token, "--token", nil
	}
	if env := strings.Trim(os.Getenv(indexingjobs.TokenEnv), " \t\r\n"); env != "" && !other {
		return env, "$" + indexingjobs.TokenEnv, nil
	}
	path := a.configPath()
	if path == "" {
		return "", "", usagef("no API token: pass --token or set $%s (doctl's config cannot be found: $HOME is not set)", indexingjobs.TokenEnv)
	}
	cfg, err := readDoctlConfig(path)
	var missing *missingConfig
	switch {
	case errors.As(err, &missing) && named != "":
		return "", "", usagef("%s names auth context %q, and %s", namedBy, safetext.Line(named), plain(err))
	case errors.As(err, &missing):
		return "", "", usagef("no API token: pass --token, set $%s, or sign in with 'doctl auth init' (%s)", indexingjobs.TokenEnv, plain(err))
	case err != nil:
		return "", "", usagef("%s", plain(err))
	}
	name := cmp.Or(named, cfg.context, defaultContext)
	if name == defaultContext {
		if cfg.accessToken == "" {
			return "", "", usagef("no API token: pass --token, set $%s, or sign in with 'doctl auth init' (doctl's config %s has none)", indexingjobs.TokenEnv, path)
		}
		return cfg.accessToken, fmt.Sprintf("doctl's default context, %s", path), nil
	}
	token, err = cfg.contextToken(path, name)
	if err != nil {
		return "", "", usagef("%s", plain(err))
	}
	return token, fmt.Sprintf("doctl's auth context %s, %s", safetext.Line(name), path), nil
}

// configPath is doctl's config file: --config, else $DIGITALOCEAN_CONFIG,
// else doctl's own place; "" when that is unknown.
func (a *apiCommand) configPath() string {
	if a.cmd.Flags().Changed("config") {
		return a.config
	}
	if env := os.Getenv(configEnv); env != "" {
		return env
	}
	return defaultConfigPath()
}
