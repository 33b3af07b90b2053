package main

import (
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

const (
	projectUUID = "37455431-84bd-4fa2-94cf-e8486f8f8c5e"
	s3KeyID     = "AKIAIOSFODNN7EXAMPLE"
	s3Secret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// pretendTerminal makes the tool's confirmations read answer, as if typed
// on a terminal (or, with answer "", as if there were none), until the
// test ends.
func pretendTerminal(t *testing.T, answer string) {
	was := askInput
	t.Cleanup(func() { askInput = was })
	askInput = func() (io.Reader, bool) { return strings.NewReader(answer), answer != "" }
}

func TestEmbeddingModelsTable(t *testing.T) {
	srv, _ := fake(t)
	code, stdout, stderr := runCmd(t, "embedding-models", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `^UUID\s+NAME\n`, stdout)
	assert.Regexp(t, `(?m)^`+indexingjobstest.EmbeddingModel+`\s+GTE Large EN v1.5$`, stdout)
	assert.True(t, strings.HasSuffix(stdout, "\n3 embedding models\n"), stdout)

	code, stdout, _ = runCmd(t, "embedding-models", "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	models := decode[[]map[string]any](t, stdout)
	require.Len(t, models, 3)
	assert.Equal(t, "gte-large-en-v1.5", models[0]["id"])
}

// writeFile writes content to a file of a temporary folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// TestCreateUploadsEachFileThenAttachesIt: each --file is uploaded, byte
// for byte, then attached with the Spaces folder and the site; --wait
// follows the database to ONLINE.
func TestCreateUploadsEachFileThenAttachesIt(t *testing.T) {
	srv, _ := fake(t, indexingjobstest.WithDatabaseDelay(300*time.Millisecond))
	a, b := writeFile(t, "a.md", "# A\nalpha\n"), writeFile(t, "b.md", "# B\nbeta, longer\n")
	code, stdout, stderr := runCmd(t, "knowledge-base", "create", "handbook", "--region", "tor1", "--embedding-model", indexingjobstest.EmbeddingModel,
		"--project", projectUUID, "--tag", "docs", "--spaces", "product-docs/manuals", "--web", "https://docs.example.com/",
		"--file", a, "--file", b, "--wait", "--poll", "20ms", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "Uploaded a.md (10 B).\nUploaded b.md (17 B).\n")
	assert.Contains(t, stderr, "with 4 data sources")
	assert.Contains(t, stderr, "Its database is ONLINE.")
	assert.Regexp(t, `Creating it started its first indexing job, (\S+): follow it with 'indexingjobs wait \S+'\.`, stderr)
	assert.Regexp(t, `(?m)^Name\s+handbook$`, stdout)
	assert.Regexp(t, `(?m)^Database\s+ONLINE$`, stdout)
	assert.NotContains(t, stdout+stderr, "signature=", "an upload URL's signature is never shown")

	client, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	var kb *indexingjobs.KnowledgeBase
	for k, err := range client.ListKnowledgeBases(ctx) {
		require.NoError(t, err)
		if k.Name == "handbook" {
			kb = k
		}
	}
	require.NotNil(t, kb)
	var kinds []string
	for ds, err := range client.ListKnowledgeBaseDataSources(ctx, kb.UUID) {
		require.NoError(t, err)
		kind, where := sourcePlace(ds)
		kinds = append(kinds, kind+" "+where)
		if f := ds.FileUploadDataSource; f.StoredObjectKey != "" {
			up, ok := srv.Uploaded(f.StoredObjectKey)
			require.True(t, ok)
			want, _ := os.ReadFile(map[string]string{"a.md": a, "b.md": b}[f.OriginalFileName])
			assert.Equal(t, sha256.Sum256(want), up.SHA256, "%s round-trips", f.OriginalFileName)
		}
	}
	assert.Equal(t, []string{"spaces product-docs/manuals (tor1)", "web https://docs.example.com/", "file a.md", "file b.md"}, kinds)
}

// TestCreateChecksEverythingBeforeSending: a missing or wrong flag, a file
// that cannot be uploaded: exit 2, nothing sent, not even an upload URL.
func TestCreateChecksEverythingBeforeSending(t *testing.T) {
	srv, _ := fake(t)
	empty := writeFile(t, "empty.md", "")
	ok := writeFile(t, "ok.md", "fine")
	base := []string{"knowledge-base", "create", "handbook", "--api-url", srv.URL}
	need := []string{"--region", "tor1", "--embedding-model", indexingjobstest.EmbeddingModel, "--project", projectUUID}
	for want, args := range map[string][]string{
		"--region is required": {"--embedding-model", indexingjobstest.EmbeddingModel, "--project", projectUUID},
		"--project is required: the UUID of the project it belongs to ('doctl projects list' lists them)": {"--region", "tor1", "--embedding-model", indexingjobstest.EmbeddingModel},
		"--embedding-model is required: 'indexingjobs embedding-models' lists the models":                 {"--region", "tor1", "--project", projectUUID},
		"--embedding-model, --project and --database each name one, given once":                           append(slicesClone(need), "--project", projectUUID),
		`invalid argument "gte-large"`:       append(slicesClone(need), "--embedding-model", "gte-large"),
		"no such file or directory":          append(slicesClone(need), "--file", ok, "--file", filepath.Join(t.TempDir(), "gone.md")),
		"is empty":                           append(slicesClone(need), "--file", empty),
		"is not a regular file":              append(slicesClone(need), "--file", t.TempDir()),
		"--spaces-region goes with --spaces": append(slicesClone(need), "--spaces-region", "ams3"),
		"want BUCKET/PATH":                   append(slicesClone(need), "--spaces", "/manuals"),
		"is not an http or https URL":        append(slicesClone(need), "--web", "docs.example.com"),
	} {
		code, _, stderr := runCmd(t, append(slicesClone(base), args...)...)
		assert.Equal(t, exitUsage, code, want)
		assert.Contains(t, stderr, want)
	}
	code, _, stderr := runCmd(t, "knowledge-base", "create", "--api-url", srv.URL)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "want the knowledge base's NAME")
	assert.Zero(t, srv.Requests(), "nothing sent")
	assert.Zero(t, srv.StorageRequests(), "nothing uploaded")
}

// TestCreateSaysTheFirstJobStarts: without --wait, a knowledge base
// created with data sources says that the API indexes it once its
// database is ONLINE, and how to follow that job; one without says
// nothing of a job.
func TestCreateSaysTheFirstJobStarts(t *testing.T) {
	srv, _ := fake(t)
	code, stdout, stderr := runCmd(t, "knowledge-base", "create", "handbook", "--region", "tor1", "--embedding-model", indexingjobstest.EmbeddingModel,
		"--project", projectUUID, "--web", "https://docs.example.com/", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	id := regexp.MustCompile(`(?m)^Knowledge base\s+(\S+)$`).FindStringSubmatch(stdout)
	require.Len(t, id, 2, stdout)
	assert.Contains(t, stderr, "Creating it starts its first indexing job once its database is ONLINE: 'indexingjobs knowledge-base "+id[1]+"' shows it")

	code, _, stderr = runCmd(t, "knowledge-base", "create", "empty", "--region", "tor1", "--embedding-model", indexingjobstest.EmbeddingModel,
		"--project", projectUUID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "indexing job")
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// TestDeletesAskOnATerminalAndRefuseWithout: as doctl does, knowledge-base
// delete and data-source remove ask on a terminal (y or yes goes on,
// anything else aborts, sending nothing), refuse without one (exit 2,
// nothing sent), and --force (-f) deletes without asking.
func TestDeletesAskOnATerminalAndRefuseWithout(t *testing.T) {
	for _, c := range []struct {
		name, prompt string
		args         func(kb, ds string) []string
		gone         func(client *indexingjobs.Client, kb, ds string) bool
		printed      string
	}{
		{"knowledge-base delete", "Warning: Are you sure you want to delete this Knowledge Base (",
			func(kb, _ string) []string { return []string{"knowledge-base", "delete", kb} },
			func(client *indexingjobs.Client, kb, _ string) bool {
				_, err := client.GetKnowledgeBase(context.Background(), kb)
				return indexingjobs.IsNotFound(err)
			}, "Deleted knowledge base "},
		{"data-source remove", "Warning: Are you sure you want to delete this Knowledge Base Data Source (",
			func(kb, ds string) []string { return []string{"data-source", "remove", kb, ds} },
			func(client *indexingjobs.Client, kb, ds string) bool {
				return indexingjobs.IsNotFound(client.DeleteDataSource(context.Background(), kb, ds))
			}, "Removed data source "},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range []struct {
				answer string // "" for no terminal
				force  string
				code   int
				asked  bool
			}{
				{answer: "", code: exitUsage},
				{answer: "n\n", code: exitError, asked: true},
				{answer: "\n", code: exitError, asked: true},
				{answer: "yes please\n", code: exitError, asked: true},
				{answer: "y\n", code: exitOK, asked: true},
				{answer: "YES\n", code: exitOK, asked: true},
				{answer: "", force: "--force", code: exitOK},
				{answer: "n\n", force: "-f", code: exitOK},
			} {
				srv, _ := fake(t)
				kb := indexingjobstest.NewKnowledgeBase(1)
				srv.AddKnowledgeBase(kb)
				before := srv.Requests()
				pretendTerminal(t, tc.answer)
				args := append(c.args(kb.UUID, kb.DataSourceUUIDs[0]), "--api-url", srv.URL)
				if tc.force != "" {
					args = append(args, tc.force)
				}
				code, stdout, stderr := runCmd(t, args...)
				assert.Equal(t, tc.code, code, "%+v: %s", tc, stderr)
				assert.Equal(t, tc.asked, strings.Contains(stderr, c.prompt), "%+v: %s", tc, stderr)
				client, err := srv.NewClient()
				require.NoError(t, err)
				switch tc.code {
				case exitUsage:
					assert.Contains(t, stderr, "without confirmation: not on a terminal; pass --force (-f)")
					assert.Equal(t, before, srv.Requests(), "nothing sent")
				case exitError:
					assert.Contains(t, stderr, "operation aborted")
					assert.Equal(t, before, srv.Requests(), "nothing sent")
				default:
					assert.Contains(t, stdout, c.printed)
					assert.True(t, c.gone(client, kb.UUID, kb.DataSourceUUIDs[0]), "deleted")
				}
			}
		})
	}
}

// TestDeleteAsksOnARealTerminal: the built tool, its stdin a terminal,
// asks and deletes on "y"; with stdin /dev/null, a character device that
// is no terminal, it refuses.
func TestDeleteAsksOnARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	srv, _ := fake(t)
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(0))
	bin := buildTool(t)

	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	cmd := exec.Command(bin, "knowledge-base", "delete", kb, "--api-url", srv.URL)
	cmd.Stdin = null
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, exitUsage, exit.ExitCode())
	assert.Contains(t, string(out), "without confirmation")

	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	cmd = exec.Command(bin, "knowledge-base", "delete", kb, "--api-url", srv.URL)
	cmd.Stdin = tty
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	tty.Close()
	_, err = ptmx.Write([]byte("y\n")) // typed ahead: the terminal keeps it for the tool's read
	require.NoError(t, err)
	require.NoError(t, cmd.Wait(), stderr.String())
	assert.Contains(t, stderr.String(), "Are you sure you want to delete this Knowledge Base")
	assert.Contains(t, stdout.String(), "Deleted knowledge base "+kb)
	client, err := srv.NewClient()
	require.NoError(t, err)
	_, err = client.GetKnowledgeBase(context.Background(), kb)
	assert.True(t, indexingjobs.IsNotFound(err))
}

