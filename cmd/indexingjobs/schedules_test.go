package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scheduleBodies are the bodies of the schedules a scripted server was
// asked to make.
func scheduleBodies(t *testing.T, srv *scripted) []map[string]any {
	var out []map[string]any
	for _, r := range srv.requests() {
		if r.Line == "POST /v2/gen-ai/scheduled-indexing" {
			out = append(out, decode[map[string]any](t, r.Body))
		}
	}
	return out
}

// TestScheduleDaysMergeAndTimesInThreeForms: --days given again adds
// days, a day twice is one, Monday first; --at takes H:MM, HH:MM and
// HH:MM:SS with seconds 00, and sends HH:MM.
func TestScheduleDaysMergeAndTimesInThreeForms(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"POST /v2/gen-ai/scheduled-indexing": answer(200, map[string]any{"indexing_info": map[string]any{
			"uuid": jobID, "knowledge_base_uuid": kbID, "days": []int{1, 4}, "time": "02:00:00", "is_active": true}}),
	})
	for _, args := range [][]string{
		{"--days", "mon", "--days", "thu", "--at", "2:00"},
		{"--days", "thu,mon,Monday", "--at", "02:00:00"},
		{"--days", "thu", "--days", "mon,thu", "--at", "02:00"},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"schedule", kbID, "--api-url", srv.URL}, args...)...)
		require.Equal(t, exitOK, code, "%v: %s", args, stderr)
		assert.Contains(t, stdout, "is indexed on Monday and Thursday at 02:00 UTC.", args)
	}
	bodies := scheduleBodies(t, srv)
	require.Len(t, bodies, 3)
	for _, body := range bodies {
		assert.Equal(t, []any{1.0, 4.0}, body["days"])
		assert.Equal(t, "02:00", body["time"])
	}
}

// TestScheduleReplace: --replace deletes the schedule a knowledge base
// has and makes the new one, saying so; one like the new one is left as
// it is; a knowledge base without one gets the new one, and is told.
func TestScheduleReplace(t *testing.T) {
	srv, kb := kbFake(t)
	set := func(args ...string) (int, string, string) {
		return runCmd(t, append([]string{"schedule", kb.UUID, "--api-url", srv.URL}, args...)...)
	}
	code, stdout, stderr := set("--days", "fri", "--at", "03:00", "--replace")
	require.Equal(t, exitOK, code, stderr)
	client, err := srv.NewClient()
	require.NoError(t, err)
	was, err := client.GetIndexingSchedule(t.Context(), kb.UUID)
	require.NoError(t, err)
	assert.Equal(t, "Knowledge base "+kb.UUID+" has no indexing schedule: there is none to replace.\n", stderr)
	assert.Contains(t, stdout, "is indexed on Friday at 03:00 UTC.")

	code, _, stderr = set("--days", "mon,thu", "--at", "02:00")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "has a schedule already: see it with 'indexingjobs schedule "+kb.UUID+" --api-url "+srv.URL+"', replace it with '")

	code, stdout, stderr = set("--days", "mon,thu", "--at", "02:00", "--replace")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "is indexed on Monday and Thursday at 02:00 UTC.")
	now, err := client.GetIndexingSchedule(t.Context(), kb.UUID)
	require.NoError(t, err)
	assert.Equal(t, "Replaced the indexing schedule of knowledge base "+kb.UUID+": schedule "+was.UUID+" (on Friday at 03:00 UTC) with schedule "+now.UUID+" (on Monday and Thursday at 02:00 UTC).\n", stderr)
	assert.Equal(t, "02:00:00", now.Time)

	before := srv.Requests()
	code, stdout, stderr = set("--days", "thu", "--days", "mon", "--at", "2:00:00", "--replace")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "Knowledge base "+kb.UUID+" is indexed on Monday and Thursday at 02:00 UTC already: nothing changed.\n", stderr)
	assert.Contains(t, stdout, "Schedule     "+now.UUID+"\n", "the same schedule")
	assert.Equal(t, before+1, srv.Requests(), "a read, and nothing deleted or made")
}

// TestReplaceThatFailsSaysTheOldOneIsGone: when the new schedule fails
// after the old one is deleted, the message says the old one is gone and
// prints the command that restores it, which does.
func TestReplaceThatFailsSaysTheOldOneIsGone(t *testing.T) {
	const old = "5c1d3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"
	oldSchedule := map[string]any{"uuid": old, "knowledge_base_uuid": kbID, "days": []int{4, 1}, "time": "02:00:00", "is_active": true}
	for status, want := range map[int]string{
		400: "the new one failed: POST ",
		500: "the new one may or may not have been made: POST ",
	} {
		var posts counter
		srv := script(t, map[string]http.HandlerFunc{
			"GET /v2/gen-ai/scheduled-indexing/knowledge-base/{kb}": answer(200, map[string]any{"indexing_info": oldSchedule}),
			"DELETE /v2/gen-ai/scheduled-indexing/{id}":             answer(200, map[string]any{"indexing_info": oldSchedule}),
			"POST /v2/gen-ai/scheduled-indexing": func(w http.ResponseWriter, r *http.Request) {
				if posts.next() == 1 {
					answer(status, map[string]string{"id": "refused", "message": "Not now."})(w, r)
					return
				}
				answer(200, map[string]any{"indexing_info": oldSchedule})(w, r)
			},
		})
		code, stdout, stderr := runCmd(t, "schedule", kbID, "--days", "sat", "--at", "05:00", "--replace", "--api-url", srv.URL)
		assert.Equal(t, exitError, code, status)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "indexingjobs schedule: the old indexing schedule (on Monday and Thursday at 02:00 UTC) is deleted, and "+want, status)
		restore := regexp.MustCompile(`(?m)restore the old one: indexingjobs (schedule .*)$`).FindStringSubmatch(strings.ToLower(stderr))
		require.NotNil(t, restore, stderr)
		assert.Equal(t, "schedule "+kbID+" --days mon,thu --at 02:00 --api-url "+strings.ToLower(srv.URL), restore[1])
		if status == 500 {
			assert.Contains(t, stderr, "\nLook first: indexingjobs schedule "+kbID+"\n")
		}

		code, _, stderr = runCmd(t, strings.Fields(restore[1])...)
		require.Equal(t, exitOK, code, stderr)
		bodies := scheduleBodies(t, srv)
		require.Len(t, bodies, 2)
		assert.JSONEq(t, `{"knowledge_base_uuid": "`+kbID+`", "days": [1, 4], "time": "02:00"}`, string(must(json.Marshal(bodies[1]))))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
