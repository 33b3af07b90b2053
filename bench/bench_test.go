// Package bench compares the cost of one call made three ways against the
// same loopback server and the same recorded payload: the root package's
// client, godo, and the floor, a minimal net/http + encoding/json call.
// The calls are a cancel (one job) and a page of 100 jobs. It is its own
// module so that godo and benchstat never enter the library's go.mod. Run
// it with `make bench`.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"go.yaml.in/yaml/v3"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/jsondec"
)

const (
	jobID = "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"
	token = "bench-token"
)

// payload is the recorded answer to a cancel: a cancelled job with two data
// sources, about 1 KB of JSON.
var payload = func() []byte {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "cassettes", "cancel_indexing_job.yaml"))
	if err != nil {
		panic(err)
	}
	var c struct {
		Interactions []struct {
			Response struct {
				Body string `yaml:"body"`
			} `yaml:"response"`
		} `yaml:"interactions"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil || len(c.Interactions) != 1 {
		panic(fmt.Sprintf("reading the recording: %v", err))
	}
	return []byte(c.Interactions[0].Response.Body)
}()

// pagePayload is page 1 of a list of 1,000 jobs, 100 to a page: the
// recorded job with three data sources, each job with its own uuid.
var pagePayload = func() []byte {
	var one struct {
		Job map[string]any `json:"job"`
	}
	if err := json.Unmarshal(payload, &one); err != nil {
		panic(err)
	}
	sources := one.Job["data_source_jobs"].([]any)
	one.Job["data_source_jobs"] = []any{sources[0], sources[0], sources[0]}
	jobs := make([]json.RawMessage, 100)
	for i := range jobs {
		one.Job["uuid"] = fmt.Sprintf("7d1b3a0e-5c44-4b8e-9a51-%012d", i)
		jobs[i], _ = json.Marshal(one.Job)
	}
	page, err := json.Marshal(map[string]any{"jobs": jobs, "meta": map[string]int{"page": 1, "pages": 10, "total": 1000},
		"links": map[string]any{"pages": map[string]string{"next": "https://api.digitalocean.com/v2/gen-ai/indexing_jobs?page=2&per_page=100"}}})
	if err != nil {
		panic(err)
	}
	return page
}()

// newServer answers every cancel with the payload and the headers the API
// sends, after reading the request body, as the API would.
func newServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer := payload
		switch {
		case r.Header.Get("Authorization") != "Bearer "+token:
			answer = nil
		case r.Method == http.MethodGet && r.URL.Path == "/v2/gen-ai/indexing_jobs" && r.URL.RawQuery == "page=1&per_page=100":
			answer = pagePayload
		case r.Method != http.MethodPut || r.URL.Path != "/v2/gen-ai/indexing_jobs/"+jobID+"/cancel":
			answer = nil
		}
		if answer == nil {
			http.Error(w, "unexpected request "+r.Method+" "+r.URL.String(), http.StatusBadRequest)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Ratelimit-Limit", "5000")
		h.Set("Ratelimit-Remaining", "4999")
		h.Set("Ratelimit-Reset", "1800000000")
		h.Set("X-Request-Id", "4d9d8375-3c56-4925-a3e7-eec3b1f5a8c1")
		_, _ = w.Write(answer)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// candidate is one way to cancel the job; call returns the job's uuid and
// phase as decoded, so every call is checked.
type candidate struct {
	name string
	call func(context.Context) (uuid, phase string, err error)
}

// clients are the three ways to call the server at baseURL: the root
// client, godo as its users make it (NewFromToken: oauth2 transport,
// retries on), and a bare http.Client for the floor.
func clients(tb testing.TB, baseURL string) (*indexingjobs.Client, *godo.Client, *http.Client) {
	root, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(baseURL), indexingjobs.WithToken(token))
	if err != nil {
		tb.Fatal(err)
	}
	do := godo.NewFromToken(token)
	if do.BaseURL, err = url.Parse(baseURL + "/"); err != nil {
		tb.Fatal(err)
	}
	return root, do, &http.Client{}
}

// candidates in the order benchstat shows them; the floor first, so each
// other column is compared with it.
func candidates(tb testing.TB, baseURL string) []candidate {
	root, do, floor := clients(tb, baseURL)
	return []candidate{
		{"floor", func(ctx context.Context) (string, string, error) {
			out, err := floorCancel(ctx, floor, baseURL)
			if err != nil {
				return "", "", err
			}
			return out.Job.UUID, string(out.Job.Phase), nil
		}},
		{"root", func(ctx context.Context) (string, string, error) {
			job, err := root.CancelIndexingJob(ctx, jobID)
			if err != nil {
				return "", "", err
			}
			return job.UUID, string(job.Phase), nil
		}},
		{"godo", func(ctx context.Context) (string, string, error) {
			out, _, err := do.AgentPlatform.CancelIndexingJob(ctx, jobID)
			if err != nil {
				return "", "", err
			}
			return out.Job.Uuid, out.Job.Phase, nil
		}},
	}
}

// floorCancel is the least a Go program can do to make this call with
// net/http and encoding/json: build the request the root client sends
// (same headers, same body), send it, check the status, decode the body
// into the same generated model.
func floorCancel(ctx context.Context, hc *http.Client, baseURL string) (*gen.CancelIndexingJobOutput, error) {
	body, err := json.Marshal(gen.CancelIndexingJobInput{UUID: jobID})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, baseURL+"/v2/gen-ai/indexing_jobs/"+jobID+"/cancel", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "indexingjobs-go/"+indexingjobs.Version)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var out gen.CancelIndexingJobOutput
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

func ptr[T any](v T) *T { return &v }

// pageCandidates read page 1 of 100 jobs; call returns how many jobs
// were decoded and the uuid of the last.
func pageCandidates(tb testing.TB, baseURL string) []candidate {
	root, do, floor := clients(tb, baseURL)
	return []candidate{
		{"floor", func(ctx context.Context) (string, string, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v2/gen-ai/indexing_jobs?page=1&per_page=100", nil)
			if err != nil {
				return "", "", err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("User-Agent", "indexingjobs-go/"+indexingjobs.Version)
			resp, err := floor.Do(req)
			if err != nil {
				return "", "", err
			}
			defer resp.Body.Close()
			var out gen.IndexingJobs
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return "", "", err
			}
			return fmt.Sprint(len(out.Jobs)), out.Jobs[len(out.Jobs)-1].UUID, nil
		}},
		{"root", func(ctx context.Context) (string, string, error) {
			p, err := root.ListIndexingJobsPage(ctx, 1, 100)
			if err != nil {
				return "", "", err
			}
			return fmt.Sprint(len(p.Jobs)), p.Jobs[len(p.Jobs)-1].UUID, nil
		}},
		{"godo", func(ctx context.Context) (string, string, error) {
			out, _, err := do.AgentPlatform.ListIndexingJobs(ctx, &godo.ListOptions{Page: 1, PerPage: 100})
			if err != nil {
				return "", "", err
			}
			return fmt.Sprint(len(out.Jobs)), out.Jobs[len(out.Jobs)-1].Uuid, nil
		}},
	}
}

// TestCandidatesAgree makes sure every candidate makes the same call and
// reads the same job, so the benchmark compares like with like.
func TestCandidatesAgree(t *testing.T) {
	srv := newServer(t)
	for _, c := range candidates(t, srv.URL) {
		uuid, phase, err := c.call(context.Background())
		if err != nil || uuid != jobID || phase != "BATCH_JOB_PHASE_CANCELLED" {
			t.Errorf("%s: got %q %q %v", c.name, uuid, phase, err)
		}
	}
	for _, c := range pageCandidates(t, srv.URL) {
		n, last, err := c.call(context.Background())
		if err != nil || n != "100" || last != "7d1b3a0e-5c44-4b8e-9a51-000000000099" {
			t.Errorf("page, %s: got %q %q %v", c.name, n, last, err)
		}
	}
}

func BenchmarkCancel(b *testing.B) { benchmarkCalls(b, candidates) }

// BenchmarkPaired measures each candidate's time as a percentage of the
// floor's ("%floor": 100 is the floor), from calls made in turn: the
// floor then the candidate, the candidate then the floor, and so on. Two
// calls 70 µs apart see the same machine, so a host whose speed drifts (a
// virtual machine's neighbours) weighs on both alike; Cancel and ListPage
// run each candidate for a second after the other's, and their ratio
// carries that drift. Its ns/op is a pair's. impl=floor is the floor
// paired with itself: how far from 100 two identical clients read.
func BenchmarkPaired(b *testing.B) {
	srv := newServer(b)
	ctx := context.Background()
	for _, call := range []struct {
		name string
		of   func(testing.TB, string) []candidate
	}{{"cancel", candidates}, {"page", pageCandidates}} {
		cs := call.of(b, srv.URL)
		// The floor's own line pairs it with a second floor, a client of
		// its own: its spread around 100 is the method's.
		control := call.of(b, srv.URL)[0]
		for _, c := range append([]candidate{control}, cs[1:]...) {
			b.Run("call="+call.name+"/impl="+c.name, func(b *testing.B) {
				pair := [2]candidate{cs[0], c}
				var spent [2]time.Duration
				first := 0
				for b.Loop() {
					for k := range 2 {
						who := (first + k) % 2
						start := time.Now()
						if _, _, err := pair[who].call(ctx); err != nil {
							b.Fatal(err)
						}
						spent[who] += time.Since(start)
					}
					first ^= 1
				}
				b.ReportMetric(100*float64(spent[1])/float64(spent[0]), "%floor")
			})
		}
	}
}

// BenchmarkListPage is one page of 100 jobs (about 190 KB), three data
// sources each. godo's model has no data sources' counts as numbers, nor
// times as time.Time, so it decodes less than the other two.
func BenchmarkListPage(b *testing.B) { benchmarkCalls(b, pageCandidates) }

func benchmarkCalls(b *testing.B, of func(testing.TB, string) []candidate) {
	srv := newServer(b)
	ctx := context.Background()
	for _, c := range of(b, srv.URL) {
		b.Run("impl="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecode is the decoding of the payload alone: into the generated
// model by encoding/json (the floor's decoder) and by internal/jsondec (the
// root client's), and into godo's model by encoding/json.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"floor", json.Unmarshal}, {"root", jsondec.Unmarshal}} {
		b.Run("impl="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				var out gen.CancelIndexingJobOutput
				if err := c.unmarshal(payload, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("impl=godo", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			var out godo.IndexingJobResponse
			if err := json.Unmarshal(payload, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// inMemory answers every request with the payload, with no network, so
// that BenchmarkCancelInMemory measures the clients' own work.
type inMemory struct{}

func (inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/json"}, "Ratelimit-Limit": {"5000"},
		"Ratelimit-Remaining": {"4999"}, "Ratelimit-Reset": {"1800000000"}, "X-Request-Id": {"4d9d8375-3c56-4925-a3e7-eec3b1f5a8c1"}}
	return &http.Response{StatusCode: http.StatusOK, Header: h, Body: io.NopCloser(bytes.NewReader(payload)),
		ContentLength: int64(len(payload)), Request: r}, nil
}

// BenchmarkCancelInMemory is one cancel by the floor and by the root client
// over a transport that answers from memory: what each costs in itself,
// without the noise of a loopback round trip.
func BenchmarkCancelInMemory(b *testing.B) {
	ctx := context.Background()
	const base = "http://127.0.0.1:1"
	hc := &http.Client{Transport: inMemory{}}
	root, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(base), indexingjobs.WithToken(token), indexingjobs.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := floorCancel(ctx, hc, base); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=root", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := root.CancelIndexingJob(ctx, jobID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
