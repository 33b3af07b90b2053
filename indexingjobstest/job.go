package indexingjobstest

import (
	"time"

	"github.com/gradient-go/indexingjobs"
)

// NewJob makes a job in phase p, for AddJob: a new random uuid, a knowledge
// base, one data source, and the status and times a job in that phase
// shows; a job that ran to its end has a report (IsReportAvailable).
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
		job.IsReportAvailable = p != indexingjobs.PhaseCancelled
	}
	return job
}

// KnowledgeBase is a knowledge base as the fake knows it: its id, name and
// region, and the ids of its data sources. Jobs are started on it, for all
// or some of its data sources. The API shows one added by AddKnowledgeBase
// with its newest job and a database ONLINE, and each data source as a
// folder of a Spaces bucket named after it; one created through the API
// as it was created (its database CREATING at first: WithDatabaseDelay),
// and any as the API's writes left it.
type KnowledgeBase struct {
	UUID            string
	Name            string // made up by AddKnowledgeBase when empty
	Region          string // "tor1" when empty
	DataSourceUUIDs []string
	CreatedAt       time.Time // the server's clock at AddKnowledgeBase when zero

	w *written // what the API's writes gave it; nil if none did
}

// NewKnowledgeBase makes a knowledge base with a new random uuid and
// dataSources data sources (none if dataSources < 1), for
// AddKnowledgeBase.
func NewKnowledgeBase(dataSources int) KnowledgeBase {
	kb := KnowledgeBase{UUID: newUUID()}
	for range max(dataSources, 0) {
		kb.DataSourceUUIDs = append(kb.DataSourceUUIDs, newUUID())
	}
	return kb
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
