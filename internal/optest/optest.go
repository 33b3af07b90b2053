// Package optest is the tests' one registry of the API's operations: a row
// for each operation of openapi.yaml (gen.Operations) that says how to call
// it through the client, on what the fake must hold for the call to
// succeed. A call on an id the fake does not hold gets 404, and each
// operation's recording is named after it. Every suite that goes over the
// operations (the root package's, the fake's, conformance's recordings and
// walk, the fake's answers checked against the spec, the documentation
// page's) ranges over Rows, so a new operation is one row here, and
// nothing else in the tests names how many operations there are or copies
// a method or a path out of the spec.
package optest

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// Kind is what an operation's call names: its path parameters, or for a
// start the knowledge base of its body. A thing that lives in another (a
// data source in its knowledge base) is named by both ids, in the order
// of the path.
type Kind int

const (
	Nothing       Kind = iota // the call names nothing (a list of everything, a create)
	KnowledgeBase             // the fixture's knowledge base
	RunningJob                // a running job of it
	FinishedJob               // a finished job of it, with its report
	Unscheduled               // a knowledge base without an indexing schedule
	Schedule                  // the knowledge base's indexing schedule
	DataSource                // a data source of the knowledge base: its knowledge base's id, then its own
	// SpareKnowledgeBase is a knowledge base that no other row names, and
	// SpareDataSource a data source of Unscheduled (its knowledge base's
	// id, then its own) that no other row names: what the deletes take,
	// so that the rows after them still find what they name in a fake
	// they share.
	SpareKnowledgeBase
	SpareDataSource
	kinds // how many there are
)

func (k Kind) String() string {
	return [...]string{"nothing", "knowledge base", "running job", "finished job", "unscheduled knowledge base", "indexing schedule",
		"data source", "spare knowledge base", "spare data source"}[k]
}

// Row is one operation as the tests call it.
type Row struct {
	Op *gen.Operation
	On Kind
	// Call calls the operation once through c on ids, the ids of the
	// fixture's thing of kind On (Fixture.Of): none for Nothing, two for a
	// data source. Against a fake stocked with the fixture it succeeds; on
	// an id the fake does not hold, in any place, it gets 404 (Misses).
	Call func(ctx context.Context, c *indexingjobs.Client, ids ...string) error
}

// Cassette is the name of the operation's recording of success in
// testdata/cassettes, without ".yaml": its operationId without "genai_".
func (r Row) Cassette() string { return strings.TrimPrefix(r.Op.ID, "genai_") }

// CanMiss reports whether the call names something that may not exist,
// and so has a 404.
func (r Row) CanMiss() bool { return r.On != Nothing }

// Misses are the ids of the row's calls that get 404 against a fake
// stocked with f: f's ids of kind On, each in turn replaced by Unknown (a
// data source's knowledge base, then the data source). None when the call
// names nothing.
func (r Row) Misses(f Fixture) [][]string {
	ids := f.Of(r.On)
	var out [][]string
	for i := range ids {
		out = append(out, With(ids, i, Unknown))
	}
	return out
}

// With returns a copy of ids with the one at i replaced by id.
func With(ids []string, i int, id string) []string {
	out := slices.Clone(ids)
	out[i] = id
	return out
}

// Rows are the operations of openapi.yaml, in the order of gen.Operations.
var Rows = rows()

// Of returns the row of the operation with this operationId.
func Of(id string) (Row, bool) {
	for _, r := range Rows {
		if r.Op.ID == id {
			return r, true
		}
	}
	return Row{}, false
}