// TestDataSourceAddTakesS3KeysFromTheEnvironmentOnly: the key of an S3
// folder comes from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, is
// sent, and is in nothing the tool writes, text or JSON, nor in its
// errors; without them, exit 2 and nothing sent; there is no flag for it.
func TestDataSourceAddTakesS3KeysFromTheEnvironmentOnly(t *testing.T) {
	srv, _ := fake(t)
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(0))
	t.Setenv(awsKeyIDEnv, "")
	t.Setenv(awsSecretEnv, "")
	before := srv.Requests()
	code, _, stderr := runCmd(t, "data-source", "add", kb, "--s3", "archive/2025", "--s3-region", "us-east-1", "--api-url", srv.URL)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--s3 needs the bucket's access key in $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY")
	assert.Equal(t, before, srv.Requests())
	code, _, stderr = runCmd(t, "data-source", "add", kb, "--s3", "archive/2025", "--s3-region", "us-east-1", "--secret-key", s3Secret)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "unknown flag: --secret-key")

	t.Setenv(awsKeyIDEnv, s3KeyID)
	t.Setenv(awsSecretEnv, s3Secret)
	for _, output := range []string{"text", "json"} {
		code, stdout, stderr := runCmd(t, "data-source", "add", kb, "--s3", "archive/2025", "--s3-region", "us-east-1", "-o", output, "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		assert.NotContains(t, stdout+stderr, s3Secret[:12])
		assert.NotContains(t, stdout+stderr, s3KeyID)
		if output == "text" {
			assert.Contains(t, stdout, "Added data source ")
			assert.Contains(t, stdout, "s3 archive/2025 (us-east-1)")
		}
	}

	// A server that echoes the key in its error: not in the tool's.
	echo := script(t, map[string]http.HandlerFunc{
		"POST /v2/gen-ai/knowledge_bases/{kb}/data_sources": func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			answer(400, map[string]string{"id": "bad_request", "message": "not valid: " + string(body)})(w, r)
		},
	})
	code, stdout, stderr := runCmd(t, "data-source", "add", kb, "--s3", "archive/2025", "--s3-region", "us-east-1", "--api-url", echo.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "400 Bad Request")
	assert.NotContains(t, stdout+stderr, s3Secret[:12])
	assert.NotContains(t, stdout+stderr, s3Secret[20:])
	assert.NotContains(t, stdout+stderr, s3KeyID)
	require.Len(t, echo.requests(), 1)
	assert.Contains(t, echo.requests()[0].Body, s3Secret, "the key is sent")
}

