package indexingjobs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// parseBaseURL checks the base URL: an absolute http(s) URL without a
// user, password, query or fragment, to which the token may go
// (tokenAllowed), under whose path requests go as written (sentAsWritten),
// and that does not hold the token (in any spelling secrets finds).
func parseBaseURL(raw string, secrets *secrets) (*url.URL, error) {
	// A token written into the URL, wherever (its query, its path, in
	// place of a scheme), would be quoted by the errors below, and by
	// every error that names a request's URL if the URL were taken; so it
	// is refused unquoted, first.
	if secrets.holds(raw) {
		return nil, errors.New("indexingjobs: the base URL (not shown) holds the API token: pass the token with WithToken or $" + TokenEnv + ", never in the URL")
	}
	// A user or password ends at an "@". One must reach no error, log or
	// terminal, whatever else is wrong with the URL; so a URL with an "@"
	// anywhere (or a look-alike, or "%40" for one encoded by mistake) is
	// refused unquoted, first. An "@" after the host would be a password
	// that ended the host early ("https://token/@host"), quoted then in
	// every error that names a request's URL.
	if strings.ContainsAny(raw, "@\uFF20\uFE6B") || strings.Contains(strings.ToLower(raw), "%40") {
		return nil, errors.New("indexingjobs: the base URL (not shown) holds an @: it must not carry a user or password")
	}
	wrong := func(why string) error { return fmt.Errorf("indexingjobs: base URL %q: %s", clean(raw, 256), why) }
	if !strings.Contains(raw, "://") {
		return nil, wrong("has no scheme: want an absolute URL such as https://api.digitalocean.com or http://127.0.0.1:8090")
	}

	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // without the URL
		}
		return nil, wrong("does not parse: " + safetext.Line(err.Error()))
	}
	switch {
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "":
		return nil, wrong("want an absolute http(s) URL")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, wrong("must not have a query or fragment")
	case !tokenAllowed(u):
		return nil, wrong("the token is only sent over https, or http to a loopback address")
	case !sentAsWritten(raw, u.Path):
		return nil, wrong(`its path holds a dot segment ("." or ".."), or a dot or slash percent-encoded; write the path meant without them`)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// sentAsWritten reports whether requests can go under the base URL raw,
// whose decoded path is path, as it is written. A dot segment would be
// resolved away by a server or proxy, so every request would go elsewhere;
// a dot or slash percent-encoded may be decoded into one. raw is searched whole: a
// query, fragment or user is refused anyway.
func sentAsWritten(raw, path string) bool {
	lower := strings.ToLower(raw)
	if strings.Contains(lower, "%2e") || strings.Contains(lower, "%2f") {
		return false
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// tokenAllowed: https anywhere, plain http only to this machine.
func tokenAllowed(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	if u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