// calls are the rows by operation, each written once; rows orders them as
// the spec does and fails at start-up for an operation without one.
var calls = map[*gen.Operation]Row{
	&gen.GenaiListIndexingJobsOperation: {On: Nothing, Call: func(ctx context.Context, c *indexingjobs.Client, _ ...string) error {
		_, err := c.ListIndexingJobsPage(ctx, 1, 0)
		return err
	}},
	&gen.GenaiCreateIndexingJobOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.StartIndexingJob(ctx, ids[0])
		return err
	}},
	&gen.GenaiGetIndexingJobOperation: {On: RunningJob, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.GetIndexingJob(ctx, ids[0])
		return err
	}},
	&gen.GenaiCancelIndexingJobOperation: {On: RunningJob, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.CancelIndexingJob(ctx, ids[0])
		return err
	}},
	&gen.GenaiListIndexingJobDataSourcesOperation: {On: FinishedJob, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.ListIndexingJobDataSources(ctx, ids[0])
		return err
	}},
	&gen.GenaiGetIndexingJobDetailsSignedURLOperation: {On: FinishedJob, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.IndexingJobDetailsURL(ctx, ids[0])
		return err
	}},
	&gen.GenaiListIndexingJobsByKnowledgeBaseOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.ListKnowledgeBaseIndexingJobs(ctx, ids[0])
		return err
	}},
	&gen.GenaiGetScheduledIndexingOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.GetIndexingSchedule(ctx, ids[0])
		return err
	}},
	&gen.GenaiCreateScheduledIndexingOperation: {On: Unscheduled, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.ScheduleIndexing(ctx, ids[0], []time.Weekday{time.Monday, time.Thursday}, "02:00")
		return err
	}},
	&gen.GenaiDeleteScheduledIndexingOperation: {On: Schedule, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.DeleteIndexingSchedule(ctx, ids[0])
		return err
	}},
	&gen.GenaiListKnowledgeBasesOperation: {On: Nothing, Call: func(ctx context.Context, c *indexingjobs.Client, _ ...string) error {
		return lastErr(c.ListKnowledgeBases(ctx))
	}},
	&gen.GenaiGetKnowledgeBaseOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.GetKnowledgeBase(ctx, ids[0])
		return err
	}},
	&gen.GenaiListKnowledgeBaseDataSourcesOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		return lastErr(c.ListKnowledgeBaseDataSources(ctx, ids[0]))
	}},
	&gen.GenaiListModelsOperation: {On: Nothing, Call: func(ctx context.Context, c *indexingjobs.Client, _ ...string) error {
		return lastErr(c.ListEmbeddingModels(ctx))
	}},
	&gen.GenaiCreateKnowledgeBaseOperation: {On: Nothing, Call: func(ctx context.Context, c *indexingjobs.Client, _ ...string) error {
		_, err := c.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{
			Name: "release-notes", Region: "tor1", EmbeddingModelUUID: indexingjobstest.EmbeddingModel, ProjectID: Project, Tags: []string{"docs"},
			DataSources: []indexingjobs.DataSourceSpec{{Spaces: &indexingjobs.SpacesSource{BucketName: "release-notes", ItemPath: "/2026", Region: "tor1"}}},
		})
		return err
	}},
	&gen.GenaiUpdateKnowledgeBaseOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.UpdateKnowledgeBase(ctx, ids[0], indexingjobs.KnowledgeBaseChanges{Name: "product-docs-v2", Tags: []string{"docs", "support"}})
		return err
	}},
	&gen.GenaiDeleteKnowledgeBaseOperation: {On: SpareKnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		return c.DeleteKnowledgeBase(ctx, ids[0])
	}},
	&gen.GenaiCreateKnowledgeBaseDataSourceOperation: {On: KnowledgeBase, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.AddDataSource(ctx, ids[0], indexingjobs.DataSourceSpec{
			WebCrawler: &indexingjobs.WebCrawlerSource{BaseURL: "https://docs.example.com/", CrawlingOption: indexingjobs.CrawlingOptionPath},
		})
		return err
	}},
	&gen.GenaiUpdateKnowledgeBaseDataSourceOperation: {On: DataSource, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		_, err := c.UpdateDataSource(ctx, ids[0], ids[1], indexingjobs.Chunking{Algorithm: indexingjobs.ChunkingAlgorithmSectionBased, MaxChunkSize: 500})
		return err
	}},
	&gen.GenaiDeleteKnowledgeBaseDataSourceOperation: {On: SpareDataSource, Call: func(ctx context.Context, c *indexingjobs.Client, ids ...string) error {
		return c.DeleteDataSource(ctx, ids[0], ids[1])
	}},
	&gen.GenaiCreateDataSourceFileUploadPresignedUrlsOperation: {On: Nothing, Call: func(ctx context.Context, c *indexingjobs.Client, _ ...string) error {
		_, err := c.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "handbook.pdf", Size: 482133}})
		return err
	}},
}

