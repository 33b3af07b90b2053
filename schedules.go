package indexingjobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// IndexingSchedule is when a knowledge base is indexed on its own: on each
// of Days, at Time (UTC, "HH:MM:SS"), a job starts. It is the generated
// type gen.APIScheduledIndexingInfo.
type IndexingSchedule = gen.APIScheduledIndexingInfo

// GetIndexingSchedule returns the knowledge base's indexing schedule. For
// a knowledge base without one, IsNotFound(err) is true.
func (c *Client) GetIndexingSchedule(ctx context.Context, knowledgeBaseUUID string) (*IndexingSchedule, error) {
	if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
		return nil, err
	}
	out, err := call(ctx, c, &gen.GenaiGetScheduledIndexingOperation, []string{knowledgeBaseUUID}, "", nil,
		func(out *gen.IndexingInfo) error { return isSchedule(&out.IndexingInfo, knowledgeBaseUUID) })
	if err != nil {
		return nil, err
	}
	return &out.IndexingInfo, nil
}

// isSchedule checks that an answer holds a schedule, of the knowledge base
// asked about when the answer says.
func isSchedule(s *IndexingSchedule, kb string) error {
	if s.UUID == "" {
		return fmt.Errorf("%w: the body has no schedule", errWrongAnswer)
	}
	if s.KnowledgeBaseUUID != "" && !strings.EqualFold(s.KnowledgeBaseUUID, kb) {
		return fmt.Errorf("%w: the schedule is of knowledge base %s, not %s", errWrongAnswer, safetext.Line(clean(s.KnowledgeBaseUUID, maxIDLen)), kb)
	}
	return nil
}
