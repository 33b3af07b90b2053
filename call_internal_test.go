package indexingjobs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/gradient-go/indexingjobs/internal/jsondec"
)

// TestEveryAnswerDecodesOnTheFastPath decodes every recorded 2xx body into
// every operation's answer type with the client's decoder and with
// encoding/json, and requires the same result; and requires each
// operation's answer type to be one the fast decoder reads (but for maps
// and interfaces) and its own recordings to take the fast path whole, so
// that an answer the fast decoder cannot read (a new kind of field) is
// caught here rather than as a slower client.
func TestEveryAnswerDecodesOnTheFastPath(t *testing.T) {
	own := map[*operation]int{}
	for _, rec := range recorded2xx(t) {
		name, body := rec.name, rec.body
		for _, op := range operations {
			want, got := op.answer(), op.answer()
			wantErr := json.Unmarshal(body, want)
			gotErr := jsondec.Unmarshal(body, got)
			assert.Equal(t, wantErr, gotErr, "%s into %s's answer", name, op.id)
			assert.True(t, reflect.DeepEqual(want, got), "%s into %s's answer:\n got %+v\nwant %+v", name, op.id, got, want)
			if name == strings.TrimPrefix(op.id, "genai_") && own[op] == 0 {
				// Maps and interfaces hold what the API leaves open
				// (a model's settings); any other type left to
				// encoding/json is a slower client.
				for _, slow := range jsondec.Slow(reflect.TypeOf(want).Elem()) {
					assert.Contains(t, []reflect.Kind{reflect.Map, reflect.Interface}, slow.Kind(),
						"%s's answer has %s, which the fast decoder leaves to encoding/json", op.id, slow)
				}
			}
			if name == strings.TrimPrefix(op.id, "genai_") {
				own[op]++
				assert.True(t, jsondec.Fast(body, op.answer()), "%s left to encoding/json", name)
			}
		}
	}
	for _, op := range operations {
		assert.NotZero(t, own[op], "no 2xx recording of %s", op.id)
	}
}

// recordedBody is a 2xx body of a cassette in testdata/cassettes, named for it.
type recordedBody struct {
	name string
	body []byte
}

// recorded2xx is every 2xx body the cassettes hold.
func recorded2xx(t *testing.T) []recordedBody {
	files, err := filepath.Glob(filepath.Join("testdata", "cassettes", "*.yaml"))
	require.NoError(t, err)
	var out []recordedBody
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var c struct {
			Interactions []struct {
				Response struct {
					Body string `yaml:"body"`
					Code int    `yaml:"code"`
				} `yaml:"response"`
			} `yaml:"interactions"`
		}
		require.NoError(t, yaml.Unmarshal(raw, &c), file)
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		for _, in := range c.Interactions {
			if in.Response.Code >= 200 && in.Response.Code <= 299 && in.Response.Body != "" {
				out = append(out, recordedBody{name, []byte(in.Response.Body)})
			}
		}
	}
	return out
}

// TestAFullPageOfEveryListDecodesWithinTheBound: a page of MaxPerPage
// items, made of the recorded ones, weighs less than a quarter of what
// the client lets an answer take to decode by default; and one whose
// items each hold 30 of everything they list (data sources, their ids,
// a last job's data sources, a model's use cases) weighs less than the
// bound: the bound that refuses a flood of empty objects does not
// refuse a real page.
func TestAFullPageOfEveryListDecodesWithinTheBound(t *testing.T) {
	bound := decodeBound * int64(DefaultMaxResponseBytes)
	lists := 0
	for _, rec := range recorded2xx(t) {
		for _, op := range operations {
			if rec.name != strings.TrimPrefix(op.id, "genai_") {
				continue
			}
			answer := map[string]any{}
			require.NoError(t, unmarshalNumbers(rec.body, &answer), rec.name)
			for key, value := range answer {
				items, ok := value.([]any)
				if !ok || len(items) == 0 {
					continue
				}
				lists++
				for _, each := range []struct {
					lists int   // the length of every list an item holds; 0 as recorded
					under int64 // the most the page may weigh
				}{{0, bound / 4}, {30, bound}, {55, bound}} {
					page := make([]any, MaxPerPage)
					for i := range page {
						page[i] = lengthen(items[i%len(items)], each.lists)
					}
					answer[key] = page
					body, err := json.Marshal(answer)
					require.NoError(t, err)
					require.NoError(t, jsondec.UnmarshalWithin(body, op.answer(), bound), "%s: a page of %d", rec.name, MaxPerPage)
					var tooLarge *jsondec.TooLargeError
					require.ErrorAs(t, jsondec.UnmarshalWithin(body, op.answer(), 0), &tooLarge)
					t.Logf("%s: %d items, lists of %d, %.2f MiB, weigh %.1f MiB", op.id, MaxPerPage, each.lists, float64(len(body))/(1<<20), float64(tooLarge.Need)/(1<<20))
					assert.Less(t, tooLarge.Need, each.under, "%s: a page of %d with lists of %d weighs %d bytes", op.id, MaxPerPage, each.lists, tooLarge.Need)
				}
			}
		}
	}
	assert.GreaterOrEqual(t, lists, 7, "every list has a recording with items")
}