// Project is the project the registry's knowledge bases are created in.
const Project = "37455431-84bd-4fa2-94cf-e8486f8f8c5e"

// lastErr ranges over a list to its end and returns its error, if any.
func lastErr[T any](list iter.Seq2[T, error]) error {
	for _, err := range list {
		if err != nil {
			return err
		}
	}
	return nil
}

func rows() []Row {
	var out []Row
	for _, op := range gen.Operations {
		r, ok := calls[op]
		if !ok {
			// A row is missing: every suite would skip the operation.
			panic(fmt.Sprintf("optest: operation %s (%s %s) has no row in internal/optest", op.ID, op.Method, op.Path))
		}
		r.Op = op
		out = append(out, r)
	}
	return out
}

// Fixture is what a fake holds for every row's call to succeed. Its ids
// and times are fixed, so that a call made on the fake and a call replayed
// from a recording send the same request, and a fake on a clock stopped at
// At (indexingjobstest.WithClock) gives the same answers every time.
type Fixture struct {
	KnowledgeBase string   // a knowledge base with these data sources
	DataSources   []string // of the knowledge base
	RunningJob    string   // a running job of the knowledge base, half done
	FinishedJob   string   // a job of it that succeeded, with its report
	Schedule      string   // the knowledge base's indexing schedule
	Unscheduled   string   // another knowledge base, without a schedule
	// SpareDataSource is a data source of Unscheduled; SpareKnowledgeBase
	// a third knowledge base. Only the deletes name them.
	SpareDataSource    string
	SpareKnowledgeBase string
	// At is when the running job was last updated and the finished job
	// ended; both were created an hour before. Zero means now.
	At time.Time
}

// Canonical is the fixture the recordings hold.
var Canonical = Fixture{
	KnowledgeBase:      "123e4567-e89b-12d3-a456-426614174000",
	DataSources:        []string{"9758a232-b351-4d0a-9e20-2b8a8f3a5a1c", "2f1c5e9a-4b7d-4f3e-8c6a-1d2e3f4a5b6c"},
	RunningJob:         "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17",
	FinishedJob:        "3c9e1f5a-8b2d-4e6f-a1c3-5d7e9f0b2a4c",
	Schedule:           "5b2e8f14-3c7a-4d9e-b1f6-0a8c2d4e6f80",
	Unscheduled:        "8e4f2a6c-1d3b-4c5e-9f7a-2b4d6e8f0a1c",
	SpareDataSource:    "4a6c8e0f-2b4d-4f6a-8c0e-1a3b5c7d9e2f",
	SpareKnowledgeBase: "6d8f0a2c-4e6b-4d8f-a0c2-3e5f7a9b1c4d",
	At:                 time.Date(2026, 11, 2, 9, 21, 3, 0, time.UTC),
}

// Unknown is an id no fixture holds: a call on it gets 404.
const Unknown = "00000000-0000-4000-8000-000000000000"

// Of returns the ids that name the fixture's thing of kind k, in the
// order of a path: none for Nothing; a data source's knowledge base's,
// then its own; else the thing's own.
func (f Fixture) Of(k Kind) []string {
	var first string
	if len(f.DataSources) > 0 {
		first = f.DataSources[0]
	}
	return map[Kind][]string{
		Nothing:            nil,
		KnowledgeBase:      {f.KnowledgeBase},
		RunningJob:         {f.RunningJob},
		FinishedJob:        {f.FinishedJob},
		Unscheduled:        {f.Unscheduled},
		Schedule:           {f.Schedule},
		DataSource:         {f.KnowledgeBase, first},
		SpareKnowledgeBase: {f.SpareKnowledgeBase},
		SpareDataSource:    {f.Unscheduled, f.SpareDataSource},
	}[k]
}

// All returns every id the fixture's calls name: those of each kind, the
// data sources', and the embedding model and the project the registry
// creates knowledge bases with.
func (f Fixture) All() []string {
	ids := append(slices.Clone(f.DataSources), indexingjobstest.EmbeddingModel, Project)
	for k := Nothing + 1; k < kinds; k++ {
		ids = append(ids, f.Of(k)...)
	}
	return ids
}