// TestDataSourceAddUpdateRemove: the kinds and their flags, checked before
// anything is sent; the chunking's names; a 404 naming both ids.
func TestDataSourceAddUpdateRemove(t *testing.T) {
	srv, _ := fake(t)
	kb := indexingjobstest.NewKnowledgeBase(1)
	srv.AddKnowledgeBase(kb)
	ds := kb.DataSourceUUIDs[0]
	before := srv.Requests()
	for want, args := range map[string][]string{
		"want one data source: --spaces, --web or --s3":                                                          {"add", kb.UUID},
		"want one data source":                                                                                   {"add", kb.UUID, "--web", "https://a.example/", "--spaces", "b/p", "--spaces-region", "tor1"},
		"--crawl with --web":                                                                                     {"add", kb.UUID, "--spaces", "b/p", "--spaces-region", "tor1", "--crawl", "domain"},
		"--crawl sitewide: want scoped, path, domain or subdomains":                                              {"add", kb.UUID, "--web", "https://a.example/", "--crawl", "sitewide"},
		"--spaces needs --spaces-region, the bucket's region, such as nyc3":                                      {"add", kb.UUID, "--spaces", "b/p"},
		"--s3 needs --s3-region, the bucket's region, such as us-east-1":                                         {"add", kb.UUID, "--s3", "b/p"},
		`--chunking "paragraph": want section_based, hierarchical, semantic or fixed_length (or section, fixed)`: {"update", kb.UUID, ds, "--chunking", "paragraph"},
		"nothing to change: give --chunking, one of section_based":                                               {"update", kb.UUID, ds},
		"nothing to change: give --chunking":                                                                     {"update", kb.UUID, ds, "--max-chunk-size", "400"},
		"want a knowledge base UUID and a data source UUID, got 1 arguments":                                     {"remove", kb.UUID, "-f"},
		`id "../x": not a UUID`:                                                                                  {"remove", kb.UUID, "../x", "-f"},
	} {
		code, _, stderr := runCmd(t, append(append([]string{"data-source"}, args...), "--api-url", srv.URL)...)
		assert.Equal(t, exitUsage, code, want)
		assert.Contains(t, stderr, want)
	}
	code, _, stderr := runCmd(t, "data-source", "frob")
	var stdout string
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `unknown command "frob" for "indexingjobs data-source"`)
	assert.Equal(t, before, srv.Requests(), "nothing sent")

	code, stdout, stderr = runCmd(t, "data-source", "add", kb.UUID, "--web", "https://docs.example.com/", "--crawl", "subdomains", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "web https://docs.example.com/")
	code, stdout, stderr = runCmd(t, "data-source", "update", kb.UUID, ds, "--chunking", "semantic", "--max-chunk-size", "400", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "chunked semantic (at most 400 tokens)")
	for _, name := range []string{"section_based", "SECTION-BASED", "section", "fixed_length", "fixed"} {
		code, stdout, stderr = runCmd(t, "data-source", "update", kb.UUID, ds, "--chunking", name, "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		assert.Regexp(t, `chunked (section_based|fixed_length)\.`, stdout, name)
	}
	_, help, _ := runCmd(t, "knowledge-base", "create", "--help")
	assert.Regexp(t, `--poll duration\s+the wait between reads of the knowledge base, with --wait, such as 1s or 5s`, help)
	code, _, stderr = runCmd(t, "data-source", "remove", kb.UUID, "00000000-0000-4000-8000-000000000000", "-f", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "knowledge base "+kb.UUID+", or its data source 00000000-0000-4000-8000-000000000000, not found")
}

// TestKnowledgeBaseUpdate: a name and tags change, and only they; nothing
// to change is a usage error.
func TestKnowledgeBaseUpdate(t *testing.T) {
	srv, _ := fake(t)
	kb := srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{Name: "docs"})
	before := srv.Requests()
	code, _, stderr := runCmd(t, "knowledge-base", "update", kb, "--api-url", srv.URL)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "nothing to change: give --name or --tag")
	assert.Equal(t, before, srv.Requests())
	code, stdout, stderr := runCmd(t, "knowledge-base", "update", kb, "--tag", "a", "--tag", "b", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Name\s+docs$`, stdout)
	assert.Regexp(t, `(?m)^Tags\s+a, b$`, stdout)
	code, stdout, _ = runCmd(t, "knowledge-base", "update", kb, "--name", "docs-v2", "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	got := decode[map[string]any](t, stdout)
	assert.Equal(t, "docs-v2", got["name"])
	assert.Equal(t, []any{"a", "b"}, got["tags"])
}
