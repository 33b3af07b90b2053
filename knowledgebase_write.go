package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// KnowledgeBaseSpec is a knowledge base to create (CreateKnowledgeBase).
// Name, Region and EmbeddingModelUUID are required; the ids, when set,
// must be UUIDs. Each is checked before anything is sent.
type KnowledgeBaseSpec struct {
	Name               string
	Region             string // the code of a region, such as tor1
	EmbeddingModelUUID string // a model of ListEmbeddingModels
	ProjectID          string // the project it belongs to
	// DatabaseID is an existing OpenSearch database to hold its index.
	// Empty: the service makes one in Region, of DatabaseSize (empty for
	// the service's default size), in VPCUUID (empty for the region's
	// default VPC).
	DatabaseID   string
	DatabaseSize OpenSearchPlanSize
	VPCUUID      string
	Tags         []string
	Reranking    *RerankingConfig // nil: the service's default
	// DataSources are its first data sources, none for an empty knowledge
	// base. Uploaded files (DataSourceSpec.File) are attached only here.
	DataSources []DataSourceSpec
}

// KnowledgeBaseChanges is what UpdateKnowledgeBase changes. What it leaves
// empty (a zero string, a nil or empty Tags, a nil Reranking) is not sent,
// and the knowledge base keeps its value. Tags, when not empty, replaces
// every tag; the public description does not say whether an empty list
// would clear them, so none is sent, and a knowledge base's tags cannot
// be cleared to none here: give the tags to keep. At least one change is
// needed; the ids, when set, must be UUIDs.
type KnowledgeBaseChanges struct {
	Name       string
	ProjectID  string
	DatabaseID string
	Tags       []string
	Reranking  *RerankingConfig
}

// CreateKnowledgeBase creates a knowledge base with its first data sources
// and returns it. Its database is made (unless DatabaseID names one) and
// comes online a while later: WaitForKnowledgeBase follows it; it can be
// indexed once ONLINE, and the service starts a first indexing job of its
// data sources then.
//
// Creating is not idempotent, and follows StartIndexingJob's rules: it is
// sent once, retried only when the server certainly did not act on it,
// and otherwise fails with an error that wraps ErrOutcomeUnknown and says
// to look for a knowledge base of that name (ListKnowledgeBases) before
// creating it again. The keys of an S3 data source never appear in an
// error.
func (c *Client) CreateKnowledgeBase(ctx context.Context, spec KnowledgeBaseSpec) (*KnowledgeBase, error) {
	in, err := spec.input()
	if err != nil {
		return nil, err
	}
	out, err := call(ctx, c, opGenaiCreateKnowledgeBase, nil, nil, in, func(out *createdKnowledgeBaseAnswer) error {
		return holds("knowledge base", out.KnowledgeBase.UUID, "")
	})
	err = sourceSecrets(c, spec.DataSources...).hide(err)
	if errors.Is(err, ErrOutcomeUnknown) {
		return nil, fmt.Errorf("%w; look for a knowledge base named %q (ListKnowledgeBases) before creating it again", err, safetext.Line(spec.Name))
	}
	if err != nil {
		return nil, err
	}
	return &out.KnowledgeBase, nil
}

// UpdateKnowledgeBase changes the knowledge base as changes say, leaving
// the rest as it is, and returns it as it now stands. Updating is
// idempotent, so it is retried like a read.
func (c *Client) UpdateKnowledgeBase(ctx context.Context, knowledgeBaseUUID string, changes KnowledgeBaseChanges) (*KnowledgeBase, error) {
	if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
		return nil, err
	}
	in, err := changes.input(knowledgeBaseUUID)
	if err != nil {
		return nil, err
	}
	out, err := call(ctx, c, opGenaiUpdateKnowledgeBase, []string{knowledgeBaseUUID}, nil, in, func(out *updatedKnowledgeBaseAnswer) error {
		return holds("knowledge base", out.KnowledgeBase.UUID, knowledgeBaseUUID)
	})
	if err != nil {
		return nil, err
	}
	return &out.KnowledgeBase, nil
}

// DeleteKnowledgeBase deletes the knowledge base and, with it, its data
// sources. Deleting is idempotent, so it is retried like a read; but a 404
// that answers a retry after the server may have acted (a 5xx, a
// connection lost once the request was sent) may mean the first attempt
// deleted it: that error wraps ErrOutcomeUnknown, and says so.
func (c *Client) DeleteKnowledgeBase(ctx context.Context, knowledgeBaseUUID string) error {
	_, err := call(ctx, c, opGenaiDeleteKnowledgeBase, []string{knowledgeBaseUUID}, nil, nil, func(out *deletedKnowledgeBaseAnswer) error {
		return echoes("knowledge base", out.UUID, knowledgeBaseUUID)
	})
	return err
}