// Stock puts the fixture into srv. Its jobs carry every field the API
// sends: the finished job has indexed all its data sources, the running
// one the first of them; each counts math.MaxUint64 tokens, the largest
// count there is, so that every recording of a job carries one.
func Stock(srv *indexingjobstest.Server, f Fixture) {
	at := f.At
	if at.IsZero() {
		at = time.Now().UTC().Truncate(time.Second)
	}
	created := at.Add(-time.Hour)
	srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{UUID: f.KnowledgeBase, Name: "product-docs", DataSourceUUIDs: f.DataSources, CreatedAt: created})
	srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{UUID: f.Unscheduled, Name: "support-answers", CreatedAt: created,
		DataSourceUUIDs: nonEmpty(f.SpareDataSource)})
	if f.SpareKnowledgeBase != "" {
		srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{UUID: f.SpareKnowledgeBase, Name: "old-drafts", CreatedAt: created})
	}
	srv.AddIndexingSchedule(indexingjobs.IndexingSchedule{UUID: f.Schedule, KnowledgeBaseUUID: f.KnowledgeBase,
		Days: []wire.Weekday{wire.Weekday(time.Monday), wire.Weekday(time.Thursday)}, Time: "02:00", CreatedAt: created})
	for id, phase := range map[string]indexingjobs.Phase{f.RunningJob: indexingjobs.PhaseRunning, f.FinishedJob: indexingjobs.PhaseSucceeded} {
		job := indexingjobstest.NewJob(phase)
		job.UUID, job.KnowledgeBaseUUID, job.DataSourceUUIDs = id, f.KnowledgeBase, f.DataSources
		job.CreatedAt, job.StartedAt, job.UpdatedAt = created, created, at
		if phase.Terminal() {
			job.FinishedAt = at
		}
		job.TotalTokens = math.MaxUint64
		job.DataSourceJobs, job.CompletedDatasources = nil, 0
		for i, ds := range f.DataSources {
			one := indexingjobs.IndexedDataSource{DataSourceUUID: ds, Status: indexingjobs.DataSourceStatusInProgress, StartedAt: created}
			if phase.Terminal() || i == 0 {
				one.Status, one.CompletedAt = indexingjobs.DataSourceStatusUpdated, created.Add(time.Duration(i+1)*time.Minute)
				one.TotalFileCount, one.IndexedFileCount, one.TotalBytes, one.TotalBytesIndexed = 40, 40, 10<<20, 10<<20
				one.IndexedItemCount, one.SkippedItemCount = 812, 3
				job.CompletedDatasources++
				job.TotalItemsIndexed += one.IndexedItemCount
				job.TotalItemsSkipped += one.SkippedItemCount
			}
			job.DataSourceJobs = append(job.DataSourceJobs, one)
		}
		job.TotalDatasources = int64(len(f.DataSources))
		srv.AddJob(job)
	}
}

// nonEmpty is the ids that are not "".
func nonEmpty(ids ...string) []string {
	return slices.DeleteFunc(ids, func(id string) bool { return id == "" })
}

// Path is op's path with its parameters set to ids, in order, as the
// client sends it for them; ids beyond the path's parameters (a start's
// knowledge base, in its body) are left out.
func Path(op *gen.Operation, ids ...string) string {
	path := op.Path
	for i, p := range op.PathParams {
		if i < len(ids) {
			path = strings.ReplaceAll(path, "{"+p+"}", ids[i])
		}
	}
	return path
}

// Route finds the operation of a request by its method and path, as the
// API would route it, and returns the UUIDs its path names, in order
// (none for a path without parameters).
func Route(method, path string) (*gen.Operation, []string, bool) {
	for _, op := range gen.Operations {
		if op.Method != method {
			continue
		}
		if ids, ok := match(path, op.Path); ok {
			return op, ids, true
		}
	}
	return nil, nil, false
}

// match reports whether path fits the template, segment by segment, and
// returns the values of its {parameters}.
func match(path, template string) ([]string, bool) {
	ps, ts := strings.Split(path, "/"), strings.Split(template, "/")
	if len(ps) != len(ts) {
		return nil, false
	}
	var ids []string
	for i, t := range ts {
		switch {
		case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
			if indexingjobs.ValidateUUID(ps[i]) != nil {
				return nil, false
			}
			ids = append(ids, ps[i])
		case ps[i] != t:
			return nil, false
		}
	}
	return ids, true
}
