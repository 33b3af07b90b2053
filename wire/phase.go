package wire

import (
	"cmp"
	"slices"
)

// Phase is where an indexing job is in its life, as the API names it
// (BATCH_JOB_PHASE_RUNNING). A value the client does not know yet is kept
// as it came: Known reports whether it is one of the constants below.
type Phase string

// The phases of a job.
const (
	PhaseUnknown   Phase = "BATCH_JOB_PHASE_UNKNOWN"
	PhasePending   Phase = "BATCH_JOB_PHASE_PENDING"
	PhaseRunning   Phase = "BATCH_JOB_PHASE_RUNNING"
	PhaseSucceeded Phase = "BATCH_JOB_PHASE_SUCCEEDED"
	PhaseFailed    Phase = "BATCH_JOB_PHASE_FAILED"
	PhaseError     Phase = "BATCH_JOB_PHASE_ERROR"
	PhaseCancelled Phase = "BATCH_JOB_PHASE_CANCELLED"
)

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

var phases = []Phase{PhaseUnknown, PhasePending, PhaseRunning, PhaseSucceeded, PhaseFailed, PhaseError, PhaseCancelled}

// Known reports whether p is one of the phases this package names. The
// empty phase (the API left it out) is not.
func (p Phase) Known() bool { return slices.Contains(phases, p) }

// String is the API's name of the phase; PhaseUnknown's for an empty one.
func (p Phase) String() string { return cmp.Or(string(p), string(PhaseUnknown)) }

// Status is what an indexing job has done to the index
// (INDEX_JOB_STATUS_COMPLETED). Unknown values are kept as they came.
type Status string

// The statuses of a job.
const (
	StatusUnknown    Status = "INDEX_JOB_STATUS_UNKNOWN"
	StatusPartial    Status = "INDEX_JOB_STATUS_PARTIAL"
	StatusInProgress Status = "INDEX_JOB_STATUS_IN_PROGRESS"
	StatusCompleted  Status = "INDEX_JOB_STATUS_COMPLETED"
	StatusFailed     Status = "INDEX_JOB_STATUS_FAILED"
	StatusNoChanges  Status = "INDEX_JOB_STATUS_NO_CHANGES"
	StatusPending    Status = "INDEX_JOB_STATUS_PENDING"
	StatusCancelled  Status = "INDEX_JOB_STATUS_CANCELLED"
)

var statuses = []Status{StatusUnknown, StatusPartial, StatusInProgress, StatusCompleted, StatusFailed, StatusNoChanges, StatusPending, StatusCancelled}

// Known reports whether s is one of the statuses this package names.
func (s Status) Known() bool { return slices.Contains(statuses, s) }

// String is the API's name of the status; StatusUnknown's for an empty one.
func (s Status) String() string { return cmp.Or(string(s), string(StatusUnknown)) }

// DataSourceStatus is what indexing did to one data source
// (DATA_SOURCE_STATUS_UPDATED). Unknown values are kept as they came.
type DataSourceStatus string

// The statuses of a data source in a job.
const (
	DataSourceStatusUnknown          DataSourceStatus = "DATA_SOURCE_STATUS_UNKNOWN"
	DataSourceStatusInProgress       DataSourceStatus = "DATA_SOURCE_STATUS_IN_PROGRESS"
	DataSourceStatusUpdated          DataSourceStatus = "DATA_SOURCE_STATUS_UPDATED"
	DataSourceStatusPartiallyUpdated DataSourceStatus = "DATA_SOURCE_STATUS_PARTIALLY_UPDATED"
	DataSourceStatusNotUpdated       DataSourceStatus = "DATA_SOURCE_STATUS_NOT_UPDATED"
	DataSourceStatusFailed           DataSourceStatus = "DATA_SOURCE_STATUS_FAILED"
	DataSourceStatusCancelled        DataSourceStatus = "DATA_SOURCE_STATUS_CANCELLED"
)

var dataSourceStatuses = []DataSourceStatus{DataSourceStatusUnknown, DataSourceStatusInProgress, DataSourceStatusUpdated,
	DataSourceStatusPartiallyUpdated, DataSourceStatusNotUpdated, DataSourceStatusFailed, DataSourceStatusCancelled}

// Known reports whether s is one of the statuses this package names.
func (s DataSourceStatus) Known() bool { return slices.Contains(dataSourceStatuses, s) }

// String is the API's name of the status; DataSourceStatusUnknown's for an
// empty one.
func (s DataSourceStatus) String() string { return cmp.Or(string(s), string(DataSourceStatusUnknown)) }
