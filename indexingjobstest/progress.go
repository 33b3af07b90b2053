package indexingjobstest

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// run is how a job started through the API goes: pending for the first
// fifth of its duration, then running, its data sources indexed one after
// another in equal shares of the rest, then in its outcome. apply works out
// the job at any time from these alone, so a job needs no goroutine: it is
// brought up to date when it is read.
type run struct {
	start   time.Time
	d       time.Duration
	outcome indexingjobs.Phase
	sizes   []size // of each data source, in the job's order
}

// size is what a job finds in a data source: files, of which indexed are
// new or changed since the data source's last job and get indexed, the
// items (chunks) those make, and bytes.
// size is what a job finds in a data source: files in all, of which
// indexed are indexed, in items; bytes in all, of which indexedBytes are
// indexed.
type size struct{ files, indexed, items, bytes, indexedBytes uint64 }

func newRun(start time.Time, d time.Duration, outcome indexingjobs.Phase, sizes []size) *run {
	return &run{start: start, d: max(d, 0), outcome: outcome, sizes: sizes}
}

// itemsPerFile is how many items (chunks) the fake makes of a file.
const itemsPerFile = 20

// sizeOf makes up the size of a data source from its id, so that every job
// that indexes it finds the same: 10 to 99 files of about 20 items and a
// quarter of a MiB each, all indexed.
func sizeOf(dataSource string) size {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.ToLower(dataSource)))
	n := h.Sum64()
	files := 10 + n%90
	bytes := files*(256<<10) + n%(64<<10)
	return size{files: files, indexed: files, items: files*itemsPerFile + n%20, bytes: bytes, indexedBytes: bytes}
}

// tokensPerItem is what the embedding model spends on an item, as in the
// spec's example (812 items, 412,930 tokens).
const tokensPerItem = 508

// apply sets the job's progress to what it is at time at: phase and
// status, times, counts, and each data source's part.
func (r *run) apply(job *indexingjobs.IndexingJob, at time.Time) {
	started, end := r.start.Add(r.d/5), r.start.Add(r.d)
	if at.Before(started) {
		return // pending, as created
	}
	job.Phase, job.Status = indexingjobs.PhaseRunning, indexingjobs.StatusInProgress
	job.StartedAt, job.UpdatedAt = started.UTC(), at.UTC()
	job.CompletedDatasources, job.TotalItemsIndexed, job.TotalItemsFailed = 0, 0, 0
	n := len(r.sizes)
	for i, sz := range r.sizes {
		from := started.Add(end.Sub(started) * time.Duration(i) / time.Duration(n))
		to := started.Add(end.Sub(started) * time.Duration(i+1) / time.Duration(n))
		cut := i == n-1 && r.outcome != indexingjobs.PhaseSucceeded // the last one fails or is cancelled
		ds := dataSourceAt(job.DataSourceJobs[i].DataSourceUUID, sz, from, to, at, cut, r.outcome)
		job.DataSourceJobs[i] = ds
		if ds.Status == indexingjobs.DataSourceStatusUpdated {
			job.CompletedDatasources++
		}
		job.TotalItemsIndexed += ds.IndexedItemCount
		job.TotalItemsFailed += ds.FailedItemCount
	}
	job.TotalTokens = job.TotalItemsIndexed * tokensPerItem
	if at.Before(end) {
		return
	}
	job.Phase, job.Status = r.outcome, phaseStatus[r.outcome]
	job.FinishedAt, job.UpdatedAt = end.UTC(), end.UTC()
	job.IsReportAvailable = r.outcome != indexingjobs.PhaseCancelled
}

// dataSourceAt is a data source's part of a job at time at, when it is
// indexed from from to to. One that is cut gets half way, then fails or is
// cancelled, as the job's outcome says.
func dataSourceAt(id string, sz size, from, to, at time.Time, cut bool, outcome indexingjobs.Phase) indexingjobs.IndexedDataSource {
	ds := indexingjobs.IndexedDataSource{DataSourceUUID: id}
	if at.Before(from) {
		return ds // its turn has not come
	}
	share := 1.0
	if at.Before(to) {
		share = float64(at.Sub(from)) / float64(to.Sub(from))
	}
	if cut {
		share /= 2
	}
	part := func(n uint64) indexingjobs.Uint64 { return indexingjobs.Uint64(float64(n) * share) }
	ds.StartedAt, ds.Status = from.UTC(), indexingjobs.DataSourceStatusInProgress
	ds.TotalFileCount, ds.TotalBytes = indexingjobs.Uint64(sz.files), indexingjobs.Uint64(sz.bytes)
	ds.IndexedFileCount, ds.IndexedItemCount, ds.TotalBytesIndexed = part(sz.indexed), part(sz.items), part(sz.indexedBytes)
	switch {
	case at.Before(to):
	case !cut:
		ds.Status, ds.CompletedAt = indexingjobs.DataSourceStatusUpdated, to.UTC()
	case outcome == indexingjobs.PhaseCancelled:
		ds.Status = indexingjobs.DataSourceStatusCancelled
	default:
		ds.Status, ds.CompletedAt = indexingjobs.DataSourceStatusFailed, to.UTC()
		ds.FailedItemCount = indexingjobs.Uint64(sz.items) - ds.IndexedItemCount
		ds.ErrorMsg = "failed to index data source"
		ds.ErrorDetails = fmt.Sprintf("%d of %d files could not be parsed", sz.indexed-uint64(ds.IndexedFileCount), sz.indexed)
	}
	return ds
}

// markCancelled ends a pending or running job as a cancel does at time at:
// the data sources not done yet are cancelled.
func markCancelled(job *indexingjobs.IndexingJob, at time.Time) {
	at = at.UTC()
	job.Phase, job.Status = indexingjobs.PhaseCancelled, indexingjobs.StatusCancelled
	job.FinishedAt, job.UpdatedAt = at, at
	for i := range job.DataSourceJobs {
		ds := &job.DataSourceJobs[i]
		if ds.Status == "" || ds.Status == indexingjobs.DataSourceStatusInProgress {
			ds.Status = indexingjobs.DataSourceStatusCancelled
		}
	}
}
