package main

import (
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// apiURLEnv names the variable that sets the API's address once for every
// command; --api-url wins over it.
const apiURLEnv = "DIGITALOCEAN_API_URL"

// apiURL is the base URL a command talks to: --api-url if given, else
// $DIGITALOCEAN_API_URL, else DigitalOcean's API. It is checked here, so
// that a mistake that the library would take (a /v2 path turns every
// answer into a 404 that looks like a missing job) is refused before
// anything is sent.
func apiURL(flag string, flagSet bool) (string, error) {
	raw, from := flag, "--api-url"
	if !flagSet {
		raw, from = os.Getenv(apiURLEnv), "$"+apiURLEnv
		if raw == "" {
			return indexingjobs.DefaultBaseURL, nil
		}
	}
	const example = "give the host only, such as " + indexingjobs.DefaultBaseURL + " or http://127.0.0.1:8090 (the tool adds /v2/...)"
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return "", usagef(`%s "%s" has no scheme: %s`, from, shown(raw), example)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", usagef("%s does not parse as a URL: %s", from, example)
	}
	if slices.Contains(strings.Split(u.Path, "/"), "v2") {
		return "", usagef(`%s "%s" has the API's /v2 path: %s`, from, shown(raw), example)
	}
	return raw, nil
}

// shown is a URL fit for a message: without a password, which the library
// refuses anyway, and escaped.
func shown(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return safetext.Line(u.Redacted())
	}
	if strings.Contains(raw, "@") {
		return "(a URL with a user or password)"
	}
	return safetext.Line(raw)
}
