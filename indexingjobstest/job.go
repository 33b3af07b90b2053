package indexingjobstest

import (
	"time"

	"github.com/gradient-go/indexingjobs"
)

// NewJob makes a job in phase p, for AddJob: a new random uuid, a knowledge
// base, one data source, and the status and times a job in that phase
// shows.
func NewJob(p indexingjobs.Phase) indexingjobs.IndexingJob {
	now := time.Now().UTC().Truncate(time.Second)
	created := now.Add(-time.Minute)
	id, kb, ds := newUUID(), newUUID(), newUUID()
	status, ok := phaseStatus[p]
	if !ok {
		status = indexingjobs.StatusUnknown
	}
	dsStatus := indexingjobs.DataSourceStatusInProgress
	done := int64(0)
	if p.Terminal() {
		done = 1
		dsStatus = dataSourceStatus[p]
	}
	job := indexingjobs.IndexingJob{
		UUID: id, KnowledgeBaseUUID: kb, DataSourceUUIDs: []string{ds},
		Phase: p, Status: status,
		CreatedAt: created, UpdatedAt: created,
		TotalDatasources: 1, CompletedDatasources: done,
		DataSourceJobs: []indexingjobs.IndexedDataSource{{DataSourceUUID: ds, Status: dsStatus}},
	}
	if p != indexingjobs.PhasePending && p != indexingjobs.PhaseUnknown {
		job.StartedAt = created
	}
	if p.Terminal() {
		job.FinishedAt, job.UpdatedAt = now, now
	}
	return job
}

// phaseStatus is the status a job in a phase shows.
var phaseStatus = map[indexingjobs.Phase]indexingjobs.Status{
	indexingjobs.PhasePending:   indexingjobs.StatusPending,
	indexingjobs.PhaseRunning:   indexingjobs.StatusInProgress,
	indexingjobs.PhaseSucceeded: indexingjobs.StatusCompleted,
	indexingjobs.PhaseFailed:    indexingjobs.StatusFailed,
	indexingjobs.PhaseError:     indexingjobs.StatusFailed,
	indexingjobs.PhaseCancelled: indexingjobs.StatusCancelled,
}

// dataSourceStatus is the status of a data source of a finished job.
var dataSourceStatus = map[indexingjobs.Phase]indexingjobs.DataSourceStatus{
	indexingjobs.PhaseSucceeded: indexingjobs.DataSourceStatusUpdated,
	indexingjobs.PhaseFailed:    indexingjobs.DataSourceStatusFailed,
	indexingjobs.PhaseError:     indexingjobs.DataSourceStatusFailed,
	indexingjobs.PhaseCancelled: indexingjobs.DataSourceStatusCancelled,
}
