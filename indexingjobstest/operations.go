package indexingjobstest

import (
	"cmp"
	"context"
	"strings"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// api is the fake's side of the generated StrictServerInterface: one
// method per operation of openapi.yaml. Each returns its 200 answer or an
// error (errNotFound, errBadRequest) that writeError answers; all else
// (token, budget, faults, body cap) is the middleware's.
type api struct{ s *Server }

var _ gen.StrictServerInterface = api{}

func (a api) GenaiListIndexingJobs(_ context.Context, req gen.GenaiListIndexingJobsRequestObject) (gen.GenaiListIndexingJobsResponseObject, error) {
	page, perPage, err := pageParams(req.Params.Page, req.Params.PerPage)
	if err != nil {
		return nil, err
	}
	return gen.GenaiListIndexingJobs200JSONResponse{IndexingJobsJSONResponse: gen.IndexingJobsJSONResponse{
		Body: a.s.listJobs(page, perPage)}}, nil
}

func (a api) GenaiCreateIndexingJob(_ context.Context, req gen.GenaiCreateIndexingJobRequestObject) (gen.GenaiCreateIndexingJobResponseObject, error) {
	job, err := a.s.start(req.Body.KnowledgeBaseUUID, req.Body.DataSourceUUIDs)
	if err != nil {
		return nil, err
	}
	return gen.GenaiCreateIndexingJob200JSONResponse{StartedIndexingJobJSONResponse: gen.StartedIndexingJobJSONResponse{
		Body: gen.StartIndexingJobOutput{Job: job}}}, nil
}

func (a api) GenaiGetIndexingJob(_ context.Context, req gen.GenaiGetIndexingJobRequestObject) (gen.GenaiGetIndexingJobResponseObject, error) {
	job, ok := a.s.Job(req.IndexingJobUUID)
	if !ok {
		return nil, errNotFound
	}
	return gen.GenaiGetIndexingJob200JSONResponse{ReadIndexingJobJSONResponse: gen.ReadIndexingJobJSONResponse{
		Body: gen.GetIndexingJobOutput{Job: job}}}, nil
}

func (a api) GenaiCancelIndexingJob(_ context.Context, req gen.GenaiCancelIndexingJobRequestObject) (gen.GenaiCancelIndexingJobResponseObject, error) {
	if req.Body != nil && req.Body.UUID != "" && !strings.EqualFold(req.Body.UUID, req.IndexingJobUUID) {
		return nil, errBadRequest("uuid %q in the body is not the job %q of the path", req.Body.UUID, req.IndexingJobUUID)
	}
	job, err := a.s.cancel(req.IndexingJobUUID)
	if err != nil {
		return nil, err
	}
	return gen.GenaiCancelIndexingJob200JSONResponse{CancelledIndexingJobJSONResponse: gen.CancelledIndexingJobJSONResponse{
		Body: gen.CancelIndexingJobOutput{Job: job}}}, nil
}

func (a api) GenaiListIndexingJobDataSources(_ context.Context, req gen.GenaiListIndexingJobDataSourcesRequestObject) (gen.GenaiListIndexingJobDataSourcesResponseObject, error) {
	job, ok := a.s.Job(req.IndexingJobUUID)
	if !ok {
		return nil, errNotFound
	}
	return gen.GenaiListIndexingJobDataSources200JSONResponse{IndexedDataSourcesJSONResponse: gen.IndexedDataSourcesJSONResponse{
		Body: gen.ListIndexingJobDataSourcesOutput{IndexedDataSources: job.DataSourceJobs}}}, nil
}

func (a api) GenaiGetIndexingJobDetailsSignedURL(_ context.Context, req gen.GenaiGetIndexingJobDetailsSignedURLRequestObject) (gen.GenaiGetIndexingJobDetailsSignedURLResponseObject, error) {
	job, ok := a.s.Job(req.IndexingJobUUID)
	if !ok {
		return nil, errNotFound
	}
	return gen.GenaiGetIndexingJobDetailsSignedURL200JSONResponse{DetailsSignedURLJSONResponse: gen.DetailsSignedURLJSONResponse{
		Body: gen.DetailsSignedURLOutput{SignedURL: a.s.signedReportURL(job.UUID)}}}, nil
}

func (a api) GenaiListIndexingJobsByKnowledgeBase(_ context.Context, req gen.GenaiListIndexingJobsByKnowledgeBaseRequestObject) (gen.GenaiListIndexingJobsByKnowledgeBaseResponseObject, error) {
	out, err := a.s.listKnowledgeBaseJobs(req.KnowledgeBaseUUID)
	if err != nil {
		return nil, err
	}
	return gen.GenaiListIndexingJobsByKnowledgeBase200JSONResponse{IndexingJobsJSONResponse: gen.IndexingJobsJSONResponse{Body: out}}, nil
}

func (a api) GenaiGetScheduledIndexing(_ context.Context, req gen.GenaiGetScheduledIndexingRequestObject) (gen.GenaiGetScheduledIndexingResponseObject, error) {
	sch, ok := a.s.schedule(req.KnowledgeBaseUUID)
	if !ok {
		return nil, errNotFound
	}
	return gen.GenaiGetScheduledIndexing200JSONResponse{IndexingInfoJSONResponse: gen.IndexingInfoJSONResponse{
		Body: gen.GetScheduleOutput{IndexingInfo: sch}}}, nil
}

func (a api) GenaiCreateScheduledIndexing(_ context.Context, req gen.GenaiCreateScheduledIndexingRequestObject) (gen.GenaiCreateScheduledIndexingResponseObject, error) {
	sch, err := a.s.createSchedule(*req.Body)
	if err != nil {
		return nil, err
	}
	return gen.GenaiCreateScheduledIndexing200JSONResponse{CreatedIndexingInfoJSONResponse: gen.CreatedIndexingInfoJSONResponse{
		Body: gen.CreateScheduleOutput{IndexingInfo: sch}}}, nil
}

func (a api) GenaiDeleteScheduledIndexing(_ context.Context, req gen.GenaiDeleteScheduledIndexingRequestObject) (gen.GenaiDeleteScheduledIndexingResponseObject, error) {
	sch, err := a.s.deleteSchedule(req.ScheduleUUID)
	if err != nil {
		return nil, err
	}
	return gen.GenaiDeleteScheduledIndexing200JSONResponse{DeletedIndexingInfoJSONResponse: gen.DeletedIndexingInfoJSONResponse{
		Body: gen.DeleteScheduleOutput{IndexingInfo: sch}}}, nil
}

func (a api) GenaiListKnowledgeBases(_ context.Context, req gen.GenaiListKnowledgeBasesRequestObject) (gen.GenaiListKnowledgeBasesResponseObject, error) {
	page, perPage, err := pageParams(req.Params.Page, req.Params.PerPage)
	if err != nil {
		return nil, err
	}
	return gen.GenaiListKnowledgeBases200JSONResponse{KnowledgeBasesJSONResponse: gen.KnowledgeBasesJSONResponse{
		Body: a.s.listKnowledgeBases(page, perPage)}}, nil
}

func (a api) GenaiGetKnowledgeBase(_ context.Context, req gen.GenaiGetKnowledgeBaseRequestObject) (gen.GenaiGetKnowledgeBaseResponseObject, error) {
	out, err := a.s.getKnowledgeBase(req.KnowledgeBaseUUID)
	if err != nil {
		return nil, err
	}
	return gen.GenaiGetKnowledgeBase200JSONResponse{ReadKnowledgeBaseJSONResponse: gen.ReadKnowledgeBaseJSONResponse{Body: out}}, nil
}

func (a api) GenaiListKnowledgeBaseDataSources(_ context.Context, req gen.GenaiListKnowledgeBaseDataSourcesRequestObject) (gen.GenaiListKnowledgeBaseDataSourcesResponseObject, error) {
	page, perPage, err := pageParams(req.Params.Page, req.Params.PerPage)
	if err != nil {
		return nil, err
	}
	out, err := a.s.listDataSources(req.KnowledgeBaseUUID, page, perPage)
	if err != nil {
		return nil, err
	}
	return gen.GenaiListKnowledgeBaseDataSources200JSONResponse{KnowledgeBaseDataSourcesJSONResponse: gen.KnowledgeBaseDataSourcesJSONResponse{Body: out}}, nil
}

// pageParams are a list's page and per_page, 0 when not given: page 1 and
// the API's default size, and 400 for a page below 1 or a size outside 1
// to MaxPerPage.
func pageParams(page, perPage int) (int, int, error) {
	page, perPage = cmp.Or(page, 1), cmp.Or(perPage, indexingjobs.DefaultPerPage)
	if page < 1 || perPage < 1 || perPage > indexingjobs.MaxPerPage {
		return 0, 0, errBadRequest("page %d of %d items: pages count from 1, and hold 1 to %d items", page, perPage, indexingjobs.MaxPerPage)
	}
	return page, perPage, nil
}

func (a api) GenaiListModels(_ context.Context, req gen.GenaiListModelsRequestObject) (gen.GenaiListModelsResponseObject, error) {
	page, perPage, err := pageParams(req.Params.Page, req.Params.PerPage)
	if err != nil {
		return nil, err
	}
	return gen.GenaiListModels200JSONResponse{ModelsJSONResponse: gen.ModelsJSONResponse{
		Body: a.s.listModels(req.Params.Usecases, page, perPage)}}, nil
}

func (a api) GenaiCreateDataSourceFileUploadPresignedUrls(_ context.Context, req gen.GenaiCreateDataSourceFileUploadPresignedUrlsRequestObject) (gen.GenaiCreateDataSourceFileUploadPresignedUrlsResponseObject, error) {
	out, err := a.s.fileUploadURLs(*req.Body)
	if err != nil {
		return nil, err
	}
	return gen.GenaiCreateDataSourceFileUploadPresignedUrls200JSONResponse{FileUploadUrlsJSONResponse: gen.FileUploadUrlsJSONResponse{Body: out}}, nil
}

func (a api) GenaiCreateKnowledgeBase(_ context.Context, req gen.GenaiCreateKnowledgeBaseRequestObject) (gen.GenaiCreateKnowledgeBaseResponseObject, error) {
	kb, err := a.s.createKnowledgeBase(*req.Body)
	if err != nil {
		return nil, err
	}
	return gen.GenaiCreateKnowledgeBase200JSONResponse{CreatedKnowledgeBaseJSONResponse: gen.CreatedKnowledgeBaseJSONResponse{
		Body: gen.KnowledgeBaseOutput{KnowledgeBase: kb}}}, nil
}

func (a api) GenaiUpdateKnowledgeBase(_ context.Context, req gen.GenaiUpdateKnowledgeBaseRequestObject) (gen.GenaiUpdateKnowledgeBaseResponseObject, error) {
	kb, err := a.s.updateKnowledgeBase(req.KnowledgeBaseUUID, *req.Body)
	if err != nil {
		return nil, err
	}
	return gen.GenaiUpdateKnowledgeBase200JSONResponse{UpdatedKnowledgeBaseJSONResponse: gen.UpdatedKnowledgeBaseJSONResponse{
		Body: gen.KnowledgeBaseOutput{KnowledgeBase: kb}}}, nil
}

func (a api) GenaiDeleteKnowledgeBase(_ context.Context, req gen.GenaiDeleteKnowledgeBaseRequestObject) (gen.GenaiDeleteKnowledgeBaseResponseObject, error) {
	out, err := a.s.deleteKnowledgeBase(req.KnowledgeBaseUUID)
	if err != nil {
		return nil, err
	}
	return gen.GenaiDeleteKnowledgeBase200JSONResponse{DeletedKnowledgeBaseJSONResponse: gen.DeletedKnowledgeBaseJSONResponse{Body: out}}, nil
}

func (a api) GenaiCreateKnowledgeBaseDataSource(_ context.Context, req gen.GenaiCreateKnowledgeBaseDataSourceRequestObject) (gen.GenaiCreateKnowledgeBaseDataSourceResponseObject, error) {
	ds, err := a.s.addDataSource(req.KnowledgeBaseUUID, *req.Body)
	if err != nil {
		return nil, err
	}
	return gen.GenaiCreateKnowledgeBaseDataSource200JSONResponse{AddedDataSourceJSONResponse: gen.AddedDataSourceJSONResponse{
		Body: gen.DataSourceOutput{KnowledgeBaseDataSource: ds}}}, nil
}

func (a api) GenaiUpdateKnowledgeBaseDataSource(_ context.Context, req gen.GenaiUpdateKnowledgeBaseDataSourceRequestObject) (gen.GenaiUpdateKnowledgeBaseDataSourceResponseObject, error) {
	ds, err := a.s.updateDataSource(req.KnowledgeBaseUUID, req.DataSourceUUID, *req.Body)
	if err != nil {
		return nil, err
	}
	return gen.GenaiUpdateKnowledgeBaseDataSource200JSONResponse{UpdatedDataSourceJSONResponse: gen.UpdatedDataSourceJSONResponse{
		Body: gen.DataSourceOutput{KnowledgeBaseDataSource: ds}}}, nil
}

func (a api) GenaiDeleteKnowledgeBaseDataSource(_ context.Context, req gen.GenaiDeleteKnowledgeBaseDataSourceRequestObject) (gen.GenaiDeleteKnowledgeBaseDataSourceResponseObject, error) {
	out, err := a.s.deleteDataSource(req.KnowledgeBaseUUID, req.DataSourceUUID)
	if err != nil {
		return nil, err
	}
	return gen.GenaiDeleteKnowledgeBaseDataSource200JSONResponse{DeletedDataSourceJSONResponse: gen.DeletedDataSourceJSONResponse{Body: out}}, nil
}
