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

// TestScrubberTakesOutDataSourceKeysAndUploadSignatures: a request that
// adds an S3 data source carries its key and secret, and an answer of
// upload URLs their signatures; a cassette holds neither. The recorder
// replays none of these (a cassette holds the request as scrubbed), so
// this is the one place that says it.
func TestScrubberTakesOutDataSourceKeysAndUploadSignatures(t *testing.T) {
	const secret = `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`
	s := newScrubber("dop_v1_s3cr3t", nil, "http://127.0.0.1:4001/", "https://uploads.example/")
	in := `{"aws_data_source":{"bucket_name":"archive","key_id":"AKIAIOSFODNN7EXAMPLE","region":"us-east-1","secret_key":"` + secret + `"},` +
		`"escaped":{"secret_key" : "a\"b\\` + secret + `"},"google_drive_data_source":{"folder_id":"f","refresh_token":"1//0gToken"},` +
		`"uploads":[{"presigned_url":"http://127.0.0.1:4001/uploads/x/a.md?expires=1793614863\u0026signature=9f2c4e","object_key":"uploads/x/a.md"},` +
		`{"presigned_url":"https://s3.example/a.md?X-Amz-Expires=3600\u0026X-Amz-Signature=3f9a1b"}]}`
	want := `{"aws_data_source":{"bucket_name":"archive","key_id":"REDACTED","region":"us-east-1","secret_key":"REDACTED"},` +
		`"escaped":{"secret_key" : "REDACTED"},"google_drive_data_source":{"folder_id":"f","refresh_token":"REDACTED"},` +
		`"uploads":[{"presigned_url":"https://uploads.example/uploads/x/a.md?expires=1793614863\u0026signature=REDACTED","object_key":"uploads/x/a.md"},` +
		`{"presigned_url":"https://s3.example/a.md?X-Amz-Expires=3600\u0026X-Amz-Signature=REDACTED"}]}`
	assert.Equal(t, want, s.text(in))
	assert.NotContains(t, s.text(in), secret[:12])
}
