// Package conformance checks openapi.yaml, the recordings in testdata/ and the
// client against each other with kin-openapi. It is a module of its own so
// that kin-openapi and go-vcr never enter the module graph of programs that
// import the client.
package conformance

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

const specPath = "../openapi.yaml"

func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	return loadSpecFrom(t, specPath)
}

// loadSpecFrom loads and validates the spec at path, its examples included.
func loadSpecFrom(t testing.TB, path string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
	return doc
}

func TestSpecIsValidOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	require.Len(t, doc.Servers, 1)
	assert.Equal(t, "https://api.digitalocean.com", doc.Servers[0].URL)
	require.Contains(t, doc.Components.SecuritySchemes, "bearer_auth")
	bearer := doc.Components.SecuritySchemes["bearer_auth"].Value
	assert.Equal(t, "http", bearer.Type)
	assert.Equal(t, "bearer", bearer.Scheme)
}

func TestSpecIndexingJobFields(t *testing.T) {
	doc := loadSpec(t)
	job := doc.Components.Schemas["APIIndexingJob"].Value
	want := []string{
		// the reference page
		"completed_datasources", "created_at", "data_source_uuids", "finished_at", "knowledge_base_uuid",
		"phase", "started_at", "status", "tokens", "total_datasources", "total_items_failed",
		"total_items_indexed", "total_items_skipped", "updated_at", "uuid",
		// newer, from the current public description
		"total_items_removed", "total_tokens", "is_report_available", "data_source_jobs",
	}
	assert.ElementsMatch(t, want, keys(job.Properties))
	for name, ref := range job.Properties {
		s := ref.Value
		assert.NotEmpty(t, s.Description, "%s needs a description", name)
		if s.Type.Is("array") && s.Items.Ref != "" {
			continue // its items carry the examples
		}
		assert.NotNil(t, s.Example, "%s needs an example", name)
	}
	for _, name := range []string{"total_items_failed", "total_items_indexed", "total_items_skipped", "total_items_removed", "total_tokens"} {
		s := job.Properties[name].Value
		assert.True(t, s.Type.Is("string"), name)
		assert.Equal(t, "uint64", s.Format, name)
	}
	ds := doc.Components.Schemas["APIIndexedDataSource"].Value
	assert.ElementsMatch(t, []string{
		"completed_at", "started_at", "data_source_uuid", "error_details", "error_msg",
		"failed_item_count", "indexed_file_count", "indexed_item_count", "removed_item_count",
		"skipped_item_count", "total_bytes", "total_bytes_indexed", "total_file_count", "status",
	}, keys(ds.Properties))
}

func TestSpecEnums(t *testing.T) {
	doc := loadSpec(t)
	enum := func(name string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	assert.Equal(t, []string{
		"BATCH_JOB_PHASE_UNKNOWN", "BATCH_JOB_PHASE_PENDING", "BATCH_JOB_PHASE_RUNNING",
		"BATCH_JOB_PHASE_SUCCEEDED", "BATCH_JOB_PHASE_FAILED", "BATCH_JOB_PHASE_ERROR",
		"BATCH_JOB_PHASE_CANCELLED",
	}, enum("APIBatchJobPhase"))
	assert.Equal(t, []string{
		"INDEX_JOB_STATUS_UNKNOWN", "INDEX_JOB_STATUS_PARTIAL", "INDEX_JOB_STATUS_IN_PROGRESS",
		"INDEX_JOB_STATUS_COMPLETED", "INDEX_JOB_STATUS_FAILED", "INDEX_JOB_STATUS_NO_CHANGES",
		"INDEX_JOB_STATUS_PENDING", "INDEX_JOB_STATUS_CANCELLED",
	}, enum("APIIndexJobStatus"))
	assert.Contains(t, enum("APIIndexedDataSourceStatus"), "DATA_SOURCE_STATUS_CANCELLED")
	assert.Len(t, enum("APIIndexedDataSourceStatus"), 7)

	// The client's types know every value of the spec, and only those: a
	// value added to the spec fails here until it is generated again.
	known := map[string]func(string) bool{
		"APIBatchJobPhase":           func(v string) bool { return indexingjobs.Phase(v).Known() },
		"APIIndexJobStatus":          func(v string) bool { return indexingjobs.Status(v).Known() },
		"APIIndexedDataSourceStatus": func(v string) bool { return indexingjobs.DataSourceStatus(v).Known() },
	}
	for schema, isKnown := range known {
		for _, v := range enum(schema) {
			assert.True(t, isKnown(v), "%s: the client does not know %s", schema, v)
		}
		assert.False(t, isKnown(""), schema)
		assert.False(t, isKnown(enum(schema)[1]+"_NOT_IN_THE_SPEC"), schema)
	}
}

func TestSpecErrorSchema(t *testing.T) {
	doc := loadSpec(t)
	e := doc.Components.Schemas["Error"].Value
	assert.ElementsMatch(t, []string{"id", "message", "request_id"}, keys(e.Properties))
	assert.ElementsMatch(t, []string{"id", "message"}, e.Required)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
