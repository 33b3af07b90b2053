package indexingjobs_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

const (
	modelID   = "22653204-79ed-11ef-bf8f-4e013e2ddde4"
	projectID = "37455431-84bd-4fa2-94cf-e8486f8f8c5e"
	// The S3 key of the tests: never in an error.
	s3KeyID  = "AKIAIOSFODNN7EXAMPLE"
	s3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func s3Source() *indexingjobs.S3Source {
	return &indexingjobs.S3Source{BucketName: "archive", ItemPath: "/2025", Region: "us-east-1", KeyID: s3KeyID, SecretKey: s3Secret}
}

var (
	kbAnswer = `{"knowledge_base":{"uuid":"` + kbID + `","name":"product-docs"}}`
	dsAnswer = `{"knowledge_base_data_source":{"uuid":"` + dsA + `"}}`
)

// TestWriteRequestBodiesAndQueries: what the write methods and the list of
// models put in the query and the body of their request, field for field,
// and what they read from the answer.
func TestWriteRequestBodiesAndQueries(t *testing.T) {
	ctx := context.Background()
	isKB := func(t *testing.T, got any) { assert.Equal(t, kbID, got.(*indexingjobs.KnowledgeBase).UUID) }
	isDS := func(t *testing.T, got any) { assert.Equal(t, dsA, got.(*indexingjobs.KnowledgeBaseDataSource).UUID) }
	checkBodies(t, []bodyCase{
		{"embedding models", `{"models":[{"uuid":"` + modelID + `","name":"GTE Large EN v1.5"}],"meta":{"page":2,"pages":2,"total":21}}`,
			func(c *indexingjobs.Client) (any, error) { return c.ListEmbeddingModelsPage(ctx, 2, 20) },
			"usecases=MODEL_USECASE_KNOWLEDGEBASE&page=2&per_page=20", "",
			func(t *testing.T, got any) {
				p := got.(*indexingjobs.EmbeddingModelPage)
				assert.Equal(t, [4]int{1, 2, 2, 21}, [4]int{len(p.Models), p.Page, p.Pages, p.Total})
				assert.Equal(t, "GTE Large EN v1.5", p.Models[0].Name)
			}},
		{"create", kbAnswer,
			func(c *indexingjobs.Client) (any, error) {
				return c.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{
					Name: "product-docs", Region: "tor1", EmbeddingModelUUID: modelID, ProjectID: projectID, Tags: []string{"docs"},
					DatabaseSize: indexingjobs.OpenSearchPlanSizeSmall,
					DataSources: []indexingjobs.DataSourceSpec{
						{Spaces: &indexingjobs.SpacesSource{BucketName: "docs", ItemPath: "/manuals", Region: "tor1"},
							Chunking: &indexingjobs.Chunking{Algorithm: indexingjobs.ChunkingAlgorithmSemantic, SemanticThreshold: 0.5}},
						{File: &indexingjobs.UploadedFile{OriginalFileName: "a.md", StoredObjectKey: "uploads/x/a.md", SizeInBytes: 12}},
						{S3: s3Source()},
					},
				})
			},
			"", `{"datasources":[{"chunking_algorithm":"CHUNKING_ALGORITHM_SEMANTIC","chunking_options":{"semantic_threshold":0.5},` +
				`"spaces_data_source":{"bucket_name":"docs","item_path":"/manuals","region":"tor1"}},` +
				`{"file_upload_data_source":{"original_file_name":"a.md","size_in_bytes":"12","stored_object_key":"uploads/x/a.md"}},` +
				`{"aws_data_source":{"bucket_name":"archive","item_path":"/2025","key_id":"` + s3KeyID + `","region":"us-east-1","secret_key":"` + strings.ReplaceAll(s3Secret, "/", "/") + `"}}],` +
				`"embedding_model_uuid":"` + modelID + `","name":"product-docs","project_id":"` + projectID + `","region":"tor1","size":"OPEN_SEARCH_PLAN_SIZE_SMALL","tags":["docs"]}`, isKB},
		{"update: only what changes", kbAnswer,
			func(c *indexingjobs.Client) (any, error) {
				return c.UpdateKnowledgeBase(ctx, kbID, indexingjobs.KnowledgeBaseChanges{Tags: []string{"docs", "support"}})
			},
			"", `{"tags":["docs","support"],"uuid":"` + kbID + `"}`, isKB},
		{"delete", `{"uuid":"` + kbID + `"}`,
			func(c *indexingjobs.Client) (any, error) { return nil, c.DeleteKnowledgeBase(ctx, kbID) },
			"", "", nil},
		{"add a web site", dsAnswer,
			func(c *indexingjobs.Client) (any, error) {
				return c.AddDataSource(ctx, kbID, indexingjobs.DataSourceSpec{WebCrawler: &indexingjobs.WebCrawlerSource{
					BaseURL: "https://docs.example.com/", CrawlingOption: indexingjobs.CrawlingOptionSubdomains, EmbedMedia: true}})
			},
			"", `{"knowledge_base_uuid":"` + kbID + `","web_crawler_data_source":{"base_url":"https://docs.example.com/","crawling_option":"SUBDOMAINS","embed_media":true}}`, isDS},
		{"add an S3 folder", dsAnswer,
			func(c *indexingjobs.Client) (any, error) {
				return c.AddDataSource(ctx, kbID, indexingjobs.DataSourceSpec{S3: s3Source()})
			},
			"", `{"aws_data_source":{"bucket_name":"archive","item_path":"/2025","key_id":"` + s3KeyID + `","region":"us-east-1","secret_key":"` + s3Secret + `"},"knowledge_base_uuid":"` + kbID + `"}`, isDS},
		{"update a data source", dsAnswer,
			func(c *indexingjobs.Client) (any, error) {
				return c.UpdateDataSource(ctx, kbID, dsA, indexingjobs.Chunking{Algorithm: indexingjobs.ChunkingAlgorithmHierarchical, ParentChunkSize: 1000, ChildChunkSize: 350})
			},
			"", `{"chunking_algorithm":"CHUNKING_ALGORITHM_HIERARCHICAL","chunking_options":{"child_chunk_size":350,"parent_chunk_size":1000},"data_source_uuid":"` + dsA + `","knowledge_base_uuid":"` + kbID + `"}`, isDS},
		{"delete a data source", `{"knowledge_base_uuid":"` + kbID + `","data_source_uuid":"` + dsA + `"}`,
			func(c *indexingjobs.Client) (any, error) { return nil, c.DeleteDataSource(ctx, kbID, dsA) },
			"", "", nil},
		{"upload URLs", `{"uploads":[{"original_file_name":"handbook.pdf","object_key":"uploads/7c2e/handbook.pdf","presigned_url":"https://up.example/u?X-Amz-Signature=abc"}]}`,
			func(c *indexingjobs.Client) (any, error) {
				return c.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "handbook.pdf", Size: 482133}})
			},
			"", `{"files":[{"file_name":"handbook.pdf","file_size":"482133"}]}`,
			func(t *testing.T, got any) {
				urls := got.([]indexingjobs.FileUploadURL)
				require.Len(t, urls, 1)
				assert.Equal(t, "uploads/7c2e/handbook.pdf", urls[0].ObjectKey)
			}},
	})
}

