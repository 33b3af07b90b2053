package main

import (
	"bytes"
	"encoding/json"
	"strings"
)

// secretKeys are the names under which the input forms of data sources
// carry credentials: an S3 bucket's keys, a Google Drive or Dropbox token.
// The API answers with display forms that have none; should an answer
// carry one anyway, the tool prints neither its value nor its name.
var secretKeys = []string{
	"secret_key", "secret_access_key", "key_id", "access_key_id", "session_token",
	"refresh_token", "access_token", "token", "password", "client_secret", "credentials", "api_key",
}

// shown is the JSON raw as the tool prints it: without secrets, the
// token or a URL's credentials (cleanJSON).
func (t *tool) shown(raw []byte) []byte { return cleanJSON(withoutSecrets(raw), t.redact) }

// withoutSecrets is raw without any member named in secretKeys (case
// aside), at any depth. JSON that has none is returned as it came, its
// spelling kept.
func withoutSecrets(raw json.RawMessage) json.RawMessage {
	lower := bytes.ToLower(raw)
	found := bytes.Contains(lower, []byte(`\u`)) // a name could hide behind escapes
	for _, k := range secretKeys {
		found = found || bytes.Contains(lower, []byte(`"`+k+`"`))
	}
	if !found {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers as sent
	var v any
	if dec.Decode(&v) != nil {
		return raw // not JSON: printRaw says so
	}
	if !dropSecrets(v) {
		return raw // an escape, or a name in a value: nothing to drop
	}
	out, err := marshalJSON(v)
	if err != nil {
		return raw
	}
	return out
}

// dropSecrets deletes the secret members of v, at any depth, and reports
// whether there were any.
func dropSecrets(v any) bool {
	dropped := false
	switch v := v.(type) {
	case map[string]any:
		for k, inner := range v {
			if isSecretKey(k) {
				delete(v, k)
				dropped = true
				continue
			}
			dropped = dropSecrets(inner) || dropped
		}
	case []any:
		for _, inner := range v {
			dropped = dropSecrets(inner) || dropped
		}
	}
	return dropped
}

func isSecretKey(k string) bool {
	for _, s := range secretKeys {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}
