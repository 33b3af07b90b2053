package indexingjobs

import (
	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// IndexingJob is the job as the API sends it: the generated type
// gen.APIIndexingJob itself, so that go doc shows only this line for it.
// Its fields, each with its JSON name, are:
//
//	UUID                  string               uuid: the job's id
//	KnowledgeBaseUUID     string               knowledge_base_uuid
//	DataSourceUUIDs       []string             data_source_uuids: the data sources it indexes
//	Phase                 Phase                phase: where it is in its life; Phase.Terminal
//	Status                Status               status: what it has done to the index
//	CreatedAt             time.Time            created_at
//	StartedAt             time.Time            started_at
//	FinishedAt            time.Time            finished_at: zero while it runs
//	UpdatedAt             time.Time            updated_at
//	TotalDatasources      int64                total_datasources
//	CompletedDatasources  int64                completed_datasources
//	DataSourceJobs        []IndexedDataSource  data_source_jobs: its progress in each data source
//	TotalItemsIndexed     Uint64               total_items_indexed
//	TotalItemsFailed      Uint64               total_items_failed
//	TotalItemsSkipped     Uint64               total_items_skipped
//	TotalItemsRemoved     Uint64               total_items_removed
//	TotalTokens           Uint64               total_tokens: tokens the embedding model used
//	Tokens                int64                tokens: deprecated, read TotalTokens
//	IsReportAvailable     bool                 is_report_available: DownloadIndexingJobDetails can fetch its report
//
// Every field is optional: a zero value means the API left it out (or sent
// zero, for counts). The descriptions from openapi.yaml are on the
// generated type:
//
//	go doc github.com/gradient-go/indexingjobs/gen.APIIndexingJob
type IndexingJob = gen.APIIndexingJob

// IndexedDataSource is what a job did in one of its data sources: the
// generated type gen.APIIndexedDataSource itself. Its fields, each with
// its JSON name, are:
//
//	DataSourceUUID     string            data_source_uuid
//	Status             DataSourceStatus  status: what indexing did to it
//	StartedAt          time.Time         started_at
//	CompletedAt        time.Time         completed_at
//	IndexedFileCount   Uint64            indexed_file_count
//	TotalFileCount     Uint64            total_file_count
//	IndexedItemCount   Uint64            indexed_item_count
//	FailedItemCount    Uint64            failed_item_count
//	SkippedItemCount   Uint64            skipped_item_count
//	RemovedItemCount   Uint64            removed_item_count
//	TotalBytesIndexed  Uint64            total_bytes_indexed
//	TotalBytes         Uint64            total_bytes
//	ErrorMsg           string            error_msg: what went wrong, in short
//	ErrorDetails       string            error_details: what went wrong, at length
//
// Every field is optional, as in IndexingJob. The descriptions from
// openapi.yaml are on the generated type:
//
//	go doc github.com/gradient-go/indexingjobs/gen.APIIndexedDataSource
type IndexedDataSource = gen.APIIndexedDataSource

// Phase is where a job is in its life, as the API names it: the type
// wire.Phase itself. Its values are the constants
//
//	PhasePending    BATCH_JOB_PHASE_PENDING
//	PhaseRunning    BATCH_JOB_PHASE_RUNNING
//	PhaseSucceeded  BATCH_JOB_PHASE_SUCCEEDED  terminal
//	PhaseFailed     BATCH_JOB_PHASE_FAILED     terminal
//	PhaseError      BATCH_JOB_PHASE_ERROR      terminal
//	PhaseCancelled  BATCH_JOB_PHASE_CANCELLED  terminal
//	PhaseUnknown    BATCH_JOB_PHASE_UNKNOWN    what String gives for a phase the API left out
//
// Values the client does not know yet are kept as they came; p.Known()
// reports whether it knows one, and p.Terminal() whether the job will
// change again (an unknown phase is not terminal). Its methods:
//
//	go doc github.com/gradient-go/indexingjobs/wire.Phase
type Phase = wire.Phase

// Status is what a job has done to the index: the type wire.Status
// itself. Its values are the constants StatusPending, StatusInProgress,
// StatusCompleted, StatusPartial, StatusNoChanges, StatusFailed,
// StatusCancelled and StatusUnknown (INDEX_JOB_STATUS_PENDING and so on);
// go doc github.com/gradient-go/indexingjobs/wire.Status shows its methods.
type Status = wire.Status

// DataSourceStatus is what a job did to one data source: the type
// wire.DataSourceStatus itself. Its values are the constants
// DataSourceStatusInProgress, DataSourceStatusUpdated,
// DataSourceStatusPartiallyUpdated, DataSourceStatusNotUpdated,
// DataSourceStatusFailed, DataSourceStatusCancelled and
// DataSourceStatusUnknown (DATA_SOURCE_STATUS_IN_PROGRESS and so on).
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
