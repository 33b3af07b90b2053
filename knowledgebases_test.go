package indexingjobs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// TestGetKnowledgeBase: the knowledge base's own fields are reached
// directly, its database's state beside them; an answer about another
// knowledge base, or none, is an error; a bad id is never sent.
func TestGetKnowledgeBase(t *testing.T) {
	ctx := context.Background()
	srv := newScripted(t, respond(200, `{"knowledge_base":{"uuid":"`+kbID+`","name":"docs","region":"tor1","last_indexing_job":{"uuid":"`+jobID+`","phase":"BATCH_JOB_PHASE_RUNNING"}},"database_status":"ONLINE"}`))
	kb, err := newClient(t, srv.URL).GetKnowledgeBase(ctx, kbID)
	require.NoError(t, err)
	assert.Equal(t, kbID, kb.UUID)
	assert.Equal(t, "docs", kb.Name)
	assert.Equal(t, indexingjobs.DatabaseOnline, kb.DatabaseStatus)
	assert.Equal(t, indexingjobs.PhaseRunning, kb.LastIndexingJob.Phase)

	for _, body := range []string{`{"knowledge_base":{"uuid":"` + dsA + `"}}`, `{"database_status":"ONLINE"}`} {
		srv := newScripted(t, respond(200, body))
		_, err := newClient(t, srv.URL).GetKnowledgeBase(ctx, kbID)
		assert.Error(t, err, body)
	}

	srv = newScripted(t, respond(200, `{}`))
	c := newClient(t, srv.URL)
	_, err = c.GetKnowledgeBase(ctx, "../indexing_jobs")
	assert.ErrorIs(t, err, indexingjobs.ErrInvalidUUID)
	for _, err := range c.ListKnowledgeBaseDataSources(ctx, "not a uuid") {
		assert.ErrorIs(t, err, indexingjobs.ErrInvalidUUID)
	}
	assert.Zero(t, srv.count(), "nothing sent for a bad id")
}