// TestWriteInputIsCheckedBeforeSending: input that makes no request gets
// an error that says what is wrong, and nothing is sent.
func TestWriteInputIsCheckedBeforeSending(t *testing.T) {
	srv := newScripted(t, respond(200, `{}`))
	c := newClient(t, srv.URL)
	ctx := context.Background()
	spec := func(edit func(*indexingjobs.KnowledgeBaseSpec)) indexingjobs.KnowledgeBaseSpec {
		s := indexingjobs.KnowledgeBaseSpec{Name: "docs", Region: "tor1", EmbeddingModelUUID: modelID}
		edit(&s)
		return s
	}
	create := func(s indexingjobs.KnowledgeBaseSpec) func() error {
		return func() error { _, err := c.CreateKnowledgeBase(ctx, s); return err }
	}
	add := func(ds indexingjobs.DataSourceSpec) func() error {
		return func() error { _, err := c.AddDataSource(ctx, kbID, ds); return err }
	}
	spaces := &indexingjobs.SpacesSource{BucketName: "docs", Region: "tor1"}
	for want, call := range map[string]func() error{
		"Name is required":      create(spec(func(s *indexingjobs.KnowledgeBaseSpec) { s.Name = "" })),
		"Region is required":    create(spec(func(s *indexingjobs.KnowledgeBaseSpec) { s.Region = " " })),
		`embedding model "gte"`: create(spec(func(s *indexingjobs.KnowledgeBaseSpec) { s.EmbeddingModelUUID = "gte" })),
		`project "default"`:     create(spec(func(s *indexingjobs.KnowledgeBaseSpec) { s.ProjectID = "default" })),
		`VPC "../x"`:            create(spec(func(s *indexingjobs.KnowledgeBaseSpec) { s.VPCUUID = "../x" })),
		"data source 2: a data source is exactly one of Spaces, WebCrawler, S3 and File; this one sets 0": create(spec(func(s *indexingjobs.KnowledgeBaseSpec) {
			s.DataSources = []indexingjobs.DataSourceSpec{{Spaces: spaces}, {}}
		})),
		"data source 1: File: StoredObjectKey is required": create(spec(func(s *indexingjobs.KnowledgeBaseSpec) {
			s.DataSources = []indexingjobs.DataSourceSpec{{File: &indexingjobs.UploadedFile{OriginalFileName: "a.md"}}}
		})),
		"this one sets 2":                                add(indexingjobs.DataSourceSpec{Spaces: spaces, S3: s3Source()}),
		"Spaces: Region is required":                     add(indexingjobs.DataSourceSpec{Spaces: &indexingjobs.SpacesSource{BucketName: "docs"}}),
		"S3: SecretKey is required":                      add(indexingjobs.DataSourceSpec{S3: &indexingjobs.S3Source{BucketName: "b", Region: "r", KeyID: s3KeyID}}),
		`"ftp://docs.example.com/" is not`:               add(indexingjobs.DataSourceSpec{WebCrawler: &indexingjobs.WebCrawlerSource{BaseURL: "ftp://docs.example.com/"}}),
		"attached only when a knowledge base is created": add(indexingjobs.DataSourceSpec{File: &indexingjobs.UploadedFile{StoredObjectKey: "uploads/x/a.md"}}),
		"a chunk size is below 0":                        add(indexingjobs.DataSourceSpec{Spaces: spaces, Chunking: &indexingjobs.Chunking{MaxChunkSize: -1}}),
		"no change given": func() error {
			_, err := c.UpdateKnowledgeBase(ctx, kbID, indexingjobs.KnowledgeBaseChanges{Tags: []string{}})
			return err
		},
		"Chunking.Algorithm is required": func() error {
			_, err := c.UpdateDataSource(ctx, kbID, dsA, indexingjobs.Chunking{MaxChunkSize: 500})
			return err
		},
		"semantic threshold 2 is not between 0 and 1": func() error {
			_, err := c.UpdateDataSource(ctx, kbID, dsA, indexingjobs.Chunking{Algorithm: indexingjobs.ChunkingAlgorithmSemantic, SemanticThreshold: 2})
			return err
		},
		"no file to upload": func() error { _, err := c.FileUploadURLs(ctx, nil); return err },
		"its size is 0 bytes": func() error {
			_, err := c.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "empty.md"}})
			return err
		},
		`the name "a\nb" is empty, or not text on one line`: func() error {
			_, err := c.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "a\nb", Size: 1}})
			return err
		},
		`project "x"`: func() error {
			_, err := c.UpdateKnowledgeBase(ctx, kbID, indexingjobs.KnowledgeBaseChanges{ProjectID: "x"})
			return err
		},
		`knowledge base "nope"`: func() error { _, err := c.WaitForKnowledgeBase(ctx, "nope"); return err },
	} {
		err := call()
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), s3Secret)
	}
	assert.Zero(t, srv.count(), "nothing was sent")
}

