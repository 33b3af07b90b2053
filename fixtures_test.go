package indexingjobs_test

import (
	"fmt"

	"github.com/gradient-go/indexingjobs/internal/optest"
)

// The token, ids and answers the tests use. The ids are the registry's
// fixture (optest.Canonical), which the recordings in testdata/cassettes
// and a fake stocked by optest.Stock hold too.

const testToken = "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

var (
	jobID      = optest.Canonical.RunningJob    // a running job of the knowledge base
	kbID       = optest.Canonical.KnowledgeBase // the knowledge base
	dsA, dsB   = optest.Canonical.DataSources[0], optest.Canonical.DataSources[1]
	scheduleID = optest.Canonical.Schedule // the knowledge base's indexing schedule
	unknownID  = optest.Unknown            // an id no fixture holds: another job, knowledge base or schedule
)

const cancelled = "BATCH_JOB_PHASE_CANCELLED"

// jobBody is a 2xx answer that holds the job jobID in phase.
func jobBody(phase string) string {
	return fmt.Sprintf(`{"job":{"uuid":%q,"phase":%q}}`, jobID, phase)
}