// WaitForKnowledgeBase reads the knowledge base until its database is
// ONLINE, when it can be indexed, and returns it. It reads at once, then
// waits between reads as the options say (WithProgress, of jobs, is not
// used). A database UNHEALTHY, DECOMMISSIONED or POWEROFF does not come
// online by itself: the wait ends with an error that names the state, and
// the knowledge base as last read is returned with it. Any other state
// (CREATING, or one the API adds later) is waited through. When ctx ends
// first, the error wraps ctx's error and names the state last seen; a read
// that fails for good ends the wait with its error.
func (c *Client) WaitForKnowledgeBase(ctx context.Context, knowledgeBaseUUID string, opts ...WaitOption) (*KnowledgeBase, error) {
	if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
		return nil, err
	}
	w := newWaitConfig(opts)
	var kb *KnowledgeBase // the last read
	polls, err := w.poll(ctx, func() (bool, error) {
		read, err := c.GetKnowledgeBase(ctx, knowledgeBaseUUID)
		if err != nil {
			return false, err
		}
		kb = read
		switch kb.DatabaseStatus {
		case DatabaseStatusOnline:
			return true, nil
		case DatabaseStatusUnhealthy, DatabaseStatusDecommissioned, DatabaseStatusPowerOff:
			return true, fmt.Errorf("indexingjobs: knowledge base %s: its database is %s, and %w", knowledgeBaseUUID, kb.DatabaseStatus, errNotComingOnline)
		}
		return false, nil
	})
	switch {
	case err == nil:
		return kb, nil
	case ctx.Err() == nil && kb != nil && kb.DatabaseStatus != DatabaseStatusOnline && errors.Is(err, errNotComingOnline):
		return kb, err
	case ctx.Err() == nil:
		return nil, err
	}
	seen := "no read succeeded"
	if kb != nil {
		seen = "its database last seen " + safetext.Line(string(kb.DatabaseStatus))
	}
	return nil, fmt.Errorf("indexingjobs: waiting for knowledge base %s: %w; %s after %d %s", knowledgeBaseUUID, ctx.Err(), seen, polls, plural(polls, "read"))
}

// input is the body of the create, checked.
func (s KnowledgeBaseSpec) input() (*genaiCreateKnowledgeBaseJSONRequestBody, error) {
	if err := required("CreateKnowledgeBase", "Name", s.Name, "Region", s.Region); err != nil {
		return nil, err
	}
	if err := checkUUID("embedding model", s.EmbeddingModelUUID); err != nil {
		return nil, err
	}
	if err := optionalUUIDs("project", s.ProjectID, "database", s.DatabaseID, "VPC", s.VPCUUID); err != nil {
		return nil, err
	}
	in := &genaiCreateKnowledgeBaseJSONRequestBody{
		Name: s.Name, Region: s.Region, EmbeddingModelUUID: s.EmbeddingModelUUID, ProjectID: s.ProjectID,
		DatabaseID: s.DatabaseID, OpenSearchPlanSize: s.DatabaseSize, VpcUUID: s.VPCUUID, Tags: s.Tags,
	}
	if s.Reranking != nil {
		in.RerankingConfig = *s.Reranking
	}
	for i, ds := range s.DataSources {
		if err := ds.check(true); err != nil {
			return nil, fmt.Errorf("indexingjobs: CreateKnowledgeBase: data source %d: %w", i+1, err)
		}
		in.Datasources = append(in.Datasources, ds.input())
	}
	return in, nil
}

// input is the body of the update, checked: at least one change.
func (ch KnowledgeBaseChanges) input(kb string) (*genaiUpdateKnowledgeBaseJSONRequestBody, error) {
	if ch.Name == "" && ch.ProjectID == "" && ch.DatabaseID == "" && len(ch.Tags) == 0 && ch.Reranking == nil {
		return nil, errors.New("indexingjobs: UpdateKnowledgeBase: no change given: set a name, a project, a database, tags or reranking")
	}
	if err := optionalUUIDs("project", ch.ProjectID, "database", ch.DatabaseID); err != nil {
		return nil, err
	}
	in := &genaiUpdateKnowledgeBaseJSONRequestBody{UUID: kb, Name: ch.Name, ProjectID: ch.ProjectID, DatabaseID: ch.DatabaseID, Tags: ch.Tags}
	if ch.Reranking != nil {
		in.RerankingConfig = *ch.Reranking
	}
	return in, nil
}

// required checks that the named values (name, value, name, value...) are
// set.
func required(method string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return fmt.Errorf("indexingjobs: %s: %s is required", method, pairs[i])
		}
	}
	return nil
}

// optionalUUIDs checks that each named id (what, id, what, id...) is a
// UUID when set.
func optionalUUIDs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			if err := checkUUID(pairs[i], pairs[i+1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// echoes checks an id an answer repeats, when it does: the answer to a
// delete names what it deleted.
func echoes(what, got, want string) error {
	if got != "" && !strings.EqualFold(got, want) {
		return fmt.Errorf("%w: it names %s %q, not %s", errWrongAnswer, what, clean(got, maxIDLen), want)
	}
	return nil
}