// TestCreatesAreSentOnceAndSayWhereToLook: a create or an add the server
// may have acted on (a 5xx) is not sent again, and its error wraps
// ErrOutcomeUnknown and says where to look; one it certainly did not act
// on (429) is sent again.
func TestCreatesAreSentOnceAndSayWhereToLook(t *testing.T) {
	ctx := context.Background()
	failed := respond(500, `{"id":"server_error","message":"Unexpected server-side error"}`)
	for name, tc := range map[string]struct {
		call func(*indexingjobs.Client) error
		look string
		ok   string
	}{
		"create": {func(c *indexingjobs.Client) error {
			_, err := c.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{Name: "product-docs", Region: "tor1", EmbeddingModelUUID: modelID})
			return err
		}, `look for a knowledge base named "product-docs" (ListKnowledgeBases) before creating it again`, kbAnswer},
		"add": {func(c *indexingjobs.Client) error {
			_, err := c.AddDataSource(ctx, kbID, indexingjobs.DataSourceSpec{S3: s3Source()})
			return err
		}, "list the knowledge base's data sources (ListKnowledgeBaseDataSources) before adding it again", dsAnswer},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, failed, respond(200, tc.ok))
			err := tc.call(newClient(t, srv.URL))
			require.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), tc.look)
			assert.Equal(t, 1, srv.count(), "not sent again: it may have been made")

			srv = newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", "0"), respond(200, tc.ok))
			require.NoError(t, tc.call(newClient(t, srv.URL)))
			assert.Equal(t, 2, srv.count(), "a 429 is sent again")

			srv = newScripted(t, respond(200, `{}`))
			err = tc.call(newClient(t, srv.URL))
			require.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "a 2xx without what was made")
			assert.Contains(t, err.Error(), tc.look)
		})
	}
}

