package indexingjobs

import (
	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// IndexingJob is the job as the API sends it, the generated type itself.
// Every field is optional: a zero value means the API left it out (or sent
// zero, for counts).
type IndexingJob = gen.APIIndexingJob

// IndexedDataSource is the progress of a job in one of its data sources.
type IndexedDataSource = gen.APIIndexedDataSource

// Phase is where a job is in its life. Values the client does not know yet
// are kept as they came; Valid reports whether it knows one.
type Phase = gen.APIBatchJobPhase

// Status is what a job has done to the index.
type Status = gen.APIIndexJobStatus

// Uint64 is a count the API sends as a decimal string.
type Uint64 = wire.Uint64

// The phases of a job.
const (
	PhaseUnknown   = gen.PhaseUnknown
	PhasePending   = gen.PhasePending
	PhaseRunning   = gen.PhaseRunning
	PhaseSucceeded = gen.PhaseSucceeded
	PhaseFailed    = gen.PhaseFailed
	PhaseError     = gen.PhaseError
	PhaseCancelled = gen.PhaseCancelled
)

// The statuses of a job.
const (
	StatusUnknown    = gen.StatusUnknown
	StatusPartial    = gen.StatusPartial
	StatusInProgress = gen.StatusInProgress
	StatusCompleted  = gen.StatusCompleted
	StatusFailed     = gen.StatusFailed
	StatusNoChanges  = gen.StatusNoChanges
	StatusPending    = gen.StatusPending
	StatusCancelled  = gen.StatusCancelled
)

// IsTerminal reports whether a job in phase p will not change again:
// succeeded, failed, error or cancelled. An unknown phase is not terminal.
func IsTerminal(p Phase) bool {
	switch p {
	case PhaseSucceeded, PhaseFailed, PhaseError, PhaseCancelled:
		return true
	}
	return false
}

// PhaseOf returns the job's phase, PhaseUnknown when the API left it out or
// job is nil.
func PhaseOf(job *IndexingJob) Phase {
	if job == nil || job.Phase == "" {
		return PhaseUnknown
	}
	return job.Phase
}
