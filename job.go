package indexingjobs

import (
	"cmp"
	"strings"

	"github.com/gradient-go/indexingjobs/wire"
)

// The types a job is made of (IndexingJob, IndexedDataSource, Phase, Status,
// DataSourceStatus) and their constants are generated from openapi.yaml
// into indexingjobs.gen.go; go doc shows their fields and values. This file
// adds what the spec cannot say: which phases end a job, and how the tool
// and the library spell a value short.

// Uint64 is a count the API sends as a decimal string.
type Uint64 = wire.Uint64

// Terminal reports whether a job in phase p will not change again:
// succeeded, failed, error or cancelled. An unknown phase is not terminal,
// so that a wait goes on through a phase the API adds later.
func (p Phase) Terminal() bool {
	switch p {
	case PhaseSucceeded, PhaseFailed, PhaseError, PhaseCancelled:
		return true
	}
	return false
}

// String is the API's name of the phase; PhaseUnknown's for an empty one.
func (p Phase) String() string { return cmp.Or(string(p), string(PhaseUnknown)) }

// Short is the phase without its prefix, as the tool prints it: RUNNING for
// BATCH_JOB_PHASE_RUNNING, UNKNOWN for an empty one.
func (p Phase) Short() string { return strings.TrimPrefix(p.String(), "BATCH_JOB_PHASE_") }

// String is the API's name of the status; StatusUnknown's for an empty one.
func (s Status) String() string { return cmp.Or(string(s), string(StatusUnknown)) }

// Short is the status without its prefix: IN_PROGRESS for
// INDEX_JOB_STATUS_IN_PROGRESS.
func (s Status) Short() string { return strings.TrimPrefix(s.String(), "INDEX_JOB_STATUS_") }

// String is the API's name of the status; DataSourceStatusUnknown's for an
// empty one.
func (s DataSourceStatus) String() string { return cmp.Or(string(s), string(DataSourceStatusUnknown)) }

// Short is the status without its prefix: UPDATED for
// DATA_SOURCE_STATUS_UPDATED.
func (s DataSourceStatus) Short() string {
	return strings.TrimPrefix(s.String(), "DATA_SOURCE_STATUS_")
}