// TestDeletesRetriedAndAnswered404MayHaveDeleted: a delete is sent again
// after a 5xx; a 404 to that retry wraps ErrOutcomeUnknown (the first may
// have deleted it), a 404 to a first attempt does not.
func TestDeletesRetriedAndAnswered404MayHaveDeleted(t *testing.T) {
	ctx := context.Background()
	notFound := respond(404, `{"id":"not_found","message":"The resource you requested could not be found."}`)
	for name, del := range map[string]func(*indexingjobs.Client) error{
		"knowledge base": func(c *indexingjobs.Client) error { return c.DeleteKnowledgeBase(ctx, kbID) },
		"data source":    func(c *indexingjobs.Client) error { return c.DeleteDataSource(ctx, kbID, dsA) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, respond(503, `{"id":"x","message":"busy"}`), notFound)
			err := del(newClient(t, srv.URL))
			assert.True(t, indexingjobs.IsNotFound(err))
			assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "an earlier attempt may have deleted it")
			assert.Equal(t, 2, srv.count())

			srv = newScripted(t, notFound)
			err = del(newClient(t, srv.URL))
			assert.True(t, indexingjobs.IsNotFound(err))
			assert.False(t, errors.Is(err, indexingjobs.ErrOutcomeUnknown), "nothing was sent before")

			srv = newScripted(t, respond(200, `{"uuid":"`+dsB+`","data_source_uuid":"`+dsB+`"}`))
			err = del(newClient(t, srv.URL))
			assert.ErrorContains(t, err, "the answer is not about what was asked", "an answer that names another")
		})
	}
}

