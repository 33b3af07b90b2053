package record

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestScrubberText: the token, a signed URL's signature, credential and
// session token (after "&" or a JSON-escaped one), the origins given and
// every UUID not kept are replaced; a UUID gets one placeholder wherever
// it appears.
func TestScrubberText(t *testing.T) {
	const kept = "123e4567-e89b-12d3-a456-426614174000"
	s := newScrubber("dop_v1_s3cr3t", []string{kept}, "http://127.0.0.1:4000/", "https://api.example/")
	in := `{"signed_url":"https://bucket.example/c0ffee00-1234-4abc-8def-0123456789ab.json?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
		`\u0026X-Amz-Credential=AKIAEXAMPLE%2F20261102\u0026X-Amz-Security-Token=tok\u0026X-Amz-Signature=5ec12e7",` +
		`"link":"http://127.0.0.1:4000/v2/x?page=2&signature=abc","kb":"` + kept + `","again":"C0FFEE00-1234-4abc-8def-0123456789ab",` +
		`"token":"Bearer dop_v1_s3cr3t","port":"http://127.0.0.1:40001/"}`
	assert.Equal(t, `{"signed_url":"https://bucket.example/00000000-0000-4000-8000-000000000001.json?X-Amz-Algorithm=AWS4-HMAC-SHA256`+
		`\u0026X-Amz-Credential=REDACTED\u0026X-Amz-Security-Token=REDACTED\u0026X-Amz-Signature=REDACTED",`+
		`"link":"https://api.example/v2/x?page=2&signature=REDACTED","kb":"`+kept+`","again":"00000000-0000-4000-8000-000000000001",`+
		`"token":"Bearer REDACTED","port":"http://127.0.0.1:40001/"}`, s.text(in))
}
