package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// kbFake is the fake with three knowledge bases: the running job's (kb-…),
// product-docs with two data sources and a finished job, and support.
func kbFake(t *testing.T) (*indexingjobstest.Server, indexingjobstest.KnowledgeBase) {
	srv, _ := fake(t)
	kb := indexingjobstest.NewKnowledgeBase(2)
	kb.Name = "product-docs"
	srv.AddKnowledgeBase(kb)
	srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{Name: "support", Region: "ams3"})
	job := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
	job.KnowledgeBaseUUID, job.DataSourceUUIDs = kb.UUID, kb.DataSourceUUIDs[:1]
	job.DataSourceJobs[0].DataSourceUUID = kb.DataSourceUUIDs[0]
	srv.AddJob(job)
	return srv, kb
}

// TestKnowledgeBasesTable: uuid, name, region and the phase of the last
// job of every knowledge base, and a count.
func TestKnowledgeBasesTable(t *testing.T) {
	srv, kb := kbFake(t)
	code, stdout, stderr := runCmd(t, "knowledge-bases", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `^UUID\s+NAME\s+REGION\s+LAST JOB\n`, stdout)
	assert.Regexp(t, `(?m)^`+kb.UUID+`\s+product-docs\s+tor1\s+SUCCEEDED$`, stdout)
	assert.Regexp(t, `(?m)^\S+\s+support\s+ams3\s+-$`, stdout, "no job yet")
	assert.Regexp(t, `(?m)^\S+\s+kb-\S+\s+tor1\s+RUNNING$`, stdout, "a name made up by the fake")
	assert.True(t, strings.HasSuffix(stdout, "\n3 knowledge bases\n"), stdout)

	code, stdout, _ = runCmd(t, "knowledge-bases", "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	var all []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &all))
	require.Len(t, all, 3)
	assert.Equal(t, "product-docs", all[1]["name"])
}

// TestKnowledgeBaseShowsItsDatabaseAndDataSources: one knowledge base with
// its database's state and a table of its data sources: kind, place, what
// its last indexing did.
func TestKnowledgeBaseShowsItsDatabaseAndDataSources(t *testing.T) {
	srv, kb := kbFake(t)
	code, stdout, stderr := runCmd(t, "knowledge-base", kb.UUID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Name\s+product-docs$`, stdout)
	assert.Regexp(t, `(?m)^Database\s+ONLINE$`, stdout)
	assert.Regexp(t, `(?m)^Last job\s+\S+, SUCCEEDED$`, stdout)
	assert.Regexp(t, `(?m)^DATA SOURCE\s+KIND\s+WHERE\s+LAST INDEXED$`, stdout)
	assert.Regexp(t, `(?m)^`+kb.DataSourceUUIDs[0]+`\s+spaces\s+product-docs/source-1 \(tor1\)\s+UPDATED$`, stdout)
	assert.Regexp(t, `(?m)^`+kb.DataSourceUUIDs[1]+`\s+spaces\s+product-docs/source-2 \(tor1\)\s+-$`, stdout)

	code, stdout, _ = runCmd(t, "knowledge-base", kb.UUID, "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	var got struct {
		KnowledgeBase  map[string]any   `json:"knowledge_base"`
		DatabaseStatus string           `json:"database_status"`
		Sources        []map[string]any `json:"knowledge_base_data_sources"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
	assert.Equal(t, kb.UUID, got.KnowledgeBase["uuid"])
	assert.Equal(t, "ONLINE", got.DatabaseStatus)
	assert.Len(t, got.Sources, 2)

	code, _, stderr = runCmd(t, "knowledge-base", "00000000-0000-4000-8000-000000000000", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "knowledge base 00000000-0000-4000-8000-000000000000 not found")
}

// TestKnowledgeBaseNoHeaderPrintsTheRowsAlone: with --no-header, stdout
// has the data sources' rows and nothing else; the knowledge base's block
// and the footer go to stderr.
func TestKnowledgeBaseNoHeaderPrintsTheRowsAlone(t *testing.T) {
	srv, kb := kbFake(t)
	code, stdout, stderr := runCmd(t, "kb", kb.UUID, "--no-header", "--format", "data-source", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, kb.DataSourceUUIDs[0]+"\n"+kb.DataSourceUUIDs[1]+"\n", stdout)
	assert.Regexp(t, `(?m)^Name\s+product-docs$`, stderr)
	assert.Contains(t, stderr, "2 data sources")
}

// TestWhereJoinsBucketAndPathWithOneSlash: the API gives item_path with a
// leading "/" or without; WHERE shows one "/" between bucket and path.
func TestWhereJoinsBucketAndPathWithOneSlash(t *testing.T) {
	for _, c := range []struct {
		ds   indexingjobs.KnowledgeBaseDataSource
		want string
	}{
		{indexingjobs.KnowledgeBaseDataSource{SpacesDataSource: indexingjobs.SpacesSource{BucketName: "docs", ItemPath: "manuals", Region: "nyc3"}}, "docs/manuals (nyc3)"},
		{indexingjobs.KnowledgeBaseDataSource{SpacesDataSource: indexingjobs.SpacesSource{BucketName: "docs", ItemPath: "/manuals", Region: "nyc3"}}, "docs/manuals (nyc3)"},
		{indexingjobs.KnowledgeBaseDataSource{SpacesDataSource: indexingjobs.SpacesSource{BucketName: "docs", ItemPath: "//manuals/v1", Region: "nyc3"}}, "docs/manuals/v1 (nyc3)"},
		{indexingjobs.KnowledgeBaseDataSource{SpacesDataSource: indexingjobs.SpacesSource{BucketName: "docs", ItemPath: "", Region: "nyc3"}}, "docs (nyc3)"},
		{indexingjobs.KnowledgeBaseDataSource{AWSDataSource: indexingjobs.S3Location{BucketName: "b", ItemPath: "x", Region: "us-east-1"}}, "b/x (us-east-1)"},
		{indexingjobs.KnowledgeBaseDataSource{BucketName: "old", ItemPath: "x"}, "old/x"},
	} {
		_, where := sourcePlace(&c.ds)
		assert.Equal(t, c.want, where)
	}
}

// TestDataSourceSecretsAreNeverPrinted: should the API answer a data
// source with the secrets of its input form, neither the text nor the
// JSON output shows them, at any depth or in any case.
func TestDataSourceSecretsAreNeverPrinted(t *testing.T) {
	const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
	source := map[string]any{
		"uuid":                "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c",
		"aws_data_source":     map[string]any{"bucket_name": "docs", "region": "us-east-1", "Secret_Key": secret, "key_id": "AKIAEXAMPLE123456"},
		"dropbox_data_source": map[string]any{"folder": "/h", "refresh_token": secret},
		"extra":               []any{map[string]any{"password": secret}},
	}
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/knowledge_bases/" + kbID: answer(200, map[string]any{"knowledge_base": map[string]any{"uuid": kbID, "name": "kb"}, "database_status": "ONLINE"}),
		"GET /v2/gen-ai/knowledge_bases/" + kbID + "/data_sources": answer(200, map[string]any{
			"knowledge_base_data_sources": []any{source}, "meta": map[string]any{"page": 1, "pages": 1, "total": 1}}),
	})
	for _, output := range []string{"text", "json"} {
		code, stdout, stderr := runCmd(t, "knowledge-base", kbID, "-o", output, "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, stdout+stderr, secret, output)
		assert.NotContains(t, stdout+stderr, "AKIAEXAMPLE123456", output)
		assert.Contains(t, stdout, "docs", output)
	}
}

// TestJSONIsPrintedWithoutHTMLEscapes: "&", "<" and ">" are printed as
// they are, in what the tool encodes and in an answer it re-encodes to
// drop a secret; an answer printed as sent keeps the API's own escapes.
func TestJSONIsPrintedWithoutHTMLEscapes(t *testing.T) {
	var out strings.Builder
	require.NoError(t, printJSON(&out, map[string]string{"name": "Q&A <draft>"}))
	assert.Equal(t, "{\n  \"name\": \"Q&A <draft>\"\n}\n", out.String())

	for _, secret := range []bool{true, false} {
		aws := map[string]any{"bucket_name": "docs&more", "item_path": "/<a>", "region": "us-east-1"}
		if secret {
			aws["secret_key"] = "wJalrXUtnFEMI-K7MDENG"
		}
		srv := script(t, map[string]http.HandlerFunc{
			"GET /v2/gen-ai/knowledge_bases/" + kbID: rawAnswer(`{"knowledge_base": {"uuid": "` + kbID + `", "name": "Q\u0026A"}, "database_status": "ONLINE"}`),
			"GET /v2/gen-ai/knowledge_bases/" + kbID + "/data_sources": rawAnswer(`{"knowledge_base_data_sources": [` +
				`{"uuid": "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c", "aws_data_source": ` + string(must(json.Marshal(aws))) + `}],` +
				`"meta": {"page": 1, "pages": 1, "total": 1}}`),
		})
		code, stdout, stderr := runCmd(t, "knowledge-base", kbID, "-o", "json", "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, stdout, "wJalrXUtnFEMI")
		if secret { // the answer re-encoded without its secret
			assert.Contains(t, stdout, `"bucket_name": "docs&more"`)
			assert.Contains(t, stdout, `"item_path": "/<a>"`)
			assert.Contains(t, stdout, `"name": "Q&A"`)
		} else { // as the API sent it
			assert.Contains(t, stdout, `"bucket_name": "docs\u0026more"`)
			assert.Contains(t, stdout, `"name": "Q\u0026A"`)
		}
	}
}

// TestScheduleSetShowAndUnschedule: a schedule is set with --days and
// --at, shown without them, and deleted by its knowledge base; a second
// one says how to change it, and a knowledge base without one says so.
func TestScheduleSetShowAndUnschedule(t *testing.T) {
	srv, kb := kbFake(t)
	code, stdout, stderr := runCmd(t, "schedule", kb.UUID, "--days", "mon,Thursday", "--at", "02:00", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Knowledge base "+kb.UUID+" is indexed on Monday and Thursday at 02:00 UTC.\n")
	assert.Regexp(t, `(?m)^Next run\s+(Mon|Thu) \d{4}-\d\d-\d\d 02:00 UTC$`, stdout)

	code, stdout, _ = runCmd(t, "schedule", kb.UUID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "on Monday and Thursday at 02:00 UTC")
	code, stdout, _ = runCmd(t, "schedule", kb.UUID, "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, `"time": "02:00:00"`, "as the API sent it")

	code, _, stderr = runCmd(t, "schedule", kb.UUID, "--days", "fri", "--at", "03:00", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "has a schedule already")
	assert.Contains(t, stderr, "replace it with 'indexingjobs schedule "+kb.UUID+" --days fri --at 03:00 --api-url "+srv.URL+" --replace'.")

	code, stdout, stderr = runCmd(t, "unschedule", kb.UUID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Deleted the indexing schedule")
	for _, cmd := range []string{"schedule", "unschedule"} {
		code, _, stderr = runCmd(t, cmd, kb.UUID, "--api-url", srv.URL)
		assert.Equal(t, exitError, code, cmd)
		assert.Contains(t, stderr, "knowledge base "+kb.UUID+" has no indexing schedule", cmd)
	}
}

// TestBadScheduleFlagsAreUsageErrors: days that are not days, a day
// twice, no day, a time not on a 24-hour clock: exit 2, one line, nothing
// sent.
func TestBadScheduleFlagsAreUsageErrors(t *testing.T) {
	srv := script(t, nil)
	for _, args := range [][]string{
		{"--days", "mon,funday", "--at", "02:00"},
		{"--days", "mon", "--days", "funday", "--at", "02:00"},
		{"--days", "montag", "--at", "02:00"},
		{"--days", "", "--at", "02:00"},
		{"--at", "02:00"},
		{"--days", "mon"},
		{"--days", "mon", "--at", "24:00"},
		{"--days", "mon", "--at", "2pm"},
		{"--days", "mon", "--at", "02:00:30"},
		{"--days", "mon", "--at", "2:0"},
		{"--days", "mon", "--at", "002:00"},
		{"--replace"},
		{"--replace", "--at", "02:00"},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"schedule", kbID, "--api-url", srv.URL}, args...)...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
		assert.Empty(t, stdout)
		assert.Equal(t, 2, strings.Count(stderr, "\n"), "one line and where to read more: %q", stderr)
	}
	assert.Empty(t, srv.requests(), "nothing sent")
}

// TestScheduleOfNoKnowledgeBaseSaysSo: the API answers 404 for a knowledge
// base without a schedule and for no knowledge base at all; the tool tells
// them apart (found by a newcomer's trial).
func TestScheduleOfNoKnowledgeBaseSaysSo(t *testing.T) {
	srv, _ := kbFake(t)
	const missing = "00000000-0000-4000-8000-000000000000"
	for _, cmd := range []string{"schedule", "unschedule"} {
		code, _, stderr := runCmd(t, cmd, missing, "--api-url", srv.URL)
		assert.Equal(t, exitError, code, cmd)
		assert.Contains(t, stderr, "knowledge base "+missing+" not found", cmd)
		assert.NotContains(t, stderr, "has no indexing schedule", cmd)
	}
}
