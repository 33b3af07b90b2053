package indexingjobstest

import (
	"cmp"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// written is what the API's writes give a knowledge base beyond what
// KnowledgeBase holds: what it was created or updated with, the data
// sources it was given (in the API's form, without their secrets), and,
// for one created through the API, when its database comes online and
// whether its first indexing job is still to start then.
type written struct {
	projectID, databaseID, embeddingModel string
	tags                                  []string
	reranking                             indexingjobs.RerankingConfig
	updatedAt                             time.Time
	onlineAt                              time.Time // zero: ONLINE from the start
	firstJobDue                           bool
	sources                               map[string]indexingjobs.KnowledgeBaseDataSource // by lower-case uuid
}

// DefaultDatabaseDelay is how long the database of a knowledge base
// created through the API stays CREATING, unless WithDatabaseDelay says
// otherwise.
const DefaultDatabaseDelay = time.Second

// WithDatabaseDelay sets how long the database of a knowledge base created
// through the API stays CREATING before it is ONLINE. When it comes
// online, a first indexing job of the knowledge base's data sources
// starts, as the API starts one (it runs as WithJobDuration says). Default
// DefaultDatabaseDelay; 0 or less: ONLINE at once.
func WithDatabaseDelay(d time.Duration) Option {
	return func(s *Server) { s.databaseDelay = max(d, 0) }
}

// knowledgeBaseOf finds a knowledge base and makes sure it has a written
// part, to change. s.mu is held.
func (s *Server) knowledgeBaseOf(id string) (*KnowledgeBase, error) {
	key := strings.ToLower(id)
	kb, ok := s.knowledgeBases[key]
	if !ok {
		return nil, errNotFound
	}
	if kb.w == nil {
		kb.w = &written{}
		s.knowledgeBases[key] = kb
	}
	if kb.w.sources == nil {
		kb.w.sources = map[string]indexingjobs.KnowledgeBaseDataSource{}
	}
	return &kb, nil
}

// databaseStatus is the state of the knowledge base's database now. s.mu
// is held.
func (s *Server) databaseStatus(kb KnowledgeBase) indexingjobs.DatabaseStatus {
	if kb.w != nil && s.now().Before(kb.w.onlineAt) {
		return indexingjobs.DatabaseStatusCreating
	}
	return indexingjobs.DatabaseStatusOnline
}

// settle starts the first indexing job of each knowledge base created
// through the API whose database has come online, as from the moment it
// did. s.mu is held.
func (s *Server) settle() {
	now := s.now()
	for _, kb := range s.knowledgeBases {
		if kb.w != nil && kb.w.firstJobDue && !now.Before(kb.w.onlineAt) {
			kb.w.firstJobDue = false
			s.startAt(kb, kb.DataSourceUUIDs, kb.w.onlineAt)
		}
	}
}

// createKnowledgeBase is the create operation: name, region and a known
// embedding model are required, and each data source must be one kind,
// complete, an uploaded file naming an object uploaded whole.
func (s *Server) createKnowledgeBase(in gen.CreateKnowledgeBaseInput) (indexingjobs.KnowledgeBase, error) {
	switch {
	case in.Name == "":
		return indexingjobs.KnowledgeBase{}, errBadRequest("name is required")
	case in.Region == "":
		return indexingjobs.KnowledgeBase{}, errBadRequest("region is required")
	case !isEmbeddingModel(in.EmbeddingModelUUID):
		return indexingjobs.KnowledgeBase{}, errBadRequest("embedding_model_uuid %q is no model that can embed: see GET /v2/gen-ai/models?usecases=MODEL_USECASE_KNOWLEDGEBASE", in.EmbeddingModelUUID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	kb := KnowledgeBase{UUID: newUUID(), Name: in.Name, Region: in.Region, CreatedAt: now, w: &written{
		projectID: in.ProjectID, databaseID: cmp.Or(in.DatabaseID, newUUID()), embeddingModel: in.EmbeddingModelUUID,
		tags: slices.Clone(in.Tags), reranking: in.RerankingConfig, updatedAt: now, onlineAt: now.Add(s.databaseDelay),
		sources: map[string]indexingjobs.KnowledgeBaseDataSource{},
	}}
	for i, ds := range in.Datasources {
		view, err := s.dataSourceFrom(now, ds)
		if err != nil {
			return indexingjobs.KnowledgeBase{}, errBadRequest("datasources[%d]: %s", i, err.message)
		}
		kb.DataSourceUUIDs = append(kb.DataSourceUUIDs, view.UUID)
		kb.w.sources[strings.ToLower(view.UUID)] = view
	}
	kb.w.firstJobDue = len(kb.DataSourceUUIDs) > 0
	s.knowledgeBases[strings.ToLower(kb.UUID)] = kb
	return s.knowledgeBase(kb), nil
}

// updateKnowledgeBase is the update operation: what the body sets
// changes, the rest stays.
func (s *Server) updateKnowledgeBase(id string, in gen.UpdateKnowledgeBaseInput) (indexingjobs.KnowledgeBase, error) {
	if err := inPath("uuid", in.UUID, id, "knowledge base"); err != nil {
		return indexingjobs.KnowledgeBase{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kb, err := s.knowledgeBaseOf(id)
	if err != nil {
		return indexingjobs.KnowledgeBase{}, err
	}
	kb.Name = cmp.Or(in.Name, kb.Name)
	w := kb.w
	w.projectID, w.databaseID = cmp.Or(in.ProjectID, w.projectID), cmp.Or(in.DatabaseID, w.databaseID)
	if len(in.Tags) > 0 {
		w.tags = slices.Clone(in.Tags)
	}
	if in.RerankingConfig != (indexingjobs.RerankingConfig{}) {
		w.reranking = in.RerankingConfig
	}
	w.updatedAt = s.now().UTC().Truncate(time.Second)
	s.knowledgeBases[strings.ToLower(kb.UUID)] = *kb
	return s.knowledgeBase(*kb), nil
}

// deleteKnowledgeBase is the delete operation: the knowledge base goes,
// and with it its data sources, its schedule and its jobs.
func (s *Server) deleteKnowledgeBase(id string) (gen.DeleteKnowledgeBaseOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(id)
	kb, ok := s.knowledgeBases[key]
	if !ok {
		return gen.DeleteKnowledgeBaseOutput{}, errNotFound
	}
	delete(s.knowledgeBases, key)
	delete(s.schedules, key)
	for jobKey, r := range s.jobs {
		if strings.EqualFold(r.job.KnowledgeBaseUUID, kb.UUID) {
			delete(s.jobs, jobKey)
		}
	}
	return gen.DeleteKnowledgeBaseOutput{UUID: kb.UUID}, nil
}

// addDataSource is the operation that adds a data source to a knowledge
// base.
func (s *Server) addDataSource(id string, in gen.CreateDataSourceInput) (indexingjobs.KnowledgeBaseDataSource, error) {
	if err := inPath("knowledge_base_uuid", in.KnowledgeBaseUUID, id, "knowledge base"); err != nil {
		return indexingjobs.KnowledgeBaseDataSource{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kb, err := s.knowledgeBaseOf(id)
	if err != nil {
		return indexingjobs.KnowledgeBaseDataSource{}, err
	}
	view, apiErr := s.dataSourceFrom(s.now().UTC().Truncate(time.Second), gen.DataSourceInput{
		SpacesSource: in.SpacesSource, WebCrawlerSource: in.WebCrawlerSource, S3Source: in.S3Source,
		ChunkingAlgorithm: in.ChunkingAlgorithm, ChunkingOptions: in.ChunkingOptions,
	})
	if apiErr != nil {
		return indexingjobs.KnowledgeBaseDataSource{}, apiErr
	}
	kb.DataSourceUUIDs = append(slices.Clone(kb.DataSourceUUIDs), view.UUID)
	kb.w.sources[strings.ToLower(view.UUID)] = view
	s.knowledgeBases[strings.ToLower(kb.UUID)] = *kb
	return view, nil
}

// updateDataSource is the operation that changes how a data source is
// cut into chunks.
func (s *Server) updateDataSource(id, dsID string, in gen.UpdateDataSourceInput) (indexingjobs.KnowledgeBaseDataSource, error) {
	if err := cmp.Or(inPath("knowledge_base_uuid", in.KnowledgeBaseUUID, id, "knowledge base"),
		inPath("data_source_uuid", in.DataSourceUUID, dsID, "data source")); err != nil {
		return indexingjobs.KnowledgeBaseDataSource{}, err
	}
	if in.ChunkingAlgorithm == "" {
		return indexingjobs.KnowledgeBaseDataSource{}, errBadRequest("chunking_algorithm is required: it is what an update changes")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kb, err := s.knowledgeBaseOf(id)
	if err != nil {
		return indexingjobs.KnowledgeBaseDataSource{}, err
	}
	i := slices.IndexFunc(kb.DataSourceUUIDs, func(known string) bool { return strings.EqualFold(known, dsID) })
	if i < 0 {
		return indexingjobs.KnowledgeBaseDataSource{}, errNotFound
	}
	view := s.dataSource(*kb, i)
	view.ChunkingAlgorithm, view.ChunkingOptions = in.ChunkingAlgorithm, in.ChunkingOptions
	view.UpdatedAt = s.now().UTC().Truncate(time.Second)
	view.LastDatasourceIndexingJob = indexingjobs.IndexedDataSource{}
	kb.w.sources[strings.ToLower(view.UUID)] = view
	return s.withLastRun(*kb, view), nil
}

// deleteDataSource is the operation that deletes a data source of a
// knowledge base.
func (s *Server) deleteDataSource(id, dsID string) (gen.DeleteDataSourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kb, err := s.knowledgeBaseOf(id)
	if err != nil {
		return gen.DeleteDataSourceOutput{}, err
	}
	i := slices.IndexFunc(kb.DataSourceUUIDs, func(known string) bool { return strings.EqualFold(known, dsID) })
	if i < 0 {
		return gen.DeleteDataSourceOutput{}, errNotFound
	}
	gone := kb.DataSourceUUIDs[i]
	kb.DataSourceUUIDs = slices.Delete(slices.Clone(kb.DataSourceUUIDs), i, i+1)
	delete(kb.w.sources, strings.ToLower(gone))
	s.knowledgeBases[strings.ToLower(kb.UUID)] = *kb
	return gen.DeleteDataSourceOutput{KnowledgeBaseUUID: kb.UUID, DataSourceUUID: gone}, nil
}

// inPath refuses an id of a body (its member field) that is not the
// path's: a 400 naming both, and what they identify.
func inPath(field, inBody, inPath, what string) error {
	if inBody != "" && !strings.EqualFold(inBody, inPath) {
		return errBadRequest("%s %q in the body is not the %s %q of the path", field, inBody, what, inPath)
	}
	return nil
}

// dataSourceFrom is the data source the API makes of one of the input
// forms, with a new uuid, or why it cannot: it is exactly one kind,
// complete; an uploaded file names an object uploaded whole. Its view
// keeps no secret of the input. s.mu is held.
func (s *Server) dataSourceFrom(now time.Time, in gen.DataSourceInput) (indexingjobs.KnowledgeBaseDataSource, *apiError) {
	kinds := 0
	for _, part := range []any{in.SpacesSource, in.WebCrawlerSource, in.S3Source, in.UploadedFile, in.GoogleDriveSourceInput, in.DropboxSourceInput, in.BucketName} {
		if !reflect.ValueOf(part).IsZero() {
			kinds++
		}
	}
	if kinds != 1 {
		return indexingjobs.KnowledgeBaseDataSource{}, errBadRequest("a data source is exactly one of spaces_data_source, web_crawler_data_source, aws_data_source, file_upload_data_source, google_drive_data_source and dropbox_data_source; this one has %d", kinds)
	}
	ds := indexingjobs.KnowledgeBaseDataSource{
		UUID: newUUID(), CreatedAt: now, UpdatedAt: now,
		ChunkingAlgorithm: cmp.Or(in.ChunkingAlgorithm, indexingjobs.ChunkingAlgorithmSectionBased), ChunkingOptions: in.ChunkingOptions,
	}
	if ds.ChunkingOptions == (indexingjobs.ChunkingOptions{}) {
		ds.ChunkingOptions.MaxChunkSize = 750
	}
	switch sp, web, aws, file := in.SpacesSource, in.WebCrawlerSource, in.S3Source, in.UploadedFile; {
	case in.BucketName != "":
		ds.SpacesDataSource = indexingjobs.SpacesSource{BucketName: in.BucketName, ItemPath: in.ItemPath, Region: in.BucketRegion}
	case sp.BucketName != "" || sp.ItemPath != "" || sp.Region != "":
		if sp.BucketName == "" || sp.Region == "" {
			return ds, errBadRequest("spaces_data_source: bucket_name and region are required")
		}
		ds.SpacesDataSource = sp
	case !reflect.ValueOf(web).IsZero():
		if u, err := url.Parse(web.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ds, errBadRequest("web_crawler_data_source: base_url %q is not an http or https URL", web.BaseURL)
		}
		web.CrawlingOption = cmp.Or(web.CrawlingOption, indexingjobs.CrawlingOptionPath)
		web.ExcludeTags = slices.Clone(web.ExcludeTags)
		ds.WebCrawlerDataSource = web
	case aws != (indexingjobs.S3Source{}):
		if aws.BucketName == "" || aws.Region == "" || aws.KeyID == "" || aws.SecretKey == "" {
			return ds, errBadRequest("aws_data_source: bucket_name, region, key_id and secret_key are required")
		}
		ds.AWSDataSource = indexingjobs.S3Location{BucketName: aws.BucketName, ItemPath: aws.ItemPath, Region: aws.Region}
	case file != (indexingjobs.UploadedFile{}):
		up, ok := s.uploads[file.StoredObjectKey]
		switch {
		case !ok || !up.received:
			return ds, errBadRequest("file_upload_data_source: stored_object_key %q names no uploaded object: upload the file to its presigned URL first", file.StoredObjectKey)
		case file.SizeInBytes != 0 && int64(file.SizeInBytes) != up.size:
			return ds, errBadRequest("file_upload_data_source: size_in_bytes %d is not the %d bytes uploaded to %q", file.SizeInBytes, up.size, file.StoredObjectKey)
		}
		ds.FileUploadDataSource = indexingjobs.UploadedFile{OriginalFileName: cmp.Or(file.OriginalFileName, up.name), SizeInBytes: indexingjobs.Uint64(up.size), StoredObjectKey: file.StoredObjectKey}
	case in.GoogleDriveSourceInput.FolderID != "":
		ds.GoogleDriveDataSource = indexingjobs.GoogleDriveFolder{FolderID: in.GoogleDriveSourceInput.FolderID}
	case in.DropboxSourceInput.Folder != "":
		ds.DropboxDataSource = indexingjobs.DropboxFolder{Folder: in.DropboxSourceInput.Folder}
	default:
		return ds, errBadRequest("the data source names no folder, site or file")
	}
	return ds, nil
}

// dataSource is data source i of the knowledge base as the API keeps it:
// as it was written, or, for one of AddKnowledgeBase, a folder of a Spaces
// bucket named after the knowledge base. s.mu is held.
func (s *Server) dataSource(kb KnowledgeBase, i int) indexingjobs.KnowledgeBaseDataSource {
	id := kb.DataSourceUUIDs[i]
	if kb.w != nil {
		if ds, ok := kb.w.sources[strings.ToLower(id)]; ok {
			return ds
		}
	}
	return indexingjobs.KnowledgeBaseDataSource{
		UUID: id, CreatedAt: kb.CreatedAt, UpdatedAt: kb.CreatedAt,
		SpacesDataSource:  indexingjobs.SpacesSource{BucketName: kb.Name, ItemPath: fmt.Sprintf("/source-%d", i+1), Region: kb.Region},
		ChunkingAlgorithm: indexingjobs.ChunkingAlgorithmSectionBased,
		ChunkingOptions:   indexingjobs.ChunkingOptions{MaxChunkSize: 750},
	}
}

// withLastRun is the data source with what the newest job that indexed it
// did there. s.mu is held.
func (s *Server) withLastRun(kb KnowledgeBase, ds indexingjobs.KnowledgeBaseDataSource) indexingjobs.KnowledgeBaseDataSource {
	for _, job := range s.newestFirst(kb.UUID) {
		for _, run := range job.DataSourceJobs {
			if strings.EqualFold(run.DataSourceUUID, ds.UUID) {
				ds.LastDatasourceIndexingJob = run
				return ds
			}
		}
	}
	return ds
}
