package indexingjobs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// parseBaseURL checks the base URL. No error quotes a URL that has a user
// or password in it: it may be a secret.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			// url.Parse's reason can quote part of a password: one that
			// holds a "/", "?" or "#" ends the host early, and the rest
			// is quoted as a bad port.
			return nil, errors.New("indexingjobs: the base URL does not parse, and it seems to carry a user or password")
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // without the URL
		}
		return nil, fmt.Errorf("indexingjobs: the base URL does not parse: %s", safetext.Line(err.Error()))
	}
	if u.User != nil {
		return nil, errors.New("indexingjobs: the base URL must not carry a user or password")
	}
	shown := safetext.Line(u.Redacted())
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("indexingjobs: base URL %q: want an absolute http(s) URL", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("indexingjobs: base URL %q must not have a query or fragment", shown)
	}
	if !tokenAllowed(u) {
		return nil, fmt.Errorf("indexingjobs: base URL %q: the token is only sent over https, or http to a loopback address", shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
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
