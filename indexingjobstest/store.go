package indexingjobstest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// record is a stored job, the run it follows if it was started through the
// API, and, if a cancel is under way, when it takes effect.
type record struct {
	job      indexingjobs.IndexingJob
	run      *run // nil once the job has ended, and for jobs of AddJob
	cancelAt time.Time
}

// AddJob stores a copy of job and returns its id. A job without a uuid gets
// a new random one. A job added so changes only when it is cancelled: only
// jobs started through the API run. Its knowledge base, if it names one
// the server does not know, becomes known, with the job's data sources.
func (s *Server) AddJob(job indexingjobs.IndexingJob) string {
	job = clone(job)
	if job.UUID == "" {
		job.UUID = newUUID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[strings.ToLower(job.UUID)] = &record{job: job}
	if kb := job.KnowledgeBaseUUID; kb != "" {
		if _, ok := s.knowledgeBases[strings.ToLower(kb)]; !ok {
			s.keepKnowledgeBase(KnowledgeBase{UUID: kb, DataSourceUUIDs: job.DataSourceUUIDs})
		}
	}
	return job.UUID
}

// Job returns a copy of the job id as the API would send it now.
func (s *Server) Job(id string) (indexingjobs.IndexingJob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.lookup(id)
	if !ok {
		return indexingjobs.IndexingJob{}, false
	}
	return clone(r.job), true
}

// AddKnowledgeBase stores a copy of kb, replacing any of the same uuid, and
// returns its id. A knowledge base without a uuid gets a new random one.
func (s *Server) AddKnowledgeBase(kb KnowledgeBase) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keepKnowledgeBase(kb)
}

// keepKnowledgeBase stores a copy of kb, what it lacks made up. s.mu is
// held.
func (s *Server) keepKnowledgeBase(kb KnowledgeBase) string {
	kb.DataSourceUUIDs = slices.Clone(kb.DataSourceUUIDs)
	if kb.UUID == "" {
		kb.UUID = newUUID()
	}
	if kb.Name == "" {
		kb.Name = "kb-" + strings.ToLower(kb.UUID[:min(8, len(kb.UUID))])
	}
	kb.Region = cmp.Or(kb.Region, "tor1")
	if kb.CreatedAt.IsZero() {
		kb.CreatedAt = s.now().UTC().Truncate(time.Second)
	}
	s.knowledgeBases[strings.ToLower(kb.UUID)] = kb
	return kb.UUID
}

// lookup finds a job and brings it up to now: the progress of its run and
// a cancel whose time has come. s.mu is held.
func (s *Server) lookup(id string) (*record, bool) {
	s.settle()
	r, ok := s.jobs[strings.ToLower(id)]
	if !ok {
		return nil, false
	}
	s.update(r)
	return r, true
}

// update brings r up to now. s.mu is held.
func (s *Server) update(r *record) {
	now := s.now()
	due := !r.cancelAt.IsZero() && !now.Before(r.cancelAt)
	if r.run != nil {
		at := now
		if due {
			at = r.cancelAt // the run stopped there
		}
		r.run.apply(&r.job, at)
		if r.job.Phase.Terminal() {
			r.run = nil
		}
	}
	if due {
		if !r.job.Phase.Terminal() {
			markCancelled(&r.job, r.cancelAt)
		}
		r.run, r.cancelAt = nil, time.Time{}
	}
}

// cancel starts or finishes the cancel of a job. A job already in a
// terminal phase is left as it is: cancelling is idempotent.
func (s *Server) cancel(id string) (indexingjobs.IndexingJob, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.lookup(id)
	if !ok {
		return indexingjobs.IndexingJob{}, errNotFound
	}
	if !r.job.Phase.Terminal() && r.cancelAt.IsZero() {
		now := s.now().UTC()
		if s.cancelDelay <= 0 {
			markCancelled(&r.job, now)
			r.run = nil
		} else {
			r.job.UpdatedAt = now
			r.cancelAt = now.Add(s.cancelDelay)
			if r.job.Phase == indexingjobs.PhasePending {
				r.run = nil // a pending job being cancelled never starts
			}
		}
	}
	return clone(r.job), nil
}