// TestS3KeysAreInNoError: a server that echoes an S3 source's key id and
// secret, as sent, percent-encoded or JSON-escaped, in its error or in a
// 2xx the client cannot use, gets an error that holds neither.
func TestS3KeysAreInNoError(t *testing.T) {
	ctx := context.Background()
	for _, echo := range []string{
		s3KeyID + " " + s3Secret,
		url.QueryEscape(s3Secret) + " " + url.PathEscape(s3KeyID),
		strings.ReplaceAll(s3Secret, "/", `\/`),
		"the secret ends " + s3Secret[20:],
	} {
		body := `{"id":"bad_request","message":"` + strings.ReplaceAll(echo, `\`, `\\`) + ` is not valid","request_id":"` + s3Secret[5:25] + `"}`
		for name, call := range map[string]func(*indexingjobs.Client) error{
			"add": func(c *indexingjobs.Client) error {
				_, err := c.AddDataSource(ctx, kbID, indexingjobs.DataSourceSpec{S3: s3Source()})
				return err
			},
			"create": func(c *indexingjobs.Client) error {
				_, err := c.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{Name: "n", Region: "r", EmbeddingModelUUID: modelID,
					DataSources: []indexingjobs.DataSourceSpec{{S3: s3Source()}}})
				return err
			},
		} {
			for _, answer := range []string{body} {
				srv := newScripted(t, respond(400, answer))
				err := call(newClient(t, srv.URL))
				require.Error(t, err)
				var apiErr *indexingjobs.APIError
				require.ErrorAs(t, err, &apiErr, "%s: still an APIError", name)
				assert.Equal(t, 400, apiErr.StatusCode)
				for _, text := range []string{err.Error(), apiErr.Message, apiErr.RequestID} {
					assert.NotContains(t, text, s3Secret[20:], "%s: %s", name, echo)
					assert.NotContains(t, text, s3Secret[:12], "%s: %s", name, echo)
					assert.NotContains(t, text, s3KeyID, "%s: %s", name, echo)
				}
			}
		}
	}
}

// TestWaitForKnowledgeBase: the wait reads until the database is ONLINE;
// a state that does not come online by itself ends it with an error
// naming the state; an ended context says what was last seen.
func TestWaitForKnowledgeBase(t *testing.T) {
	ctx := context.Background()
	state := func(s string) string {
		return `{"knowledge_base":{"uuid":"` + kbID + `","name":"docs"},"database_status":"` + s + `"}`
	}
	srv := newScripted(t, respond(200, state("CREATING")), respond(200, state("REBALANCING")), respond(200, state("ONLINE")))
	var reads int
	kb, err := newClient(t, srv.URL).WaitForKnowledgeBase(ctx, kbID, indexingjobs.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.DatabaseOnline, kb.DatabaseStatus)
	reads = srv.count()
	assert.Equal(t, 3, reads)

	for _, bad := range []string{"UNHEALTHY", "DECOMMISSIONED", "POWEROFF"} {
		srv := newScripted(t, respond(200, state("CREATING")), respond(200, state(bad)))
		kb, err := newClient(t, srv.URL).WaitForKnowledgeBase(ctx, kbID, indexingjobs.WithPollInterval(time.Millisecond))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "its database is "+bad+", and will not come online by itself")
		require.NotNil(t, kb, "the knowledge base as last read")
		assert.Equal(t, indexingjobs.DatabaseStatus(bad), kb.DatabaseStatus)
		assert.Equal(t, 2, srv.count())
	}

	srv = newScripted(t, respond(200, state("CREATING")))
	short, cancel := context.WithCancel(ctx)
	go func() {
		for srv.count() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err = newClient(t, srv.URL).WaitForKnowledgeBase(short, kbID, indexingjobs.WithPollInterval(time.Millisecond), indexingjobs.WithMaxPollInterval(time.Millisecond))
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "its database last seen CREATING")

	srv = newScripted(t, respond(404, `{"id":"not_found","message":"gone"}`))
	_, err = newClient(t, srv.URL).WaitForKnowledgeBase(ctx, kbID)
	assert.True(t, indexingjobs.IsNotFound(err), "a read that fails for good ends the wait")
}
