package indexingjobs

import (
	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// IndexingJob is the job as the API sends it, the generated type itself.
// Every field is optional: a zero value means the API left it out (or sent
// zero, for counts).
type IndexingJob = gen.APIIndexingJob

// IndexedDataSource is what a job did in one of its data sources.
type IndexedDataSource = gen.APIIndexedDataSource

// Phase is where a job is in its life. Values the client does not know yet
// are kept as they came; p.Known() reports whether it knows one, and
// p.Terminal() whether the job will change again.
type Phase = wire.Phase

// Status is what a job has done to the index.
type Status = wire.Status

// DataSourceStatus is what a job did to one data source.
type DataSourceStatus = wire.DataSourceStatus

// Uint64 is a count the API sends as a decimal string.
type Uint64 = wire.Uint64

// The phases of a job.
const (
	PhaseUnknown   = wire.PhaseUnknown
	PhasePending   = wire.PhasePending
	PhaseRunning   = wire.PhaseRunning
	PhaseSucceeded = wire.PhaseSucceeded
	PhaseFailed    = wire.PhaseFailed
	PhaseError     = wire.PhaseError
	PhaseCancelled = wire.PhaseCancelled
)

// The statuses of a job.
const (
	StatusUnknown    = wire.StatusUnknown
	StatusPartial    = wire.StatusPartial
	StatusInProgress = wire.StatusInProgress
	StatusCompleted  = wire.StatusCompleted
	StatusFailed     = wire.StatusFailed
	StatusNoChanges  = wire.StatusNoChanges
	StatusPending    = wire.StatusPending
	StatusCancelled  = wire.StatusCancelled
)

// The statuses of a data source in a job.
const (
	DataSourceStatusUnknown          = wire.DataSourceStatusUnknown
	DataSourceStatusInProgress       = wire.DataSourceStatusInProgress
	DataSourceStatusUpdated          = wire.DataSourceStatusUpdated
	DataSourceStatusPartiallyUpdated = wire.DataSourceStatusPartiallyUpdated
	DataSourceStatusNotUpdated       = wire.DataSourceStatusNotUpdated
	DataSourceStatusFailed           = wire.DataSourceStatusFailed
	DataSourceStatusCancelled        = wire.DataSourceStatusCancelled
)