// start creates a pending job that indexes the given data sources of the
// knowledge base kb, all of them if none are given, and sets it on its run.
func (s *Server) start(kb string, dataSources []string) (indexingjobs.IndexingJob, error) {
	if kb == "" {
		return indexingjobs.IndexingJob{}, errBadRequest("knowledge_base_uuid is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base, ok := s.knowledgeBases[strings.ToLower(kb)]
	if !ok {
		return indexingjobs.IndexingJob{}, errNotFound
	}
	var chosen []string
	for _, ds := range dataSources {
		i := slices.IndexFunc(base.DataSourceUUIDs, func(known string) bool { return strings.EqualFold(known, ds) })
		if i < 0 {
			return indexingjobs.IndexingJob{}, errNotFound
		}
		if !slices.Contains(chosen, base.DataSourceUUIDs[i]) {
			chosen = append(chosen, base.DataSourceUUIDs[i])
		}
	}
	if len(dataSources) == 0 {
		chosen = slices.Clone(base.DataSourceUUIDs)
	}
	return s.startAt(base, chosen, s.now()), nil
}

// startAt creates a job of the knowledge base created at time at, pending
// then, that indexes the data sources chosen, and sets it on its run. s.mu
// is held.
func (s *Server) startAt(base KnowledgeBase, chosen []string, at time.Time) indexingjobs.IndexingJob {
	at = at.UTC()
	job := indexingjobs.IndexingJob{
		UUID: newUUID(), KnowledgeBaseUUID: base.UUID,
		Phase: indexingjobs.PhasePending, Status: indexingjobs.StatusPending,
		CreatedAt: at, UpdatedAt: at,
		DataSourceUUIDs: slices.Clone(chosen), TotalDatasources: int64(len(chosen)),
		DataSourceJobs: make([]indexingjobs.IndexedDataSource, len(chosen)),
	}
	for i, ds := range chosen {
		job.DataSourceJobs[i].DataSourceUUID = ds
	}
	sizes := make([]size, len(chosen))
	for i, ds := range chosen {
		sizes[i] = s.found(base, ds)
	}
	s.jobs[job.UUID] = &record{job: clone(job), run: newRun(at, s.jobDuration, s.outcome, sizes)}
	return job
}

// newestFirst returns the jobs of knowledge base kb, or all jobs if kb is
// empty, brought up to now, newest first: by creation time, then by uuid
// so that the order is stable. They are the server's own: clone those you
// hand out. s.mu is held.
func (s *Server) newestFirst(kb string) []*indexingjobs.IndexingJob {
	s.settle()
	var jobs []*indexingjobs.IndexingJob
	for _, r := range s.jobs {
		if kb != "" && !strings.EqualFold(r.job.KnowledgeBaseUUID, kb) {
			continue
		}
		s.update(r)
		jobs = append(jobs, &r.job)
	}
	slices.SortFunc(jobs, func(a, b *indexingjobs.IndexingJob) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.UUID), strings.ToLower(b.UUID))
	})
	return jobs
}

// clone copies a job so that the caller and the server share nothing: its
// only references are its two slices.
func clone(job indexingjobs.IndexingJob) indexingjobs.IndexingJob {
	job.DataSourceUUIDs = slices.Clone(job.DataSourceUUIDs)
	job.DataSourceJobs = slices.Clone(job.DataSourceJobs)
	return job
}

// found is what a job that starts now finds in a data source of kb. In a
// Spaces data source made through the API, the objects under its prefix in
// the fake's Spaces: all of them, of which those new or changed (by ETag)
// since its last job are indexed (all of them the first time). So too in
// one of AddKnowledgeBase, shown as a folder of a bucket named after the
// knowledge base, once the fake's Spaces holds objects there (as after
// 'index --spaces' on it); while it holds none, such a folder stands for
// one elsewhere, and its size is made up from its id, as it is for any
// other kind. In a file data source, its one file. s.mu is held.
func (s *Server) found(kb KnowledgeBase, dataSource string) size {
	key := strings.ToLower(dataSource)
	var ds indexingjobs.KnowledgeBaseDataSource
	ok := false
	if kb.w != nil {
		ds, ok = kb.w.sources[key]
	}
	if !ok {
		i := slices.IndexFunc(kb.DataSourceUUIDs, func(id string) bool { return strings.EqualFold(id, dataSource) })
		if i < 0 {
			return sizeOf(dataSource)
		}
		ds = s.dataSource(kb, i)
		sp := ds.SpacesDataSource
		if _, indexed := s.spacesSeen[key]; !indexed && len(s.SpacesObjects(sp.BucketName, strings.TrimPrefix(sp.ItemPath, "/"))) == 0 {
			return sizeOf(dataSource)
		}
	}
	switch {
	case ds.FileUploadDataSource.StoredObjectKey != "":
		sz := uint64(ds.FileUploadDataSource.SizeInBytes)
		return size{files: 1, indexed: 1, items: itemsPerFile, bytes: sz, indexedBytes: sz}
	case ds.SpacesDataSource.BucketName != "":
		sp := ds.SpacesDataSource
		total, changed, bytes, changedBytes, now := s.spacesIndexed(sp.BucketName, sp.ItemPath, s.spacesSeen[key])
		if s.spacesSeen == nil {
			s.spacesSeen = map[string]map[string]string{}
		}
		s.spacesSeen[key] = now
		return size{files: total, indexed: changed, items: changed * itemsPerFile, bytes: bytes, indexedBytes: changedBytes}
	}
	return sizeOf(dataSource)
}
