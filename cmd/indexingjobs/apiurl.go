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
const apiURLEnv = indexingjobs.BaseURLEnv

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
	if strings.ContainsAny(raw, "@\uff20\ufe6b") || strings.Contains(strings.ToLower(raw), "%40") {
		// A user or password, perhaps a token: never shown, and the
		// library refuses it anyway.
		return "", usagef("%s holds a user or password (an @): %s", from, example)
	}
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		why := "has no scheme"
		if strings.Contains(raw, "://") {
			why = "is not http or https"
		}
		return "", usagef(`%s "%s" %s: %s`, from, safetext.Line(raw), why, example)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", usagef("%s does not parse as a URL: %s", from, example)
	}
	if slices.Contains(strings.Split(u.Path, "/"), "v2") {
		return "", usagef(`%s "%s" has the API's /v2 path: %s`, from, safetext.Line(raw), example)
	}
	return raw, nil
}