// unmarshalNumbers decodes JSON keeping numbers as they are spelled.
func unmarshalNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// lengthen is v with every list in it n long, its items repeated (n 0
// leaves v as it is).
func lengthen(v any, n int) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = lengthen(x, n)
		}
		return out
	case []any:
		if n == 0 || len(v) == 0 {
			return v
		}
		out := make([]any, n)
		for i := range out {
			out[i] = lengthen(v[i%len(v)], n)
		}
		return out
	}
	return v
}

// TestAPageOfModelsWithTheirScoresDecodesWithinTheBound: a page of 200
// models, each with 20 benchmark suites in its score (a map the API
// leaves open, decoded into interfaces), weighs under the bound. It
// weighed 55 MiB (refused) when every byte under an interface was
// charged what a type's own UnmarshalJSON might quote.
func TestAPageOfModelsWithTheirScoresDecodesWithinTheBound(t *testing.T) {
	suites := map[string]any{}
	for i := range 20 {
		suites[fmt.Sprintf("suite-%02d", i)] = map[string]any{"score": 65.43, "rank": 12, "date": "2026-01-01"}
	}
	models := make([]any, MaxPerPage)
	for i := range models {
		models[i] = map[string]any{"uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "name": "a model", "benchmark_score": suites}
	}
	body, err := json.Marshal(map[string]any{"models": models})
	require.NoError(t, err)
	var tooLarge *jsondec.TooLargeError
	require.ErrorAs(t, jsondec.UnmarshalWithin(body, new(modelsAnswer), 0), &tooLarge)
	t.Logf("%.2f MiB weigh %.1f MiB", float64(len(body))/(1<<20), float64(tooLarge.Need)/(1<<20))
	require.NoError(t, jsondec.UnmarshalWithin(body, new(modelsAnswer), decodeBound*int64(DefaultMaxResponseBytes)))
}

// TestAJobOfTenThousandDataSourcesDecodesWithinTheBound: a knowledge base
// built from files uploaded one by one has a data source for each, and
// its job's answer lists them all: 10,000 (3.5 MiB) decode within the
// default bound. At 8 times the response bound they were refused.
func TestAJobOfTenThousandDataSourcesDecodesWithinTheBound(t *testing.T) {
	var rec recordedBody
	for _, r := range recorded2xx(t) {
		if r.name == "get_indexing_job" {
			rec = r
		}
	}
	require.NotEmpty(t, rec.body)
	answer := map[string]any{}
	require.NoError(t, unmarshalNumbers(rec.body, &answer))
	body, err := json.Marshal(lengthen(answer, 10000))
	require.NoError(t, err)
	var tooLarge *jsondec.TooLargeError
	require.ErrorAs(t, jsondec.UnmarshalWithin(body, new(readIndexingJobAnswer), 0), &tooLarge)
	t.Logf("%.2f MiB weigh %.1f MiB", float64(len(body))/(1<<20), float64(tooLarge.Need)/(1<<20))
	require.Less(t, len(body), DefaultMaxResponseBytes)
	require.NoError(t, jsondec.UnmarshalWithin(body, new(readIndexingJobAnswer), decodeBound*int64(DefaultMaxResponseBytes)))
}
